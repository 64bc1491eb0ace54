package io.harborai.worker.cache;

import static io.harborai.worker.cache.CacheKeyCases.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.harborai.worker.avro.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The {@link CacheKey} format: the SHA-256 hex of the canonical JSON, deterministic on every thread,
 * and the version-one canonical form pinned. See {@link CacheKeyCases} for the seeds.
 */
class CacheKeyFormatTest {
    // ---- key format ----

    @Test
    void shouldBeTheSha256HexOfTheCanonicalJsonAndDeterministic() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        forAll(seed -> {
            ChatRequest q = new RandomChatRequests(new Random(seed), new Random(seed)).request();
            String key = CacheKey.of(q, true);
            String canonical = CacheKey.canonicalJson(q, true);
            assertThat(key)
                    .as("seed %d", seed)
                    .matches("[0-9a-f]{64}")
                    .isEqualTo(CacheKey.of(q, true))
                    .isEqualTo(CacheKey.of(ChatRequest.newBuilder(q).build(), true))
                    .isEqualTo(HexFormat.of().formatHex(sha.digest(canonical.getBytes(StandardCharsets.UTF_8))));
            assertThat(canonical).as("seed %d: ASCII", seed).matches("\\p{ASCII}*");
            assertThatCode(() -> JSON.readTree(canonical))
                    .as("seed %d: valid JSON", seed)
                    .doesNotThrowAnyException();
        });
    }

    @Test
    void shouldGiveTheSameKeysOnEveryThread() throws Exception {
        List<ChatRequest> requests = new ArrayList<>();
        Random r = new Random(BASE_SEED);
        for (int i = 0; i < RUNS; i++) {
            requests.add(new RandomChatRequests(r, r).request());
        }
        List<String> expected = requests.stream().map(q -> CacheKey.of(q, true)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(
                        () -> requests.stream().map(q -> CacheKey.of(q, true)).toList()));
            }
            for (Future<List<String>> run : runs) {
                assertThat(run.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldKeepTheVersionOneCanonicalFormStable() {
        // Changing this form changes every key: bump "v" in CacheKey when you have to change it.
        ChatRequest q = withParams(
                simple(),
                p -> p.setTemperature(0.70)
                        .setStop(List.of())
                        .setToolsJson("[ {\"type\":\"function\", \"function\":{\"name\":\"f\"}} ]")
                        .setUser("u1"));
        assertThat(CacheKey.canonicalJson(with(q, b -> b.setTenant("t\u00e9")), true))
                .isEqualTo(
                        "{\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}],\"model\":\"m\",\"params\":{\"temperature\":0.7,"
                                + "\"tools_json\":[{\"function\":{\"name\":\"f\"},\"type\":\"function\"}]},\"tenant\":\"t\\u00E9\",\"v\":1}");
        assertThat(CacheKey.of(q, false)).isEqualTo(PINNED_KEY);
    }

    /** sha256 of the form above without tenant, computed outside Java (printf ... | sha256sum). */
    private static final String PINNED_KEY = "5d555e244e13ab37550ff0b9941f48edc760b309fdb0ace0a8c9bbe37bc42582";
}
