package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.dispatch.DispatchRuntime;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the worker topology as a pure function of its settings and collaborators; {@code main}
 * and the tests call the same builder.
 *
 * <pre>
 *   requests, requests-batch (bytes) -> decode+validate -+-> dispatch -> results (ChatResult)
 *                                                        |      |
 *                                                        |   [pending] store, changelogged
 *                                                        +-> dlq (original bytes + reason headers)
 * </pre>
 *
 * <p>The {@code pending} store is cached: a request answered within one commit interval costs no
 * changelog write at all (its put and delete meet in the cache), which matters at thousands of
 * requests per second.
 */
public final class TopologyFactory {
    static final String SOURCE = "requests-source";
    static final String DECODE = "decode";
    static final String DISPATCH = "dispatch";
    static final String RESULTS_SINK = "results-sink";
    static final String DLQ_SINK = "dlq-sink";
    /** Requests taken but not yet answered; key = request id, value = {@code PendingCodec} bytes. */
    public static final String PENDING_STORE = "pending";

    private TopologyFactory() {}

    /** Topic names and limits the topology needs. */
    public record Settings(List<String> requestTopics, String resultsTopic, String dlqTopic, int requestMaxBytes) {
        public Settings {
            requestTopics = List.copyOf(requestTopics);
        }
    }

    public static Topology build(Settings settings, Deserializer<ChatRequest> requestDeserializer,
                                 Serializer<ChatResult> resultSerializer, DispatchRuntime dispatch) {
        RequestValidator validator = new RequestValidator();
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
            settings.requestTopics().toArray(String[]::new));
        topology.addProcessor(DECODE,
            () -> new DecodeProcessor(requestDeserializer, validator, settings.requestMaxBytes()), SOURCE);
        topology.addProcessor(DISPATCH, () -> new AsyncDispatchProcessor(dispatch), DECODE);
        // In memory, changelogged: the pending set is bounded by dispatch.max-in-flight, so it
        // fits in the heap and restores quickly from its compacted changelog; RocksDB would add a
        // native write per request for state that lives about one provider call. The cache lets a
        // put and its delete within one commit interval cancel out before the changelog.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE),
            Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), DISPATCH);
        topology.addSink(RESULTS_SINK, settings.resultsTopic(), Serdes.String().serializer(), resultSerializer, DISPATCH);
        topology.addSink(DLQ_SINK, settings.dlqTopic(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(),
            DECODE);
        return topology;
    }
}
