// A measuring probe, not product code: the bare exactly-once processor of
// ../shared/probes/EosAsyncProbe.java, plus, on demand, the Kafka records the worker's guarantees
// write per request, so a benchmark can tell what those records cost from what the worker's own
// code costs. One Kafka Streams application under exactly_once_v2 fires async OkHttp calls to the
// project's simulator (at most IN_FLIGHT at once) and forwards the answers from the stream thread.
//
//   MODE 0: bare (the shared probe): 1 record per result.
//   MODE 1: + one hop through a topic between taking and calling, as the cache-key repartition.
//   MODE 2: + an id ledger (RocksDB window store, changelogged, one put per request) before the
//           hop and a pending store (in memory, cached, changelogged; put on take, delete on
//           answer) at the call, as the worker's request-ids and pending stores.
//
// It has no Avro, no cache, no Redis, no retries and no crash-safe answers: only the records.
// Run from a built checkout (the project root):
//   java -Xmx512m -cp target/harbor.jar probes/EosRecordsProbe.java LATENCY_MS IN_FLIGHT REQUESTS WARMUP MODE [LINGER_MS]
// e.g. `... 0 256 60000 30000 2`; LINGER_MS sets the producer's linger.ms (Kafka Streams' default 100). See BENCHMARKS.md, "Per-result cost", section 8.
import io.harborai.worker.embedded.EmbeddedKafka;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import okhttp3.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.streams.*;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

public class EosRecordsProbe {
  static final MediaType JSON = MediaType.get("application/json");

  public static void main(String[] a) throws Exception {
    int latency = Integer.parseInt(a[0]), cap = Integer.parseInt(a[1]);
    int n = Integer.parseInt(a[2]), warm = Integer.parseInt(a[3]);
    int mode = a.length > 4 ? Integer.parseInt(a[4]) : 0;
    String linger = a.length > 5 ? a[5] : null; // the stream thread's producer linger.ms; null = Kafka Streams' 100
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
         SimulatorServer sim = SimulatorServer.start(SimulatorOptions.defaults().withLatency(Duration.ofMillis(latency)))) {
      String bs = kafka.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
        admin.createTopics(List.of(new NewTopic("p.in", 6, (short) 1), new NewTopic("p.out", 6, (short) 1), new NewTopic("p.rep", 6, (short) 1))).all().get();
      }
      Dispatcher d = new Dispatcher(); d.setMaxRequests(cap); d.setMaxRequestsPerHost(cap);
      OkHttpClient http = new OkHttpClient.Builder().dispatcher(d)
          .connectionPool(new ConnectionPool(cap, 5, TimeUnit.MINUTES)).build();
      String url = sim.baseUrl() + "/chat/completions";
      Semaphore slots = new Semaphore(cap);

      Topology t = new Topology();
      t.addSource("src", new StringDeserializer(), new StringDeserializer(), "p.in");
      String callParent = "src";
      if (mode >= 2) {
        t.addProcessor("ledger", () -> new Processor<String, String, String, String>() {
          ProcessorContext<String, String> ctx; org.apache.kafka.streams.state.WindowStore<String, byte[]> ids;
          public void init(ProcessorContext<String, String> c) { ctx = c; ids = c.getStateStore("ids"); }
          public void process(Record<String, String> rec) {
            long now = System.currentTimeMillis();
            try (var it = ids.fetch(rec.key(), now - 86_400_000L, now)) { if (it.hasNext()) return; }
            ids.put(rec.key(), new byte[] {1}, now);
            ctx.forward(rec);
          }
        }, "src");
        t.addStateStore(org.apache.kafka.streams.state.Stores.windowStoreBuilder(
            org.apache.kafka.streams.state.Stores.persistentWindowStore("ids", Duration.ofDays(1), Duration.ofMillis(1), false),
            Serdes.String(), Serdes.ByteArray()), "ledger");
        callParent = "ledger";
      }
      if (mode >= 1) {
        // the hop: through a topic keyed by a content hash, like a cache-key repartition
        t.addSink("to-rep", "p.rep", new StringSerializer(), new StringSerializer(), callParent);
        t.addSource("from-rep", new StringDeserializer(), new StringDeserializer(), "p.rep");
        callParent = "from-rep";
      }
      t.addProcessor("call", () -> new Processor<String, String, String, String>() {
        final ConcurrentLinkedQueue<Record<String, String>> done = new ConcurrentLinkedQueue<>();
        ProcessorContext<String, String> ctx; org.apache.kafka.streams.state.KeyValueStore<String, byte[]> pending;
        public void init(ProcessorContext<String, String> c) {
          ctx = c; if (mode >= 2) pending = c.getStateStore("pending"); c.schedule(Duration.ofMillis(10), PunctuationType.WALL_CLOCK_TIME, ts -> drain());
        }
        void drain() { Record<String, String> r; while ((r = done.poll()) != null) { if (pending != null) pending.delete(r.key()); ctx.forward(r); } }
        public void process(Record<String, String> rec) {
          drain();
          while (!slots.tryAcquire()) { drain(); Thread.onSpinWait(); }
          if (pending != null) pending.put(rec.key(), rec.value().getBytes());
          Request req = new Request.Builder().url(url).post(RequestBody.create(rec.value(), JSON)).build();
          http.newCall(req).enqueue(new Callback() {
            public void onFailure(Call c, java.io.IOException e) { slots.release(); done.add(rec.withValue("ERR")); }
            public void onResponse(Call c, Response r) {
              try (r) { done.add(rec.withValue(r.body().string())); } catch (Exception e) { done.add(rec.withValue("ERR")); }
              finally { slots.release(); }
            }
          });
        }
      }, callParent);
      if (mode >= 2) {
        t.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
            org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore("pending"), Serdes.String(), Serdes.ByteArray())
            .withCachingEnabled(), "call");
      }
      t.addSink("sink", "p.out", new StringSerializer(), new StringSerializer(), "call");
      Properties p = new Properties();
      p.put("application.id", "probe"); p.put("bootstrap.servers", bs);
      p.put("processing.guarantee", "exactly_once_v2"); p.put("commit.interval.ms", "100");
      if (linger != null) p.put(StreamsConfig.producerPrefix("linger.ms"), linger);
      p.put("state.dir", java.nio.file.Files.createTempDirectory("probe").toString());
      KafkaStreams app = new KafkaStreams(t, p);
      app.start();

      String body = "{\"model\":\"deepseek-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(600) + " %d\"}]}";
      try (KafkaProducer<String, String> prod = new KafkaProducer<>(Map.of("bootstrap.servers", bs),
               new StringSerializer(), new StringSerializer());
           KafkaConsumer<String, String> cons = new KafkaConsumer<>(Map.of("bootstrap.servers", bs,
               "group.id", "probe-reader", "isolation.level", "read_committed", "auto.offset.reset", "earliest"),
               new StringDeserializer(), new StringDeserializer())) {
        cons.subscribe(List.of("p.out"));
        for (int phase = 0; phase < 2; phase++) {
          int count = phase == 0 ? warm : n;
          for (int i = 0; i < count; i++) prod.send(new ProducerRecord<>("p.in", "k" + phase + "-" + i, String.format(body, i)));
          prod.flush();
          long t0 = System.nanoTime(); int got = 0, err = 0;
          while (got < count) {
            for (ConsumerRecord<String, String> r : cons.poll(Duration.ofMillis(200))) { got++; if ("ERR".equals(r.value())) err++; }
            if (System.nanoTime() - t0 > 600_000_000_000L) break;
          }
          double s = (System.nanoTime() - t0) / 1e9;
          System.out.printf("%s: %d results (%d errors) in %.1f s = %.0f results/s (L=%d ms, C=%d, mode %d)%n",
              phase == 0 ? "warm-up" : "measured", got, err, s, got / s, latency, cap, mode);
        }
      }
      // The stream thread's time split and commit latency (Kafka Streams' thread-level metrics).
      for (var e : app.metrics().entrySet()) {
        String name = e.getKey().name();
        if (e.getKey().group().equals("stream-thread-metrics")
            && Set.of("commit-ratio", "process-ratio", "poll-ratio", "punctuate-ratio", "commit-latency-avg").contains(name)) {
          System.out.printf("stream thread %s: %.3f%n", name, ((Number) e.getValue().metricValue()).doubleValue());
        }
      }
      app.close(Duration.ofSeconds(10));
      http.dispatcher().executorService().shutdown();
    }
    System.exit(0);
  }
}
