package io.harborai.worker.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.schema.SchemaRegistryClientContract;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client contract over real HTTP against the in-process registry, plus its own extras. */
class InProcessSchemaRegistryTest extends SchemaRegistryClientContract {

    static InProcessSchemaRegistry registry;

    @BeforeAll
    static void startRegistry() {
        registry = InProcessSchemaRegistry.start(0);
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @Override
    protected String registryUrl() {
        return registry.url();
    }

    @Test
    void shouldBindToLoopbackOnAnEphemeralPort() {
        assertThat(registry.url()).matches("http://127\\.0\\.0\\.1:[1-9][0-9]*");
    }

    @Test
    void shouldReportBackwardAsTheGlobalCompatibilityLevel() throws Exception {
        assertThat(get("/config")).isEqualTo("200 {\"compatibilityLevel\":\"BACKWARD\"}");
    }

    @Test
    void shouldAnswerUnknownRoutesWithAConfluentErrorBody() throws Exception {
        assertThat(get("/no/such/route")).startsWith("404 {\"error_code\":404,\"message\":");
    }

    @Test
    void shouldAnswerAnInvalidVersionWithError42202() throws Exception {
        client.register(subject, V1);

        assertThat(get("/subjects/" + subject + "/versions/zero")).startsWith("422 {\"error_code\":42202");
    }

    @Test
    void shouldKeepSubjectsWithReservedCharactersIntact() {
        String odd = "odd/subject name+1?-value";
        client.register(odd, V1);

        assertThat(client.subjects()).contains(odd);
        assertThat(client.getVersion(odd, "latest").subject()).isEqualTo(odd);
    }

    @Test
    void shouldCreateOneVersionWhenManyThreadsRegisterTheSameSchema() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                // Fresh clients so every call reaches the server.
                calls.add(() -> new SchemaRegistryClient(http, registryUrl()).register(subject, V1));
            }
            Set<Integer> ids = new HashSet<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                ids.add(f.get());
            }
            assertThat(ids).hasSize(1);
            assertThat(client.versions(subject)).containsExactly(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private String get(String path) throws Exception {
        try (Response response = http.newCall(
                        new Request.Builder().url(registry.url() + path).build())
                .execute()) {
            return response.code() + " " + response.body().string();
        }
    }

    @Test
    void shouldAnswer401WithoutTheBasicAuthItWasStartedWith() throws Exception {
        try (InProcessSchemaRegistry guarded = InProcessSchemaRegistry.start(0, "svc", "pw-1")) {
            SchemaRegistryClient none = SchemaRegistryClient.create(guarded.url());
            SchemaRegistryClient wrong =
                    SchemaRegistryClient.create(guarded.url().replace("http://", "http://svc:nope@"));
            SchemaRegistryClient right =
                    SchemaRegistryClient.create(guarded.url().replace("http://", "http://svc:pw-1@"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> none.checkAccess(java.time.Duration.ofSeconds(10)))
                    .hasMessage("Schema registry: authentication failed at " + guarded.url() + "/ (HTTP 401, no "
                            + "credentials given; check schema-registry.username and schema-registry.password-file, "
                            + "or the user info in schema-registry.url)");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> wrong.checkAccess(java.time.Duration.ofSeconds(10)))
                    .hasMessageStartingWith("Schema registry: authentication failed")
                    .hasMessageNotContaining("nope");
            org.assertj.core.api.Assertions.assertThatThrownBy(wrong::subjects)
                    .hasMessageContaining("HTTP 401")
                    .hasMessageNotContaining("nope");
            right.checkAccess(java.time.Duration.ofSeconds(10));
            assertThat(right.subjects()).isEmpty();
            assertThat(guarded.refused()).isEqualTo(3);
        }
        // Nobody listening: not an authentication failure, so start-up goes on.
        SchemaRegistryClient.create("http://127.0.0.1:" + FreePorts.find())
                .checkAccess(java.time.Duration.ofSeconds(2));
    }
}
