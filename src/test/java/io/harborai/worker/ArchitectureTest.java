package io.harborai.worker;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The package graph of the main code: no cycle between any two packages, and no import from a
 * lower layer to a higher one. {@link #LAYERS} is the README's Layout section in code: a package
 * may use packages of its own layer's rank or lower only, never one above it. A new package must
 * be placed here, which is the moment to decide where it belongs.
 */
class ArchitectureTest {
    private static final String ROOT = "io.harborai.worker";

    /** Low to high. Packages on one row must not use each other (the cycle rule still applies). */
    private static final List<Set<String>> LAYERS = List.of(
            Set.of("avro"),
            Set.of("http", "console", "metrics"),
            Set.of("redis", "schema", "startup", "structured", "provider.stream", "provider.capability"),
            Set.of("client"),
            Set.of("provider"),
            Set.of("cost", "cache"),
            Set.of("dispatch.ratelimit"),
            Set.of("dispatch"),
            Set.of("topology", "metrics.topic", "metrics.alert", "metrics.endpoint"),
            Set.of("metrics.snapshot"),
            Set.of("batch", "simulator"),
            Set.of("embedded"),
            Set.of("config"),
            Set.of(""),
            Set.of("bench", "top", "gateway"),
            Set.of("cli"));

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void shouldHaveNoCycleBetweenPackages() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void shouldImportOnlyFromTheSameOrALowerLayer() {
        Set<String> upward = new TreeSet<>();
        for (JavaClass c : MAIN) {
            int from = rank(c.getPackageName());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getPackageName();
                if (target.startsWith(ROOT) && rank(target) > from) {
                    upward.add(relative(c.getPackageName()) + " -> " + relative(target) + " (" + c.getSimpleName()
                            + " uses " + d.getTargetClass().getSimpleName() + ")");
                }
            }
        }
        assertThat(upward).as("imports from a lower layer to a higher one").isEmpty();
    }

    @Test
    void shouldPlaceEveryPackageInALayer() {
        Set<String> unplaced = new TreeSet<>();
        MAIN.forEach(c -> {
            if (rankOrMinus(c.getPackageName()) < 0) {
                unplaced.add(relative(c.getPackageName()));
            }
        });
        assertThat(unplaced).as("packages missing from ArchitectureTest.LAYERS").isEmpty();
    }

    /**
     * The client library is for other applications: it may use the generated Avro classes and the
     * serde, Kafka, Avro, SLF4J and the JDK, nothing else of the worker and no other library.
     */
    @Test
    void shouldKeepTheClientLibraryToKafkaAvroAndTheSerde() {
        Set<String> allowed = Set.of(ROOT + ".client", ROOT + ".avro", ROOT + ".schema");
        Set<String> outside = new TreeSet<>();
        for (JavaClass c : MAIN) {
            if (!c.getPackageName().equals(ROOT + ".client")) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getPackageName();
                boolean ok = allowed.contains(target)
                        || target.startsWith("java.")
                        || target.startsWith("org.apache.kafka.clients")
                        || target.startsWith("org.apache.kafka.common")
                        || target.startsWith("org.apache.avro")
                        || target.startsWith("org.slf4j")
                        || target.isEmpty();
                if (!ok) {
                    outside.add(
                            c.getSimpleName() + " uses " + d.getTargetClass().getName());
                }
            }
        }
        assertThat(outside).as("client library dependencies").isEmpty();
    }

    private static int rank(String pkg) {
        int r = rankOrMinus(pkg);
        if (r < 0) {
            throw new AssertionError("package " + pkg + " is missing from ArchitectureTest.LAYERS");
        }
        return r;
    }

    private static int rankOrMinus(String pkg) {
        String rel = relative(pkg);
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(rel)) {
                return i;
            }
        }
        return -1;
    }

    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
    }
}
