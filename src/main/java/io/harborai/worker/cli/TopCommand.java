package io.harborai.worker.cli;

import io.harborai.worker.batch.BatchSettings;
import io.harborai.worker.batch.ClientDefaults;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.metrics.topic.MetricsTopic;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.top.MetricsFeed;
import io.harborai.worker.top.Screen;
import io.harborai.worker.top.TopRenderer;
import io.harborai.worker.top.TopView;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code harbor top}: a live view of a running cluster from {@code topics.metrics} (and {@code
 * topics.alerts}): the latest MetricEvent per instance, figures aggregated over the instances, a
 * row per provider and model and the alerts currently firing. A client only: it reads with a
 * group-less consumer, commits nothing and creates no topic.
 *
 * <p>Live, it redraws every {@code --interval-ms} until Ctrl-C (in place on a terminal, as
 * successive frames otherwise). {@code --once} reads up to the end offsets as of its start, prints
 * one frame to stdout and exits 0, or 3 when no MetricEvent was found.
 */
@Command(
        name = "top",
        mixinStandardHelpOptions = true,
        description = {
            "Live view of the worker instances from the metrics topic: throughput, latency, errors, "
                    + "cache, memory, lag, providers and firing alerts.",
            "Exit codes: 0 ok, 1 error, 2 usage or no cluster configured, 3 no MetricEvent found (--once)."
        })
final class TopCommand implements Callable<Integer> {
    private static final Duration ONCE_TIMEOUT = Duration.ofSeconds(60);

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--interval-ms",
            defaultValue = "1000",
            paramLabel = "MS",
            description = "Redraw period (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(
            names = "--since-s",
            defaultValue = "120",
            paramLabel = "SECONDS",
            description = "Start from the records of the last SECONDS (default: ${DEFAULT-VALUE}).")
    long sinceS;

    @Option(names = "--once", description = "Read what is there, print one snapshot and exit.")
    boolean once;

    @Option(names = "--no-color", description = "No colours (also when NO_COLOR is set).")
    boolean noColor;

    @Option(
            names = "--width",
            paramLabel = "COLUMNS",
            description = "Terminal width (default: $COLUMNS, else 120); longer lines are cut.")
    Integer width;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (intervalMs < 100 || sinceS < 0) {
            err.println("harbor top: --interval-ms must be >= 100 and --since-s >= 0");
            return 2;
        }
        HarborConfig cfg = config.loadCluster("top", err::println);
        if (cfg == null) {
            return 2;
        }
        BatchSettings cluster = StageSettings.batch(cfg);
        String topic = cluster.topics().metrics();
        String alertsTopic = cluster.topics().alerts();
        boolean tty = System.console() != null && !once;
        boolean color = tty && !noColor && System.getenv("NO_COLOR") == null;
        TopRenderer renderer = new TopRenderer(
                alertsTopic == null || alertsTopic.equals(topic) ? topic : topic + " + " + alertsTopic, color);
        TopView view = new TopView(StageSettings.reporter(cfg).interval().toMillis());
        try (MetricsFeed feed = feed(cluster, topic, alertsTopic)) {
            List<String> missing = feed.start(System.currentTimeMillis() - sinceS * 1000);
            if (missing.contains(topic)) {
                err.println("harbor top: topic " + topic + " does not exist: has a worker run against this cluster?");
                return once ? 3 : 1;
            }
            return once
                    ? once(feed, view, renderer, topic, err)
                    : live(feed, view, renderer, new Screen(spec.commandLine().getOut(), tty));
        }
    }

    private int once(MetricsFeed feed, TopView view, TopRenderer renderer, String topic, PrintWriter err) {
        long deadline = System.nanoTime() + ONCE_TIMEOUT.toNanos();
        while (!feed.caughtUp()) {
            if (System.nanoTime() > deadline) {
                err.println("harbor top: not caught up with " + topic + " after " + ONCE_TIMEOUT.toSeconds()
                        + " s; showing what was read");
                break;
            }
            feed.poll(Duration.ofMillis(200), view);
        }
        if (view.instanceCount() == 0) {
            err.println("harbor top: no MetricEvent on " + topic + " in the last " + sinceS + " s "
                    + "(is a worker running? it writes one every metrics.interval-ms)");
            return 3;
        }
        new Screen(spec.commandLine().getOut(), false)
                .draw(renderer.render(view.snapshot(System.currentTimeMillis()), width()));
        warnSkipped(feed, err);
        return 0;
    }

    private int live(MetricsFeed feed, TopView view, TopRenderer renderer, Screen screen) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    feed.wakeup();
                    try {
                        done.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "harbor-top-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (true) {
                long next = System.currentTimeMillis() + intervalMs;
                long left;
                while ((left = next - System.currentTimeMillis()) > 0) {
                    feed.poll(Duration.ofMillis(left), view);
                }
                screen.draw(renderer.render(view.snapshot(System.currentTimeMillis()), width()));
            }
        } catch (WakeupException stopping) {
            return 0;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: nothing to remove
            }
        }
    }

    private void warnSkipped(MetricsFeed feed, PrintWriter err) {
        if (feed.skipped() > 0) {
            err.println("harbor top: skipped " + feed.skipped() + " records that were not a MetricEvent or Alert");
        }
    }

    private int width() {
        if (width != null) {
            return width;
        }
        String columns = System.getenv("COLUMNS");
        try {
            return columns == null ? 120 : Integer.parseInt(columns.trim());
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    private static MetricsFeed feed(BatchSettings cluster, String topic, String alertsTopic) {
        Map<String, Object> props = new HashMap<>(cluster.kafka());
        props.putAll(ClientDefaults.consumer());
        props.put("allow.auto.create.topics", false); // watching must not create the topics
        SchemaRegistryClient registry = SchemaRegistryClient.create(cluster.schemaRegistryUrl());
        return new MetricsFeed(
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                topic,
                alertsTopic,
                MetricsTopic.metricSerde(registry, false).deserializer(),
                MetricsTopic.alertSerde(registry, false).deserializer());
    }
}
