package io.harborai.worker.metrics.endpoint;

import static org.apache.kafka.streams.KafkaStreams.State.CREATED;
import static org.apache.kafka.streams.KafkaStreams.State.ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.NOT_RUNNING;
import static org.apache.kafka.streams.KafkaStreams.State.PENDING_ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.REBALANCING;
import static org.apache.kafka.streams.KafkaStreams.State.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, KafkaStreams.State> apps(KafkaStreams.State online, KafkaStreams.State batch) {
        Map<String, KafkaStreams.State> m = new LinkedHashMap<>();
        m.put("app", online);
        m.put("app-batch", batch);
        return m;
    }

    private static JsonNode body(HealthCheck.Answer a) throws Exception {
        return JSON.readTree(a.body());
    }

    @Test
    void shouldBeHealthyWhileStartingOrRebalancing() throws Exception {
        for (KafkaStreams.State s : List.of(CREATED, REBALANCING, RUNNING)) {
            HealthCheck.Answer a = HealthCheck.health(apps(s, RUNNING));
            assertThat(a.status()).as("%s", s).isEqualTo(200);
            assertThat(body(a).get("status").asText()).isEqualTo("UP");
        }
    }

    @Test
    void shouldBeDownWhenAnApplicationDied() throws Exception {
        for (KafkaStreams.State s : List.of(ERROR, PENDING_ERROR, NOT_RUNNING)) {
            HealthCheck.Answer a = HealthCheck.health(apps(RUNNING, s));
            assertThat(a.status()).as("%s", s).isEqualTo(503);
            JsonNode b = body(a);
            assertThat(b.get("status").asText()).isEqualTo("DOWN");
            assertThat(b.get("apps").get("app-batch").asText()).isEqualTo(s.name());
            assertThat(b.get("reasons").get(0).asText()).contains("app-batch", s.name());
        }
    }

    @Test
    void shouldBeReadyOnlyWhenEveryApplicationRunsAndNoCircuitIsOpen() throws Exception {
        HealthCheck.Answer ok = HealthCheck.ready(apps(RUNNING, RUNNING), List.of());
        assertThat(ok.status()).isEqualTo(200);
        assertThat(body(ok).get("status").asText()).isEqualTo("READY");

        HealthCheck.Answer rebalancing = HealthCheck.ready(apps(RUNNING, REBALANCING), List.of());
        assertThat(rebalancing.status()).isEqualTo(503);
        assertThat(body(rebalancing).get("reasons").toString()).contains("app-batch is REBALANCING");

        HealthCheck.Answer open = HealthCheck.ready(apps(RUNNING, RUNNING), List.of("openai"));
        assertThat(open.status()).isEqualTo(503);
        JsonNode b = body(open);
        assertThat(b.get("status").asText()).isEqualTo("NOT_READY");
        assertThat(b.get("openCircuits").get(0).asText()).isEqualTo("openai");
        assertThat(b.get("reasons").toString()).contains("circuit of provider openai is open");
    }

    @Test
    void shouldNotBeReadyWithoutApplications() {
        assertThat(HealthCheck.ready(Map.of(), List.of()).status()).isEqualTo(503);
    }
}
