package io.harborai.worker.metrics.endpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What {@code /health} and {@code /ready} answer, as a pure function of the Kafka Streams
 * applications' states and the providers whose circuit is open.
 *
 * <ul>
 *   <li>Health (liveness): 200 {@code UP} unless an application is ERROR, PENDING_ERROR or
 *       NOT_RUNNING (503 {@code DOWN}): a rebalancing or starting worker is alive.
 *   <li>Readiness: 200 only when every application is RUNNING and no provider circuit is open;
 *       else 503 with the reasons (application states, open circuits).
 * </ul>
 * Bodies are JSON: {@code {"status":..., "apps":{name: state}, "openCircuits":[...], "reasons":[...]}}.
 *
 * <p>Stateless and thread-safe.
 */
public final class HealthCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<KafkaStreams.State> DEAD =
            Set.of(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING);

    private HealthCheck() {}

    /** An HTTP status and its JSON body. */
    public record Answer(int status, String body) {
        public boolean ok() {
            return status == 200;
        }
    }

    /** Liveness over the applications' states (name → state, in a stable order). */
    public static Answer health(Map<String, KafkaStreams.State> apps) {
        ObjectNode body = JSON.createObjectNode();
        var reasons = body.putArray("reasons");
        apps.forEach((name, state) -> {
            if (DEAD.contains(state)) {
                reasons.add("Kafka Streams " + name + " is " + state);
            }
        });
        body.put("status", reasons.isEmpty() ? "UP" : "DOWN");
        body.set("apps", states(apps));
        return new Answer(reasons.isEmpty() ? 200 : 503, body.toString());
    }

    /** Readiness over the applications' states and the providers whose circuit is open. */
    public static Answer ready(Map<String, KafkaStreams.State> apps, List<String> openCircuits) {
        ObjectNode body = JSON.createObjectNode();
        var reasons = body.putArray("reasons");
        apps.forEach((name, state) -> {
            if (state != KafkaStreams.State.RUNNING) {
                reasons.add("Kafka Streams " + name + " is " + state + ", not RUNNING");
            }
        });
        for (String provider : openCircuits) {
            reasons.add("circuit of provider " + provider + " is open");
        }
        boolean ready = !apps.isEmpty() && reasons.isEmpty();
        if (apps.isEmpty()) {
            reasons.add("no Kafka Streams application");
        }
        body.put("status", ready ? "READY" : "NOT_READY");
        body.set("apps", states(apps));
        var circuits = body.putArray("openCircuits");
        openCircuits.forEach(circuits::add);
        return new Answer(ready ? 200 : 503, body.toString());
    }

    private static ObjectNode states(Map<String, KafkaStreams.State> apps) {
        ObjectNode node = JSON.createObjectNode();
        apps.forEach((name, state) -> node.put(name, state.name()));
        return node;
    }
}
