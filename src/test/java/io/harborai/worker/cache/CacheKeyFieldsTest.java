package io.harborai.worker.cache;

import static io.harborai.worker.cache.CacheKeyCases.*;
import static io.harborai.worker.cache.CacheKeyMutations.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * What changes a {@link CacheKey}: every answer-changing field does, every excluded field does not,
 * every schema field is one or the other, and the tenant separates keys only with tenant isolation.
 * See {@link CacheKeyCases} for the seeds and {@link CacheKeyMutations} for the changes.
 */
class CacheKeyFieldsTest {
    // ---- every answer-changing field changes the key ----

    @Test
    void shouldChangeTheKeyWhenAnyAnswerChangingFieldChanges() {
        for (Mutation m : answerChanging()) {
            forAll(seed -> {
                boolean isolation = (seed & 1) == 0; // both modes, half the cost
                Random r = new Random(seed);
                Pair p = m.apply().apply(new RandomChatRequests(r, r).request(), r);
                Supplier<String> why = () ->
                        "%s, seed %d: %s".formatted(m.field(), seed, CacheKey.canonicalJson(p.after(), isolation));
                assertThat(p.after())
                        .as(() -> "mutation did nothing: " + why.get())
                        .isNotEqualTo(p.before());
                assertThat(CacheKey.of(p.after(), isolation)).as(why).isNotEqualTo(CacheKey.of(p.before(), isolation));
            });
        }
    }

    @Test
    void shouldClassifyEverySchemaFieldAsAnswerChangingOrNot() {
        List<String> named = new ArrayList<>();
        answerChanging().forEach(m -> named.add(m.field()));
        notAnswerChanging().forEach(m -> named.add(m.field()));
        named.add("tenant"); // its own tests below
        named.addAll(List.of("params", "cache")); // containers: their fields are listed one by one
        assertThat(named).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(named)).isEqualTo(schemaPaths(ChatRequest.getClassSchema(), ""));
    }

    // ---- excluded fields never change the key ----

    @Test
    void shouldKeepTheKeyWhenOnlyExcludedFieldsChange() {
        for (Mutation m : notAnswerChanging()) {
            forAll(seed -> {
                Random r = new Random(seed);
                Pair p = m.apply().apply(new RandomChatRequests(r, r).request(), r);
                String why = "%s, seed %d".formatted(m.field(), seed);
                assertThat(p.after()).as("mutation did nothing: " + why).isNotEqualTo(p.before());
                for (boolean isolation : new boolean[] {false, true}) {
                    assertThat(CacheKey.of(p.after(), isolation)).as(why).isEqualTo(CacheKey.of(p.before(), isolation));
                }
            });
        }
    }

    // ---- tenant isolation ----

    @Test
    void shouldSeparateTenantsOnlyWithTenantIsolation() {
        forAll(seed -> {
            Random r = new Random(seed);
            ChatRequest q = new RandomChatRequests(r, r).request();
            String t = word(r);
            ChatRequest a = with(q, x -> x.setTenant(t));
            ChatRequest b = with(q, x -> x.setTenant(t + "b"));
            ChatRequest none = with(q, x -> x.setTenant(null));
            ChatRequest empty = with(q, x -> x.setTenant(""));
            String why = "seed " + seed;
            assertThat(CacheKey.of(a, true))
                    .as(why)
                    .isNotEqualTo(CacheKey.of(b, true))
                    .isNotEqualTo(CacheKey.of(none, true));
            assertThat(CacheKey.of(none, true))
                    .as(why + ": null tenant is \"\"")
                    .isEqualTo(CacheKey.of(empty, true));
            assertThat(List.of(CacheKey.of(b, false), CacheKey.of(none, false)))
                    .as(why)
                    .containsOnly(CacheKey.of(a, false));
            assertThat(CacheKey.of(none, true))
                    .as(why + ": isolated keys never meet shared ones")
                    .isNotEqualTo(CacheKey.of(none, false));
        });
    }

    /** "messages", "messages[].role", "params.response_format.type", ...: every field, nested ones too. */
    private static Set<String> schemaPaths(Schema record, String prefix) {
        Set<String> paths = new TreeSet<>();
        for (Schema.Field f : record.getFields()) {
            String path = prefix + f.name();
            paths.add(path);
            Schema type = f.schema();
            if (type.isUnion()) {
                type = type.getTypes().stream()
                        .filter(s -> s.getType() != Schema.Type.NULL)
                        .findFirst()
                        .orElseThrow();
            }
            if (type.getType() == Schema.Type.ARRAY && type.getElementType().getType() == Schema.Type.RECORD) {
                paths.addAll(schemaPaths(type.getElementType(), path + "[]."));
            } else if (type.getType() == Schema.Type.RECORD) {
                paths.addAll(schemaPaths(type, path + "."));
            }
        }
        return paths;
    }
}
