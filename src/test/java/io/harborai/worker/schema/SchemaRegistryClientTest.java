package io.harborai.worker.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the client sends and how it reports failures, against scripted HTTP answers. */
class SchemaRegistryClientTest {

    static final Schema SCHEMA = SchemaRegistryClientContract.V1;

    MockWebServer server;
    OkHttpClient http = new OkHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String urlWithCredentials(String path) {
        return "http://alice:s3cr%40t@" + server.getHostName() + ":" + server.getPort() + path;
    }

    static MockResponse json(int code, String body) {
        return new MockResponse.Builder()
                .code(code)
                .addHeader("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
                .body(body)
                .build();
    }

    @Test
    void shouldSendBasicAuthFromUrlUserInfoAndNotPutItInTheRequestUrl() throws Exception {
        server.enqueue(json(200, "{\"id\":7}"));
        SchemaRegistryClient client = new SchemaRegistryClient(http, urlWithCredentials(""));

        assertThat(client.register("t-value", SCHEMA)).isEqualTo(7);

        RecordedRequest request = server.takeRequest();
        String expected =
                "Basic " + Base64.getEncoder().encodeToString("alice:s3cr@t".getBytes(StandardCharsets.UTF_8));
        assertThat(request.getHeaders().get("Authorization")).isEqualTo(expected);
        assertThat(request.getHeaders().get("Content-Type")).startsWith(SchemaRegistryClient.CONTENT_TYPE);
        assertThat(request.getUrl().encodedPath()).isEqualTo("/subjects/t-value/versions");
        assertThat(request.getUrl().username()).isEmpty();
        assertThat(client.url()).doesNotContain("alice").doesNotContain("s3cr");
    }

    @Test
    void shouldKeepCredentialsOutOfErrorMessages() {
        server.enqueue(json(500, "{\"error_code\":50001,\"message\":\"store down\"}"));
        SchemaRegistryClient client = new SchemaRegistryClient(http, urlWithCredentials(""));

        assertThatThrownBy(() -> client.getById(1)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(500);
            assertThat(e.errorCode()).isEqualTo(50001);
            assertThat(e.isRetriable()).isTrue();
            assertThat(e.getMessage()).contains("store down").doesNotContain("alice", "s3cr");
        });
    }

    @Test
    void shouldReportNoResponseWithoutCredentialsWhenTheRegistryIsUnreachable() {
        String url = urlWithCredentials("");
        server.close();
        SchemaRegistryClient client = new SchemaRegistryClient(http, url);

        assertThatThrownBy(() -> client.subjects()).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
            assertThat(e.isRetriable()).isTrue();
            assertThat(e.isNotFound()).isFalse();
            assertThat(e.getMessage()).doesNotContain("alice", "s3cr");
        });
    }

    @Test
    void shouldUseTheHttpStatusAsErrorCodeWhenTheBodyIsNotConfluentJson() {
        server.enqueue(new MockResponse.Builder()
                .code(502)
                .body("<html>Bad Gateway</html>")
                .build());
        SchemaRegistryClient client =
                new SchemaRegistryClient(http, server.url("/").toString());

        assertThatThrownBy(() -> client.subjects())
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(502));
    }

    @Test
    void shouldKeepABaseUrlPathPrefixAndEncodeSubjects() throws Exception {
        server.enqueue(json(200, "[1]"));
        SchemaRegistryClient client =
                new SchemaRegistryClient(http, server.url("/registry/").toString());

        assertThat(client.versions("a/b-value")).containsExactly(1);
        assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/registry/subjects/a%2Fb-value/versions");
    }

    @Test
    void shouldTreatAMissingSubjectAsCompatible() {
        server.enqueue(json(404, "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}"));
        SchemaRegistryClient client =
                new SchemaRegistryClient(http, server.url("/").toString());

        assertThat(client.isCompatible("x", SCHEMA)).isTrue();
    }

    @Test
    void shouldRejectAMalformedBaseUrlWithoutEchoingIt() {
        assertThatThrownBy(() -> new SchemaRegistryClient(http, "localhost:8081?pw=s3cret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }
}
