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
}
