package io.harborai.worker.metrics.snapshot;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.metrics.alert.AlertEvaluator;
import io.harborai.worker.metrics.alert.AlertSettings;
import io.harborai.worker.metrics.alert.WebhookSink;
import io.harborai.worker.metrics.topic.MetricsTopic;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code metrics.interval-ms}: takes a {@link SnapshotCollector#snapshot()}, writes it to
 * {@code topics.metrics} (key the instance id, header {@code harbor.event=metric}), runs the
 * {@link AlertEvaluator} over it (when {@code alerts.enabled}) and writes each state change to
 * {@code topics.alerts}, or the metrics topic when that is unset (key {@code <rule>|<instance>},
 * header {@code harbor.event=alert}), and hands it to the {@link WebhookSink} (when {@code
 * alerts.webhook-url} is set). Values use the {@link MetricsTopic} serdes (TopicRecordNameStrategy
 * subjects, registered on first use).
 *
 * <p>Contract: the worker never sees an exception from here. Serialization and producer failures
 * are logged and counted ({@link #producerErrors()}); a window whose record could not be written is
 * lost to the topic (its counts are not carried into the next window), {@link #last()} still has it. The producer
 * is idempotent with {@code acks=all} and a short linger; {@code max.block.ms} is 5 s so a missing
 * broker stalls only this reporter's thread. Topics are not created here. {@link #close()} stops
 * the schedule, takes a final snapshot (so the counts of all windows add up to everything counted
 * while it ran), evaluates it, then flushes and closes the producer.
 *
 * <p>Threading: the collector and evaluator are confined to the single scheduler thread, and to the
 * closing thread after the scheduler has terminated. {@link #last()}, {@link #firing()} and the
 * counters are safe from any thread (volatile/atomic). The webhook POSTs run on OkHttp's threads.
 */
public final class MetricsReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsReporter.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final SnapshotCollector collector;
    private final AlertEvaluator evaluator;
    private final WebhookSink webhook;
    private final Producer<String, byte[]> producer;
    private final Serializer<MetricEvent> metricSerializer;
    private final Serializer<Alert> alertSerializer;
    private final String metricsTopic;
    private final String alertsTopic;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong producerErrors = new AtomicLong();
    private final AtomicLong alertsEmitted = new AtomicLong();
    private volatile MetricEvent last;
    private volatile Set<String> firing = Set.of();

    /**
     * Starts reporting for one worker instance.
     *
     * @param registry the registry holding the harbor meters (and, when bound, the Kafka Streams
     *     client metrics for the consumer lag)
     * @param instanceId this worker's id: the MetricEvent key and the alerts' {@code instance}
     * @param http the shared client, for the webhook
     * @param kafkaProducerProps common Kafka client properties, at least {@code bootstrap.servers}
     *     (e.g. {@code config.kafka()}); idempotence, acks, linger, max.block.ms and the serializers
     *     are set here
     * @throws IllegalArgumentException if {@code alerts.webhook-url} is set but not an http(s) URL
     * @throws org.apache.kafka.common.KafkaException if the producer properties are invalid
     */
    public static MetricsReporter start(
            ReporterSettings settings,
            MeterRegistry registry,
            String instanceId,
            SchemaRegistryClient registryClient,
            OkHttpClient http,
            Map<String, Object> kafkaProducerProps) {
        Clock clock = Clock.systemUTC();
        SnapshotCollector collector = new SnapshotCollector(registry, instanceId, settings.mode(), clock);
        AlertSettings alerts = settings.alerts();
        AlertEvaluator evaluator = alerts.enabled() ? AlertEvaluator.from(alerts, clock) : null;
        WebhookSink webhook = alerts.hasWebhook()
                ? new WebhookSink(http, alerts.webhookUrl(), WebhookSink.DEFAULT_MAX_PENDING)
                : null;
        Map<String, Object> props = new HashMap<>(kafkaProducerProps);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "harbor-metrics-" + instanceId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        Producer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        MetricsReporter reporter = new MetricsReporter(
                collector,
                evaluator,
                webhook,
                producer,
                MetricsTopic.metricSerde(registryClient, true).serializer(),
                MetricsTopic.alertSerde(registryClient, true).serializer(),
                settings.metricsTopic(),
                settings.alertsTopic());
        reporter.schedule(settings.interval());
        return reporter;
    }

    /** Wiring for tests; nothing runs until {@link #schedule} (or {@link #tick} is called directly). */
    MetricsReporter(
            SnapshotCollector collector,
            AlertEvaluator evaluatorOrNull,
            WebhookSink webhookOrNull,
            Producer<String, byte[]> producer,
            Serializer<MetricEvent> metricSerializer,
            Serializer<Alert> alertSerializer,
            String metricsTopic,
            String alertsTopic) {
        this.collector = Objects.requireNonNull(collector, "collector");
        this.evaluator = evaluatorOrNull;
        this.webhook = webhookOrNull;
        this.producer = Objects.requireNonNull(producer, "producer");
        this.metricSerializer = Objects.requireNonNull(metricSerializer, "metricSerializer");
        this.alertSerializer = Objects.requireNonNull(alertSerializer, "alertSerializer");
        this.metricsTopic = Objects.requireNonNull(metricsTopic, "metricsTopic");
        this.alertsTopic = Objects.requireNonNull(alertsTopic, "alertsTopic");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "harbor-metrics-reporter");
            t.setDaemon(true);
            return t;
        });
    }

    void schedule(Duration interval) {
        long ms = interval.toMillis();
        scheduler.scheduleAtFixedRate(this::tickSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The latest snapshot, or null before the first interval has passed. */
    public MetricEvent last() {
        return last;
    }

    /** The alert rules firing as of the latest snapshot, sorted; empty when alerts are disabled. */
    public Set<String> firing() {
        return firing;
    }

    /** Records that could not be serialized or written. */
    public long producerErrors() {
        return producerErrors.get();
    }

    /** Alert events (FIRING and RESOLVED) emitted so far. */
    public long alertsEmitted() {
        return alertsEmitted.get();
    }

    /** The webhook sink, or null when none is configured (for its counters). */
    public WebhookSink webhook() {
        return webhook;
    }

    /**
     * Stops the schedule, reports a final window and closes the producer. Idempotent; never throws
     * for Kafka trouble. Waits up to 10 s for a running tick and up to 5 s for the producer.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdown();
        boolean stopped;
        try {
            stopped = scheduler.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        if (stopped) {
            tickSafely();
        } else {
            scheduler.shutdownNow();
            log.warn("Metrics reporter tick still running after {}; closing without a final snapshot", CLOSE_WAIT);
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.warn("Closing the metrics producer failed: {}", e.toString());
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("Metrics snapshot failed; skipping this interval", e);
        }
    }

    /** One interval: snapshot, write it, evaluate, write and post the alerts. */
    void tick() {
        MetricEvent event = collector.snapshot();
        last = event;
        send(
                metricsTopic,
                event.getInstance(),
                MetricsTopic.METRIC,
                () -> metricSerializer.serialize(metricsTopic, event));
        if (evaluator == null) {
            return;
        }
        List<Alert> alerts = evaluator.evaluate(event);
        firing = Set.copyOf(evaluator.firing());
        for (Alert alert : alerts) {
            alertsEmitted.incrementAndGet();
            log.info("Alert {}", alert.getMessage());
            send(
                    alertsTopic,
                    MetricsTopic.alertKey(alert),
                    MetricsTopic.ALERT,
                    () -> alertSerializer.serialize(alertsTopic, alert));
            if (webhook != null) {
                webhook.submit(alert);
            }
        }
    }

    private void send(String topic, String key, String type, Supplier<byte[]> value) {
        try {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value.get());
            MetricsTopic.mark(record.headers(), type);
            producer.send(record, (meta, e) -> {
                if (e != null) {
                    producerError(topic, type, e);
                }
            });
        } catch (RuntimeException e) {
            producerError(topic, type, e);
        }
    }

    private void producerError(String topic, String type, Exception e) {
        long n = producerErrors.incrementAndGet();
        if (n == 1 || n % 100 == 0) {
            log.warn("Could not write a {} record to {} ({} errors so far): {}", type, topic, n, e.toString());
        }
    }
}
