package io.harborai.worker.metrics.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(MetricsServer s, String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeMetricsHealthAndReadinessOverHttp() throws Exception {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
        AtomicReference<List<String>> open = new AtomicReference<>(List.of());
        try (MetricsServer s = MetricsServer.start(
                0, () -> "harbor_requests_total 1.0\n", () -> Map.of("app", state.get()), open::get)) {
            HttpResponse<String> metrics = get(s, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).contains(MetricsServer.PROMETHEUS_CONTENT_TYPE);
            assertThat(metrics.body()).isEqualTo("harbor_requests_total 1.0\n");

            assertThat(get(s, "/health").statusCode()).isEqualTo(200);
            assertThat(get(s, "/ready").statusCode()).isEqualTo(503);
            state.set(KafkaStreams.State.RUNNING);
            assertThat(get(s, "/ready").statusCode()).isEqualTo(200);
            open.set(List.of("p1"));
            HttpResponse<String> notReady = get(s, "/ready");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"openCircuits\":[\"p1\"]");
            state.set(KafkaStreams.State.ERROR);
            assertThat(get(s, "/health").body()).contains("\"status\":\"DOWN\"");
            assertThat(get(s, "/nope").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shouldNameThePortWhenItIsInUse() {
        try (MetricsServer first = MetricsServer.start(0, () -> "", Map::of, List::of)) {
            assertThatThrownBy(() -> MetricsServer.start(first.port(), () -> "", Map::of, List::of))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("metrics.port " + first.port());
        }
    }

    @Test
    void shouldAskForTheBearerTokenOnMetricsOnlyAndBindTheGivenAddress() throws Exception {
        try (MetricsServer s = MetricsServer.start(
                "127.0.0.1",
                0,
                BearerToken.of("tok-123"),
                () -> "harbor_requests_total 1.0\n",
                () -> Map.of("app", KafkaStreams.State.RUNNING),
                List::of)) {
            assertThat(s.address().getAddress().isLoopbackAddress()).isTrue();
            HttpResponse<String> none = get(s, "/metrics");
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(none.body()).doesNotContain("tok-123").doesNotContain("harbor_requests_total");
            assertThat(getWith(s, "/metrics", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(getWith(s, "/metrics", "Basic dG9rLTEyMw==").statusCode())
                    .isEqualTo(401);
            HttpResponse<String> ok = getWith(s, "/metrics", "Bearer tok-123");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("harbor_requests_total 1.0\n");
            assertThat(get(s, "/health").statusCode())
                    .as("probes need no token")
                    .isEqualTo(200);
            assertThat(get(s, "/ready").statusCode()).as("probes need no token").isEqualTo(200);
        }
        assertThat(BearerToken.of("tok-123").toString()).doesNotContain("tok-123");
        assertThat(BearerToken.of(null).admits(null)).isTrue();
    }

    @Test
    void shouldNameTheBindAddressWhenItCannotBeUsed() {
        assertThatThrownBy(() -> MetricsServer.start(
                        "no-such-host.invalid", 0, BearerToken.of(null), () -> "", Map::of, List::of))
                .hasMessageContaining("no-such-host.invalid")
                .hasMessageContaining("metrics.bind-address");
    }

    private HttpResponse<String> getWith(MetricsServer s, String path, String authorization) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                        .header("Authorization", authorization)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
