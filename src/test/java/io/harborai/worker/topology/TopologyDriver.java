package io.harborai.worker.topology;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.cache.L1Cache;
import io.harborai.worker.cache.TwoTierCache;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.dispatch.ProviderCaller;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The worker topology ({@link TopologyFactory#build}) in a {@link TopologyTestDriver}: one provider
 * {@code test} serving every model through {@code caller}, an L1-only cache (TTL 1 h), linger 0,
 * {@code worker.request-max-bytes} 4096; topics {@code res}, {@code dlq}, {@code progress}, {@code control} (batch-control) and the
 * given request topics, the first of which is {@link #requests}.
 */
final class TopologyDriver {
    final TopologyTestDriver driver;
    final DispatchRuntime runtime;
    final AvroSerde<ChatRequest> requestSerde;
    final AvroSerde<BatchProgress> progressSerde;
    final AvroSerde<BatchControl> controlSerde;
    final TestInputTopic<byte[], byte[]> requests;
    final TestOutputTopic<String, ChatResult> results;
    final TestOutputTopic<byte[], byte[]> dlq;
    /** The batch-control topic ({@code control}), keyed by batch id, read as a global table. */
    final TestInputTopic<String, BatchControl> controls;

    TopologyDriver(
            SchemaRegistryClient client,
            String applicationId,
            List<String> requestTopics,
            long idRetentionMs,
            Clock clock,
            ProviderCaller caller,
            MeterRegistry meters) {
        requestSerde = new AvroSerde<>(client, ChatRequest.class, true);
        AvroSerde<ChatResult> resultSerde = new AvroSerde<>(client, ChatResult.class, true);
        progressSerde = new AvroSerde<>(client, BatchProgress.class, true);
        controlSerde = new AvroSerde<>(client, BatchControl.class, true);
        runtime = new DispatchRuntime(
                EngineFixtures.router("test=*"),
                EngineFixtures.settings(Map.of("dispatch.linger-ms", 0)),
                caller,
                RateLimiter.unlimited(),
                clock,
                () -> 0.5,
                meters);
        var topology = TopologyFactory.build(
                new TopologyFactory.Settings(
                        requestTopics, "res", "dlq", "progress", 4096, idRetentionMs, "replies", "control"),
                requestSerde.deserializer(),
                resultSerde,
                progressSerde,
                controlSerde,
                runtime,
                new CacheRuntime(
                        true,
                        true,
                        Duration.ofHours(1),
                        new TwoTierCache(
                                new L1Cache(1 << 20, clock::millis), null, clock::millis, new SimpleMeterRegistry())));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props);
        requests = driver.createInputTopic(
                requestTopics.get(0),
                Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer());
        results = driver.createOutputTopic("res", Serdes.String().deserializer(), resultSerde.deserializer());
        dlq = driver.createOutputTopic(
                "dlq", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
        controls = driver.createInputTopic("control", Serdes.String().serializer(), controlSerde.serializer());
    }
}
