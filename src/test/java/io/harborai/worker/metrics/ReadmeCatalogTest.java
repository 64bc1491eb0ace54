package io.harborai.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's metrics table cannot drift from the catalog: every meter is documented there. */
class ReadmeCatalogTest {
    @Test
    void shouldDocumentEveryCataloguedMeterInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(MetricsCatalog.ALL)
                .allSatisfy(m -> assertThat(readme)
                        .as("README row of %s", m.name())
                        .contains(
                                "| `" + m.name() + "` | " + m.type().name().toLowerCase(java.util.Locale.ROOT) + " |"));
    }
}
