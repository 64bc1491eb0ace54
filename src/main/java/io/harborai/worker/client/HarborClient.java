package io.harborai.worker.client;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request-reply with the worker over Kafka: {@link #submit} produces a {@link ChatRequest} onto the
 * requests topic and returns a future of its one {@link ChatResult}.
 *
 * <p>How replies find their client: each client instance joins the consumer group {@code
 * groupId} on the replies topic and reads only the partitions the group gives it. A request names
 * one of them in its headers ({@link ReplyHeaders}); the worker writes the result there as well as
 * on the results topic, in one transaction. N instances therefore split the replies topic, and none
 * reads another's replies (at most as many instances as the topic has partitions).
 *
 * <p>When the answer is not coming to this instance's partition, the client reads it from the results
 * topic by id ({@link ResultLookup}):
 *
 * <ul>
 *   <li>a retry (same request id as an earlier request, e.g. an HTTP client's Idempotency-Key
 *       after a gateway restart): the worker takes no second copy and sends a notice with the
 *       time it first took the id; its one result is looked up from there;
 *   <li>a rebalance took this instance's reply partition: every request waiting on it is looked up
 *       from its send time.
 * </ul>
 *
 * <p>Depends only on kafka-clients, Avro and the Confluent-format serde ({@code schema}); nothing of
 * the worker's internals. Threading: {@link #submit} from any thread; one thread reads replies, one
 * more does lookups.
 */
public final class HarborClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HarborClient.class);

    /**
     * Where and how to connect.
     *
     * @param kafka Kafka client properties (at least {@code bootstrap.servers}; security settings pass through)
     * @param groupId the consumer group of the replies topic that every instance of one application shares
     * @param timeout how long {@link #submit(ChatRequest)} waits for a result before failing with a {@link TimeoutException}
     */
    public record Options(
            Map<String, Object> kafka,
            SchemaRegistryClient registry,
            String requestsTopic,
            String resultsTopic,
            String repliesTopic,
            String groupId,
            Duration timeout) {
        public Options {
            kafka = Map.copyOf(kafka);
            Objects.requireNonNull(registry, "registry");
        }
    }

    private record Waiting(CompletableFuture<ChatResult> future, long sentAtMs, int partition) {}

    private final Options options;
    private final KafkaProducer<String, ChatRequest> producer;
    private final KafkaConsumer<String, ChatResult> replies;
    private final ResultLookup lookup;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final TreeSet<Integer> owned = new TreeSet<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Thread reader;
    private volatile int replyPartition = -1;
    private volatile boolean closed;

    private HarborClient(Options options) {
        this.options = options;
        String name = "harbor-client-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> p = new HashMap<>(options.kafka());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, name + "-producer");
        this.producer = new KafkaProducer<>(
                p, new StringSerializer(), new AvroSerde<>(options.registry(), ChatRequest.class, true).serializer());
        AvroSerde<ChatResult> serde = new AvroSerde<>(options.registry(), ChatResult.class, false);
        // A notice has no value: no result to decode.
        Deserializer<ChatResult> results =
                (topic, bytes) -> bytes == null ? null : serde.deserializer().deserialize(topic, bytes);
        this.replies = new KafkaConsumer<>(
                consumerProps(name + "-replies", options.groupId()), new StringDeserializer(), results);
        this.lookup = new ResultLookup(
                new KafkaConsumer<>(consumerProps(name + "-lookup", null), new StringDeserializer(), results),
                options.resultsTopic(),
                name + "-lookup");
        this.reader = new Thread(this::readReplies, name + "-replies");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Connects and waits until this instance owns a reply partition.
     *
     * @throws IllegalStateException when none is given within {@code startTimeout} (the group
     *     already has as many instances as the replies topic has partitions, or the cluster is down)
     */
    public static HarborClient start(Options options, Duration startTimeout) {
        HarborClient c = new HarborClient(options);
        try {
            c.ready.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return c;
        } catch (Exception e) {
            c.close();
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(
                    "no partition of " + options.repliesTopic() + " for this client within " + startTimeout
                            + " (more clients in group " + options.groupId()
                            + " than partitions, or the cluster is unreachable): " + cause,
                    cause);
        }
    }

    /** The partition of the replies topic this instance reads now. */
    public int replyPartition() {
        return replyPartition;
    }

    /** Submits with {@link Options#timeout()}. */
    public CompletableFuture<ChatResult> submit(ChatRequest request) {
        return submit(request, options.timeout());
    }

    /**
     * Produces {@code request} (key = its id) and returns a future of its one result: from this
     * instance's reply partition, or from the results topic when the id was already taken. Fails
     * with {@link TimeoutException} after {@code timeout}; a second submit of an id this instance
     * still waits for shares the first's future.
     */
    public CompletableFuture<ChatResult> submit(ChatRequest request, Duration timeout) {
        return submit(request, timeout, () -> {});
    }

    /**
     * As {@link #submit(ChatRequest, Duration)}; {@code onSent} runs once the cluster has taken the
     * request (on the producer's thread: keep it short).
     */
    public CompletableFuture<ChatResult> submit(ChatRequest request, Duration timeout, Runnable onSent) {
        if (closed) {
            throw new IllegalStateException("client is closed");
        }
        String id = request.getId();
        int partition = replyPartition;
        CompletableFuture<ChatResult> future = new CompletableFuture<>();
        Waiting w = new Waiting(future, System.currentTimeMillis(), partition);
        Waiting before = waiting.putIfAbsent(id, w);
        if (before != null) {
            return before.future();
        }
        future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> waiting.remove(id, w));
        ProducerRecord<String, ChatRequest> record = new ProducerRecord<>(options.requestsTopic(), id, request);
        if (partition >= 0) {
            ReplyHeaders.write(record.headers(), options.repliesTopic(), partition);
        } else {
            lookup.find(id, w.sentAtMs(), future); // between rebalances: no partition to reply to
        }
        producer.send(record, (md, e) -> {
            if (e != null) {
                future.completeExceptionally(e);
            } else {
                onSent.run();
            }
        });
        return future;
    }

    /** Submits each request; the futures in the same order. */
    public List<CompletableFuture<ChatResult>> submitAll(Collection<ChatRequest> requests) {
        List<CompletableFuture<ChatResult>> out = new ArrayList<>(requests.size());
        requests.forEach(r -> out.add(submit(r)));
        producer.flush();
        return out;
    }

    /** Reads {@code id}'s result from the results topic, at or after {@code fromMs}: for a request sent by another process. */
    public CompletableFuture<ChatResult> lookup(String id, long fromMs, Duration timeout) {
        CompletableFuture<ChatResult> f = new CompletableFuture<>();
        f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        lookup.find(id, fromMs, f);
        return f;
    }

    private Map<String, Object> consumerProps(String clientId, String groupId) {
        Map<String, Object> c = new HashMap<>(options.kafka());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        if (groupId != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        } else {
            c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        }
        return c;
    }

    private void readReplies() {
        try {
            replies.subscribe(List.of(options.repliesTopic()), new Rebalance());
            while (!closed) {
                for (ConsumerRecord<String, ChatResult> r : replies.poll(Duration.ofMillis(100))) {
                    onReply(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Reading replies from {} stopped: {}", options.repliesTopic(), e.toString(), e);
            ready.completeExceptionally(e);
            waiting.values().forEach(w -> w.future().completeExceptionally(e));
        } finally {
            replies.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void onReply(ConsumerRecord<String, ChatResult> r) {
        Waiting w = r.key() == null ? null : waiting.get(r.key());
        if (w == null) {
            return; // timed out meanwhile, or a reply sent before this instance took the partition
        }
        long firstSeenMs = ReplyHeaders.firstSeenMs(r.headers());
        if (r.value() != null) {
            w.future().complete(r.value());
        } else if (firstSeenMs >= 0) {
            lookup.find(r.key(), firstSeenMs, w.future());
        }
    }

    /** Keeps {@link #replyPartition} on a partition this instance owns; looks up what a lost one owed. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Replies written before this instance took the partition belong to no one waiting here.
            replies.seekToEnd(partitions);
            partitions.forEach(replies::position);
            synchronized (owned) {
                partitions.forEach(tp -> owned.add(tp.partition()));
                if (replyPartition < 0 || !owned.contains(replyPartition)) {
                    replyPartition = owned.first();
                }
            }
            ready.complete(null);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            lost(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            lost(partitions);
        }

        private void lost(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            synchronized (owned) {
                partitions.forEach(tp -> owned.remove(tp.partition()));
                replyPartition = owned.isEmpty() ? -1 : owned.first();
            }
            for (TopicPartition tp : partitions) {
                waiting.forEach((id, w) -> {
                    if (w.partition() == tp.partition()) {
                        lookup.find(id, w.sentAtMs(), w.future());
                    }
                });
            }
            log.info(
                    "Reply partitions {} moved to another instance; their waiting requests are looked up by id",
                    partitions);
        }
    }

    @Override
    public void close() {
        closed = true;
        replies.wakeup();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lookup.close();
        producer.close(Duration.ofSeconds(5));
        waiting.values().forEach(w -> w.future().cancel(false));
    }
}
