package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Files uploaded to the gateway, kept in a Kafka topic ({@code topics.files}) so that any gateway
 * instance can read any file: no shared disk.
 *
 * <p>An upload goes to one partition as a run of chunks of at most {@link #CHUNK_BYTES}, keyed by a
 * random upload key, then one end record (header {@code harbor.file.end}) whose value is the
 * file's metadata as JSON, including the offset of its first chunk. The file id names the end
 * record: {@code file-<partition>-<end offset>-<key>}. So finding a file is one fetch, and reading
 * it is a scan from its first chunk to its end record, keeping the records of its key (uploads
 * running at the same time interleave). An upload that breaks off has no end record and no id; its
 * chunks expire with the topic's retention. Memory is one chunk per upload or read, whatever the
 * file's size: the producer blocks when its buffer is full.
 *
 * <p>Thread-safe: one idempotent producer shared by uploads; each read has its own consumer.
 */
public final class UploadedFiles implements AutoCloseable {
    /** Raw bytes per record: well under the broker's default {@code max.message.bytes} (1 MiB). */
    static final int CHUNK_BYTES = 256 * 1024;

    static final String END_HEADER = "harbor.file.end";
    private static final Pattern ID = Pattern.compile("file-(\\d+)-(\\d+)-([0-9a-f]{16})");

    /** What {@code POST /v1/files} answers, and what the end record holds. */
    public record FileInfo(
            String id,
            String filename,
            String purpose,
            String tenant,
            long bytes,
            long firstOffset,
            long createdAtSeconds) {}

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Map<String, Object> kafka;
    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final ObjectMapper json = new ObjectMapper();

    public UploadedFiles(Map<String, Object> kafka, String topic) {
        this.kafka = Map.copyOf(kafka);
        this.topic = topic;
        Map<String, Object> p = new HashMap<>(kafka);
        p.putAll(ClientDefaults.producer());
        p.put("batch.size", CHUNK_BYTES + 1024);
        p.put("max.request.size", 1024 * 1024);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Whether {@code id} has the shape of an uploaded file's id (it may still not exist). */
    public static boolean isUploadId(String id) {
        return ID.matcher(id).matches();
    }

    /** Streams {@code in} to the topic; returns once every chunk and the end record are acknowledged. */
    public FileInfo upload(InputStream in, String filename, String purpose, String tenant) throws IOException {
        String key = randomHex(8);
        int partition = ThreadLocalRandom.current()
                .nextInt(producer.partitionsFor(topic).size());
        Future<RecordMetadata> first = null;
        long bytes = 0;
        byte[] chunk;
        while ((chunk = in.readNBytes(CHUNK_BYTES)).length > 0) {
            Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(topic, partition, key, chunk));
            if (first == null) {
                first = sent;
            }
            bytes += chunk.length;
        }
        try {
            long firstOffset = first == null ? -1 : first.get().offset();
            long created = System.currentTimeMillis() / 1000;
            Map<String, Object> meta = new HashMap<>();
            meta.put("filename", filename);
            meta.put("purpose", purpose);
            meta.put("tenant", tenant);
            meta.put("bytes", bytes);
            meta.put("first_offset", firstOffset);
            meta.put("created_at", created);
            ProducerRecord<String, byte[]> end =
                    new ProducerRecord<>(topic, partition, key, json.writeValueAsBytes(meta));
            end.headers().add(END_HEADER, new byte[] {1});
            long endOffset = producer.send(end).get().offset();
            return new FileInfo(
                    "file-" + partition + "-" + endOffset + "-" + key,
                    filename,
                    purpose,
                    tenant,
                    bytes,
                    firstOffset,
                    created);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("upload interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("could not store the upload in " + topic + ": " + e.getCause(), e.getCause());
        }
    }

    /** The file's metadata, or empty when no complete upload has that id. */
    public Optional<FileInfo> info(String id) {
        Matcher m = ID.matcher(id);
        if (!m.matches()) {
            return Optional.empty();
        }
        TopicPartition tp = new TopicPartition(topic, Integer.parseInt(m.group(1)));
        long endOffset = Long.parseLong(m.group(2));
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, endOffset);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() != endOffset) {
                        return Optional.empty(); // compacted away or never there
                    }
                    if (!m.group(3).equals(r.key()) || r.headers().lastHeader(END_HEADER) == null) {
                        return Optional.empty();
                    }
                    JsonNode meta = json.readTree(r.value());
                    return Optional.of(new FileInfo(
                            id,
                            meta.path("filename").asText(),
                            meta.path("purpose").asText(),
                            meta.path("tenant").isTextual()
                                    ? meta.path("tenant").asText()
                                    : null,
                            meta.path("bytes").asLong(),
                            meta.path("first_offset").asLong(),
                            meta.path("created_at").asLong()));
                }
                if (consumer.position(tp) > endOffset) {
                    return Optional.empty();
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (org.apache.kafka.common.errors.OffsetOutOfRangeException
                | org.apache.kafka.common.errors.InvalidTopicException e) {
            return Optional.empty();
        }
    }

    /** The content of an existing file (see {@link #info}), streamed: the caller closes it. */
    public InputStream open(FileInfo file) {
        Matcher m = ID.matcher(file.id());
        if (!m.matches()) {
            throw new IllegalArgumentException("not an uploaded file id: " + file.id());
        }
        TopicPartition tp = new TopicPartition(topic, Integer.parseInt(m.group(1)));
        long endOffset = Long.parseLong(m.group(2));
        String key = m.group(3);
        KafkaConsumer<String, byte[]> consumer = consumer();
        consumer.assign(List.of(tp));
        if (file.firstOffset() >= 0) {
            consumer.seek(tp, file.firstOffset());
        }
        return new ChunkStream(consumer, tp, key, file.firstOffset() < 0 ? -1 : endOffset);
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> c = new HashMap<>(kafka);
        c.putAll(ClientDefaults.consumer());
        c.put("max.poll.records", 8);
        c.put("allow.auto.create.topics", false);
        return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** {@code bytes} random bytes in hex: unguessable ids (uploads here, batches in the gateway). */
    public static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** The chunks of one file as a stream of bytes; closes its consumer on close. */
    private static final class ChunkStream extends InputStream {
        private final KafkaConsumer<String, byte[]> consumer;
        private final TopicPartition tp;
        private final String key;
        private final long endOffset;
        private Iterator<ConsumerRecord<String, byte[]>> polled =
                List.<ConsumerRecord<String, byte[]>>of().iterator();
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean ended;

        ChunkStream(KafkaConsumer<String, byte[]> consumer, TopicPartition tp, String key, long endOffset) {
            this.consumer = consumer;
            this.tp = tp;
            this.key = key;
            this.endOffset = endOffset;
            this.ended = endOffset < 0; // an empty file
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos >= chunk.length) {
                if (ended || !next()) {
                    return -1;
                }
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Moves to the file's next chunk; false at its end record. */
        private boolean next() throws IOException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                while (polled.hasNext()) {
                    ConsumerRecord<String, byte[]> r = polled.next();
                    if (r.offset() >= endOffset) {
                        ended = true;
                        return false;
                    }
                    if (key.equals(r.key())) {
                        chunk = r.value();
                        pos = 0;
                        return true;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("file chunks in " + tp + " could not be read within 60 s");
                }
                polled = consumer.poll(Duration.ofMillis(500)).iterator();
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
