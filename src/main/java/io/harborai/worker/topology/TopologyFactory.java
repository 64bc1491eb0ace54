package io.harborai.worker.topology;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.PendingCodec;
import java.time.Duration;
import java.util.HashMap;
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
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Builds the worker topology as a pure function of its settings and collaborators; {@code main}
 * and the tests call the same builder.
 *
 * <pre>
 *   requests, requests-batch (bytes)
 *     -> decode+validate -+-> dlq (no readable id: original bytes + reason headers)
 *                         |
 *                         +-> key is not the id -> [repartition by id] -> decode+validate -+
 *                         |                                                                |
 *                         +-> key is the id ----------------------------------------------+-> id ledger
 *                                                                   [request-ids] store      |
 *        +---------------------------+-----------------------------------------------------+
 *        |                           |                              |
 *   seen before: dlq           invalid: FAILED result + dlq     valid: [repartition by cache key]
 *   (DUPLICATE_ID)             (results, batch-progress)            -> dispatch -> results (ChatResult)
 *                                                                        |           |
 *                                                            [pending] store         +-> count per batch
 *                                                                 |                      -> batch-progress
 *   batch-control -> [batch-control] global table ----------------+
 *                     (a cancelled or expired batch's lines: FAILED, no call)
 * </pre>
 *
 * <p>The id ledger must see every record of one id on one task. Producers key request records by
 * id (as {@code harbor submit}, {@code harbor bench} and the tests do), so the ledger sits on the
 * input partition; a record keyed otherwise (null or another key) takes one extra hop, {@code
 * <application.id>-by-request-id-repartition}, keyed by id. That topic gets the request topic's
 * partition count and the default partitioner, so both paths of one id meet in one task (with
 * several request topics in one application they must have equal partition counts, and producers
 * must use the default partitioner).
 *
 * <p>The cache-key repartition ({@code <application.id>-by-cache-key-repartition}, purged as it is
 * consumed) sends every request with one cache key to one task, wherever it was produced, so
 * identical requests meet in one place: single-flight across worker instances without a lock.
 * With {@code cache.enabled=false} the hop is left out and requests stay on their partition.
 *
 * <p>The {@code pending} store is not cached: each put and delete goes to its changelog as it happens
 * (two records per request), instead of all at once when the task commits. A cached store wrote
 * fewer records (1.2 per request at C = 256) but flushed them inside the commit, and while the
 * stream thread commits no call starts: measured with {@code bin/harbor bench}, the uncached store
 * gave 5 to 13 % more results per second at L = 0 and L = 100 ms (BENCHMARKS.md, "Per-result
 * cost", section 9). The dispatch step's second store,
 * {@code parked}, holds on disk what arrives while the in-flight cap stays full.
 */
public final class TopologyFactory {
    static final String SOURCE = "requests-source";
    static final String DECODE = "decode";
    static final String DECODE_REKEYED = "decode-rekeyed";
    static final String BY_REQUEST_ID = "by-request-id";
    static final String ID_LEDGER = "id-ledger";
    static final String ROUTE = "route-";
    /** The branch of a processor's output holding DLQ records (see {@link #byType}). */
    private static final String DEAD = "dead";

    static final String BY_CACHE_KEY = "by-cache-key";
    static final String DISPATCH = "dispatch";
    static final String RESULTS_SINK = "results-sink";
    static final String REPLY_ROUTER = "reply-router";
    static final String REPLIES_SINK = "replies-sink";
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
    /** As {@link #BATCH_COUNTS_STORE}, for the id ledger's FAILED results of invalid requests. */
    public static final String INVALID_COUNTS_STORE = "batch-counts-invalid";
    /** Request ids taken within {@code dedupe.id-retention-ms}; a window store keyed by id, on disk. */
    public static final String ID_LEDGER_STORE = "request-ids";
    /**
     * The global table of {@code topics.batch-control}, in memory on every instance; key = batch id,
     * value = its latest BatchControl (cancel, expiry), read by the dispatch step.
     */
    public static final String BATCH_CONTROL_STORE = "batch-control";

    static final String BATCH_CONTROL_SOURCE = "batch-control-source";

    private static final Serde<PendingRequest> PENDING_SERDE = Serdes.serdeFrom(
            (topic, p) -> p == null ? null : PendingCodec.encode(p),
            (topic, bytes) -> bytes == null ? null : PendingCodec.decode(bytes));

    private TopologyFactory() {}

    /**
     * Topic names and limits the topology needs.
     *
     * @param idRetentionMs how long the id ledger remembers an id ({@code dedupe.id-retention-ms})
     * @param repliesTopic the one topic request-reply clients may name ({@code topics.replies})
     * @param batchControlTopic the compacted topic of BatchControl records ({@code topics.batch-control})
     */
    public record Settings(
            List<String> requestTopics,
            String resultsTopic,
            String dlqTopic,
            String batchProgressTopic,
            int requestMaxBytes,
            long idRetentionMs,
            String repliesTopic,
            String batchControlTopic) {
        public Settings {
            requestTopics = List.copyOf(requestTopics);
        }
    }

    public static Topology build(
            Settings settings,
            Deserializer<ChatRequest> requestDeserializer,
            Serde<ChatResult> resultSerde,
            Serde<BatchProgress> progressSerde,
            Serde<BatchControl> controlSerde,
            DispatchRuntime dispatch,
            CacheRuntime cache) {
        RequestValidator validator = new RequestValidator();
        TopologyMeters meters = new TopologyMeters(dispatch.meters(), dispatch.traffic());
        StreamsBuilder builder = new StreamsBuilder();
        // In memory, changelogged: the pending set is bounded by dispatch.max-in-flight(-bytes), so it
        // fits in the heap and restores quickly from its compacted changelog. Not cached (see above).
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingDisabled());
        // On disk (RocksDB), changelogged: it takes what the in-flight cap keeps out of the heap, up
        // to the backlog of a long provider outage.
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(PARKED_STORE), Serdes.Long(), Serdes.ByteArray())
                .withCachingEnabled());
        for (String counts : List.of(BATCH_COUNTS_STORE, INVALID_COUNTS_STORE)) {
            builder.addStateStore(Stores.keyValueStoreBuilder(
                            Stores.inMemoryKeyValueStore(counts), Serdes.String(), Serdes.ByteArray())
                    .withCachingEnabled());
        }
        builder.addStateStore(idLedgerStore(settings.idRetentionMs()));
        // Global: every task sees every batch's control, whichever partition its lines come from. The
        // topic is small (one compacted record per batch) and is its own changelog.
        builder.globalTable(
                settings.batchControlTopic(),
                Consumed.with(Serdes.String(), controlSerde).withName(BATCH_CONTROL_SOURCE),
                Materialized.<String, BatchControl>as(Stores.inMemoryKeyValueStore(BATCH_CONTROL_STORE))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(controlSerde)
                        .withCachingDisabled());

        Map<String, KStream<Object, Object>> decoded = byType(
                builder.stream(
                                settings.requestTopics(),
                                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                                        .withName(SOURCE))
                        .process(
                                () -> new DecodeProcessor(
                                        requestDeserializer, validator, settings.requestMaxBytes(), false, meters),
                                Named.as(DECODE)),
                DECODE,
                Taken.class,
                DecodeProcessor.MisKeyed.class);
        KStream<byte[], byte[]> misKeyed = cast(decoded.get(DecodeProcessor.MisKeyed.class.getSimpleName())
                .mapValues(v -> (Object) ((DecodeProcessor.MisKeyed) v).value(), Named.as("unwrap-mis-keyed")));
        Map<String, KStream<Object, Object>> rekeyed = byType(
                misKeyed.repartition(Repartitioned.with(Serdes.ByteArray(), Serdes.ByteArray())
                                .withName(BY_REQUEST_ID))
                        .process(
                                () -> new DecodeProcessor(
                                        requestDeserializer, validator, settings.requestMaxBytes(), true, meters),
                                Named.as(DECODE_REKEYED)),
                DECODE_REKEYED,
                Taken.class);

        KStream<String, Taken> taken = cast(decoded.get(Taken.class.getSimpleName()));
        KStream<String, Taken> takenRekeyed = cast(rekeyed.get(Taken.class.getSimpleName()));
        Map<String, KStream<Object, Object>> ledger = byType(
                taken.merge(takenRekeyed, Named.as("merge-taken"))
                        .process(
                                () -> new IdLedgerProcessor(
                                        cache,
                                        dispatch.clock(),
                                        settings.idRetentionMs(),
                                        meters,
                                        settings.repliesTopic()),
                                Named.as(ID_LEDGER),
                                ID_LEDGER_STORE),
                ID_LEDGER,
                PendingRequest.class,
                ChatResult.class,
                Reply.class);

        KStream<byte[], byte[]> dead = cast(decoded.get(DEAD)
                .merge(rekeyed.get(DEAD), Named.as("merge-dead-rekeyed"))
                .merge(ledger.get(DEAD), Named.as("merge-dead-ledger")));
        dead.to(
                settings.dlqTopic(),
                Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(DLQ_SINK));

        KStream<String, ChatResult> invalid = cast(ledger.get(ChatResult.class.getSimpleName()));
        KStream<String, Reply> notices = cast(ledger.get(Reply.class.getSimpleName()));
        results(
                invalid,
                notices,
                settings,
                resultSerde,
                progressSerde,
                dispatch,
                INVALID_COUNTS_STORE,
                "-invalid",
                ID_LEDGER + "-");

        KStream<String, PendingRequest> valid = cast(ledger.get(PendingRequest.class.getSimpleName()));
        if (cache.enabled()) {
            valid = valid.repartition(
                    Repartitioned.with(Serdes.String(), PENDING_SERDE).withName(BY_CACHE_KEY));
        }
        KStream<String, ChatResult> answered = valid.process(
                () -> new AsyncDispatchProcessor(dispatch, cache, meters),
                Named.as(DISPATCH),
                PENDING_STORE,
                PARKED_STORE);
        results(answered, null, settings, resultSerde, progressSerde, dispatch, BATCH_COUNTS_STORE, "", "");
        return builder.build();
    }

    /**
     * The id ledger: on disk (RocksDB), not cached, because it grows with the id rate times the
     * retention, not with anything the heap bound covers. Segments of old ids drop whole; the
     * changelog is compact,delete. The window size is irrelevant (one timestamp per id): the smallest.
     */
    static StoreBuilder<WindowStore<String, byte[]>> idLedgerStore(long retentionMs) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(
                        ID_LEDGER_STORE, Duration.ofMillis(retentionMs), Duration.ofMillis(1), false),
                Serdes.String(),
                Serdes.ByteArray());
    }

    /**
     * Writes results to the results topic, the replies to request-reply clients (plus {@code
     * notices}, when given) to theirs, and counts results per batch for batch-progress.
     */
    private static void results(
            KStream<String, ChatResult> results,
            KStream<String, Reply> notices,
            Settings settings,
            Serde<ChatResult> resultSerde,
            Serde<BatchProgress> progressSerde,
            DispatchRuntime dispatch,
            String countsStore,
            String taskSuffix,
            String namePrefix) {
        results.to(
                settings.resultsTopic(),
                Produced.with(Serdes.String(), resultSerde).withName(namePrefix + RESULTS_SINK));
        KStream<String, Reply> replies = results.process(ReplyRouter::new, Named.as(namePrefix + REPLY_ROUTER));
        if (notices != null) {
            replies = replies.merge(notices, Named.as(namePrefix + "merge-notices"));
        }
        replies.to(
                Reply.TOPIC,
                Produced.with(Serdes.String(), Reply.serde(resultSerde))
                        .withStreamPartitioner(Reply.PARTITION)
                        .withName(namePrefix + REPLIES_SINK));
        results.process(
                        () -> new BatchProgressProcessor(dispatch.clock(), countsStore, taskSuffix),
                        Named.as(namePrefix + BATCH_PROGRESS),
                        countsStore)
                .to(
                        settings.batchProgressTopic(),
                        Produced.with(Serdes.String(), progressSerde).withName(namePrefix + BATCH_PROGRESS_SINK));
    }

    /**
     * Splits a processor's output by value type: one branch per type (named by its simple name),
     * and {@link #DEAD} for the rest, the DLQ records (original bytes).
     */
    private static Map<String, KStream<Object, Object>> byType(
            KStream<Object, Object> stream, String name, Class<?>... types) {
        var split = stream.split(Named.as(ROUTE + name + "-"));
        for (Class<?> type : types) {
            split = split.branch((k, v) -> type.isInstance(v), Branched.as(type.getSimpleName()));
        }
        Map<String, KStream<Object, Object>> routes = split.defaultBranch(Branched.as(DEAD));
        Map<String, KStream<Object, Object>> byName = new HashMap<>();
        routes.forEach((k, v) -> byName.put(k.substring((ROUTE + name + "-").length()), v));
        return byName;
    }

    /** A processor forwards several shapes; each branch holds one of them. */
    @SuppressWarnings("unchecked")
    private static <K, V> KStream<K, V> cast(KStream<Object, Object> stream) {
        return (KStream<K, V>) (KStream<?, ?>) stream;
    }
}
