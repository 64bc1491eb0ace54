package io.harborai.worker.metrics.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.Severity;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {

    private static final OkHttpClient SHARED = new OkHttpClient();
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldPostTheAlertAsJson() throws Exception {
        server.enqueue(new MockResponse.Builder().code(204).build());
        WebhookSink sink =
                new WebhookSink(SHARED, server.url("/hooks/T0/SECRET").toString(), 10);

        sink.submit(alert("error_rate", AlertState.FIRING));

        RecordedRequest got = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(got.getMethod()).isEqualTo("POST");
        assertThat(got.getUrl().encodedPath()).isEqualTo("/hooks/T0/SECRET");
        assertThat(got.getHeaders().get("Content-Type")).startsWith("application/json");
        JsonNode json = new ObjectMapper().readTree(got.getBody().utf8());
        assertThat(json.get("rule").asText()).isEqualTo("error_rate");
        assertThat(json.get("instance").asText()).isEqualTo("w-1");
        assertThat(json.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(json.get("state").asText()).isEqualTo("FIRING");
        assertThat(json.get("value").asDouble()).isEqualTo(0.25);
        assertThat(json.get("threshold").asDouble()).isEqualTo(0.05);
        assertThat(json.get("message").asText()).isEqualTo("error_rate 0.25 above 0.05");
        assertThat(json.get("timestamp_ms").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(json.size()).isEqualTo(8);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.sent() == 1 && sink.pending() == 0);
    }

    @Test
    void shouldCountAnErrorAnswerAsFailedWithoutThrowing() {
        server.enqueue(new MockResponse.Builder().code(500).body("boom").build());
        WebhookSink sink = new WebhookSink(SHARED, server.url("/hook").toString(), 10);

        sink.submit(alert("memory", AlertState.RESOLVED));

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.failed() == 1 && sink.pending() == 0);
        assertThat(sink.sent()).isZero();
    }

    @Test
    void shouldDropAlertsBeyondThePendingBoundWithoutBlocking() {
        // The server answers nothing until the test releases it: a submit that waited for the server
        // would still be waiting (until the 10 s give-up below, and then find one POST sent).
        CountDownLatch release = new CountDownLatch(1);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                release.await(10, TimeUnit.SECONDS);
                return new MockResponse.Builder().code(200).build();
            }
        });
        WebhookSink sink = new WebhookSink(SHARED, server.url("/hook").toString(), 2);

        try {
            for (int i = 0; i < 5; i++) {
                sink.submit(alert("rule-" + i, AlertState.FIRING));
            }
            assertThat(sink.sent()).as("submit never waits for the server").isZero();
            assertThat(sink.pending()).isEqualTo(2);
            assertThat(sink.dropped()).isEqualTo(3);
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.sent() == 2 && sink.pending() == 0);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void shouldCountAnUnreachableWebhookAsFailed() throws IOException {
        String url = server.url("/hook").toString();
        server.close();
        WebhookSink sink = new WebhookSink(SHARED, url, 10);

        sink.submit(alert("x", AlertState.FIRING));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.failed() == 1 && sink.pending() == 0);
    }

    @Test
    void shouldRejectANonHttpUrlWithoutEchoingIt() {
        assertThatThrownBy(() -> new WebhookSink(SHARED, "ftp://user:s3cret@example.com/x", 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }

    private static Alert alert(String rule, AlertState state) {
        return Alert.newBuilder()
                .setRule(rule)
                .setInstance("w-1")
                .setSeverity(Severity.CRITICAL)
                .setState(state)
                .setValue(0.25)
                .setThreshold(0.05)
                .setMessage(rule + " 0.25 above 0.05")
                .setTimestampMs(1_700_000_000_000L)
                .build();
    }
}
