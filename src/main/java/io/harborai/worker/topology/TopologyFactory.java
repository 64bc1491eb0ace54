package io.harborai.worker.topology;

import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.PendingCodec;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the worker topology as a pure function of its settings and collaborators; {@code main}
 * and the tests call the same builder.
 *
 * <pre>
 *   requests, requests-batch (bytes)
 *     -> decode+validate -+-> dlq (original bytes + reason headers)
 *                         |
 *                         +-> [repartition by cache key] -> dispatch -> results (ChatResult)
 *                                                               |           |
 *                                                   [pending] store         +-> count per batch -> batch-progress
 *                                                                                [batch-counts] store
 * </pre>
 *
 * <p>The repartition (an internal topic, {@code <application.id>-by-cache-key-repartition}, purged
 * as it is consumed) sends every request with one cache key to one task, wherever it was produced,
 * so identical requests meet in one place: single-flight across worker instances without a lock.
 * With {@code cache.enabled=false} the hop is left out and requests stay on their input partition.
 *
 * <p>The {@code pending} store is cached: a request answered within one commit interval costs no
 * changelog write at all (its put and delete meet in the cache). The dispatch step's second store,
 * {@code parked}, holds on disk what arrives while the in-flight cap stays full.
 */
public final class TopologyFactory {
    static final String SOURCE = "requests-source";
    static final String DECODE = "decode";
    static final String ROUTE = "route-";
    static final String BY_CACHE_KEY = "by-cache-key";
    static final String DISPATCH = "dispatch";
    static final String RESULTS_SINK = "results-sink";
    static final String DLQ_SINK = "dlq-sink";
    static final String BATCH_PROGRESS = "batch-progress";
    static final String BATCH_PROGRESS_SINK = "batch-progress-sink";
    /** Requests taken but not yet answered; key = request id, value = {@code PendingCodec} bytes. */
    public static final String PENDING_STORE = "pending";
    /**
     * Requests parked while the in-flight cap stayed full ({@link ParkedRequests}); key = arrival
     * sequence (8-byte big-endian long), value = {@code PendingCodec} bytes.
     */
    public static final String PARKED_STORE = "parked";
    /** Results written per batch by this task; key = batch id, value = two longs (succeeded, failed). */
    public static final String BATCH_COUNTS_STORE = "batch-counts";

    private static final Serde<PendingRequest> PENDING_SERDE = Serdes.serdeFrom(
        (topic, p) -> p == null ? null : PendingCodec.encode(p),
        (topic, bytes) -> bytes == null ? null : PendingCodec.decode(bytes));

    private TopologyFactory() {}

    /** Topic names and limits the topology needs. */
    public record Settings(List<String> requestTopics, String resultsTopic, String dlqTopic, String batchProgressTopic,
                           int requestMaxBytes) {
        public Settings {
            requestTopics = List.copyOf(requestTopics);
        }
    }

    public static Topology build(Settings settings, Deserializer<ChatRequest> requestDeserializer,
                                 Serde<ChatResult> resultSerde, Serde<BatchProgress> progressSerde,
                                 DispatchRuntime dispatch, CacheRuntime cache) {
        RequestValidator validator = new RequestValidator();
        TopologyMeters meters = new TopologyMeters(dispatch.meters(), dispatch.traffic());
        StreamsBuilder builder = new StreamsBuilder();
        // In memory, changelogged: the pending set is bounded by dispatch.max-in-flight(-bytes), so it
        // fits in the heap and restores quickly from its compacted changelog.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE),
            Serdes.String(), Serdes.ByteArray()).withCachingEnabled());
        // On disk (RocksDB), changelogged: it takes what the in-flight cap keeps out of the heap, up
        // to the backlog of a long provider outage.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PARKED_STORE),
            Serdes.Long(), Serdes.ByteArray()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BATCH_COUNTS_STORE),
            Serdes.String(), Serdes.ByteArray()).withCachingEnabled());

        KStream<Object, Object> decoded = builder
            .stream(settings.requestTopics(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SOURCE))
            .process(() -> new DecodeProcessor(requestDeserializer, validator, settings.requestMaxBytes(), cache,
                dispatch.clock(), meters), Named.as(DECODE));
        Map<String, KStream<Object, Object>> routes = decoded.split(Named.as(ROUTE))
            .branch((k, v) -> v instanceof PendingRequest, Branched.as("valid"))
            .defaultBranch(Branched.as("invalid"));

        KStream<byte[], byte[]> invalid = cast(routes.get(ROUTE + "invalid"));
        invalid.to(settings.dlqTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(DLQ_SINK));

        KStream<String, PendingRequest> valid = cast(routes.get(ROUTE + "valid"));
        if (cache.enabled()) {
            valid = valid.repartition(Repartitioned.with(Serdes.String(), PENDING_SERDE).withName(BY_CACHE_KEY));
        }
        KStream<String, ChatResult> results =
            valid.process(() -> new AsyncDispatchProcessor(dispatch, cache, meters), Named.as(DISPATCH), PENDING_STORE,
                PARKED_STORE);
        results.to(settings.resultsTopic(), Produced.with(Serdes.String(), resultSerde).withName(RESULTS_SINK));
        results.process(() -> new BatchProgressProcessor(dispatch.clock()), Named.as(BATCH_PROGRESS), BATCH_COUNTS_STORE)
            .to(settings.batchProgressTopic(), Produced.with(Serdes.String(), progressSerde).withName(BATCH_PROGRESS_SINK));
        return builder.build();
    }

    /** The decode step forwards two shapes; each branch holds one of them. */
    @SuppressWarnings("unchecked")
    private static <K, V> KStream<K, V> cast(KStream<Object, Object> stream) {
        return (KStream<K, V>) (KStream<?, ?>) stream;
    }
}
