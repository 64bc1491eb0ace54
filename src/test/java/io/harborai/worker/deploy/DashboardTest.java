package io.harborai.worker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harborai.worker.metrics.MetricsCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code deploy/grafana/dashboards/harbor-worker.json} in step with {@link MetricsCatalog}:
 * every metric a panel queries is the Prometheus name of a catalogued meter or of a bound family
 * (jvm_*, kafka_*, okhttp_*, process_*, system_*), and every catalogued meter is on some panel.
 * Prometheus names: dots become underscores, counters end in {@code _total}, timers have {@code
 * _seconds_bucket|_count|_sum|_max}, gauges keep their name.
 */
class DashboardTest {
    private static final Path DASHBOARD = Path.of("deploy/grafana/dashboards/harbor-worker.json");
    private static final Path DATASOURCES = Path.of("deploy/grafana/provisioning/datasources/prometheus.yml");
    private static final List<String> BOUND_FAMILIES = List.of("jvm_", "kafka_", "okhttp_", "process_", "system_");
    /** PromQL words that are neither functions (followed by a parenthesis) nor metrics. */
    private static final Set<String> KEYWORDS = Set.of(
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "inf",
            "nan");

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(?!\\s*\\()");

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void shouldQueryOnlyCataloguedMetersAndBoundFamilies() throws IOException {
        Set<String> known = new HashSet<>();
        MetricsCatalog.ALL.forEach(m -> known.addAll(prometheusNames(m)));

        List<String> unknown = new ArrayList<>();
        for (String expr : expressions()) {
            for (String metric : metricNames(expr)) {
                if (!known.contains(metric) && BOUND_FAMILIES.stream().noneMatch(metric::startsWith)) {
                    unknown.add(metric + " in " + expr);
                }
            }
        }
        assertThat(unknown)
                .as("metrics that neither MetricsCatalog nor a bound family defines")
                .isEmpty();
    }

    @Test
    void shouldShowEveryCataloguedMeterOnSomePanel() throws IOException {
        Set<String> used = new HashSet<>();
        expressions().forEach(e -> used.addAll(metricNames(e)));

        List<String> missing = MetricsCatalog.ALL.stream()
                .filter(m -> prometheusNames(m).stream().noneMatch(used::contains))
                .map(MetricsCatalog.Meter::name)
                .toList();
        assertThat(missing).as("catalogued meters no panel shows").isEmpty();
    }

    @Test
    void shouldUseTheProvisionedDatasourceAndUniquePanelIds() throws IOException {
        JsonNode ds = new ObjectMapper(new YAMLFactory())
                .readTree(DATASOURCES.toFile())
                .at("/datasources/0");
        assertThat(ds.get("type").asText()).isEqualTo("prometheus");
        String uid = ds.get("uid").asText();

        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels()) {
            assertThat(ids.add(panel.get("id").asInt()))
                    .as("panel id %s unique", panel.get("id"))
                    .isTrue();
            if (!panel.get("type").asText().equals("row")) {
                assertThat(panel.at("/datasource/uid").asText())
                        .as(panel.get("title").asText())
                        .isEqualTo(uid);
                assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            }
        }
    }

    @Test
    void shouldFindTheMetricNamesOfAnExpression() {
        assertThat(metricNames("sum by (le, provider) (rate(harbor_provider_calls_seconds_bucket"
                        + "{instance=~\"$instance\",outcome!=\"ok\"}[$__rate_interval])) / scalar(sum(harbor_requests_total))"
                        + " * 3600 > bool 0"))
                .containsExactlyInAnyOrder("harbor_provider_calls_seconds_bucket", "harbor_requests_total");
    }

    /** The names under which Micrometer's Prometheus registry exposes {@code meter}. */
    static Set<String> prometheusNames(MetricsCatalog.Meter meter) {
        String base = meter.name().replace('.', '_');
        return switch (meter.type()) {
            case COUNTER -> Set.of(base + "_total");
            case GAUGE -> Set.of(base);
            case TIMER ->
                Set.of(base + "_seconds_bucket", base + "_seconds_count", base + "_seconds_sum", base + "_seconds_max");
        };
    }

    /** The metric names an expression selects: identifiers outside strings, matchers, ranges and groupings. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String word = m.group();
            boolean partOfLonger = m.end() < bare.length() && Character.isLetterOrDigit(bare.charAt(m.end()));
            if (!KEYWORDS.contains(word.toLowerCase()) && !partOfLonger) {
                names.add(word);
            }
        }
        return names;
    }

    private List<String> expressions() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : panels()) {
            panel.path("targets").forEach(t -> out.add(t.get("expr").asText()));
        }
        assertThat(out).as("panel expressions").isNotEmpty();
        return out;
    }

    private List<JsonNode> panels() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : json.readTree(DASHBOARD.toFile()).get("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add); // panels of a collapsed row
        }
        return out;
    }
}
