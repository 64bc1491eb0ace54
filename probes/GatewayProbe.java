// A measuring probe, not product code: harbor gateway in front of one worker on the embedded
// stack (broker, registry, redis-server, simulator, all in this JVM), driven over HTTP with the
// OpenAI chat-completions body.
//
//   rate R:   open loop, R requests/s; prints the client's end-to-end latency and the gateway's own
//             part (harbor.gateway.added: HTTP in to the request taken by Kafka, plus result in to
//             answer written), from its /metrics, over the measured requests only.
//   closed C: C requests at a time; prints results/s, to set against `bin/harbor bench` at the same
//             latency and C (the pipeline without the gateway).
//
// Run from a built checkout (the project root):
//   java -Xmx1g -cp target/harbor.jar probes/GatewayProbe.java LATENCY_MS rate|closed VALUE REQUESTS WARMUP
// e.g. `... 0 rate 500 15000 5000` or `... 100 closed 256 30000 20000`. See BENCHMARKS.md, "Gateway".
import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.embedded.EmbeddedStack;
import io.harborai.worker.gateway.GatewayServer;
import io.harborai.worker.simulator.SimulatorOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import okhttp3.*;
import org.HdrHistogram.Histogram;

public class GatewayProbe {
  static final MediaType JSON = MediaType.get("application/json");

  public static void main(String[] a) throws Exception {
    int latency = Integer.parseInt(a[0]);
    boolean open = a[1].equals("rate");
    int value = Integer.parseInt(a[2]), n = Integer.parseInt(a[3]), warm = Integer.parseInt(a[4]);
    try (EmbeddedStack stack = EmbeddedStack.start(true, SimulatorOptions.defaults().withLatency(Duration.ofMillis(latency)))) {
      Map<String, Object> overrides = new HashMap<>();
      overrides.put("gateway.port", 0);
      overrides.put("gateway.bind-address", "127.0.0.1");
      overrides.put("gateway.threads", Math.max(256, open ? value : value * 2));
      overrides.put("dispatch.concurrency-max", 256);
      HarborConfig cfg = HarborConfig.load(null, stack.env(), overrides);
      try (HarborWorker worker = HarborWorker.start(cfg)) {
        if (!worker.awaitRunning(Duration.ofSeconds(120))) throw new IllegalStateException("worker not RUNNING");
        try (GatewayServer gateway = GatewayServer.start(cfg)) {
          String base = "http://127.0.0.1:" + gateway.port();
          Dispatcher d = new Dispatcher(); d.setMaxRequests(4096); d.setMaxRequestsPerHost(4096);
          OkHttpClient http = new OkHttpClient.Builder().dispatcher(d)
              .connectionPool(new ConnectionPool(1024, 5, TimeUnit.MINUTES))
              .readTimeout(Duration.ofMinutes(2)).build();
          phase(http, base, open, value, warm, "w");
          Map<Double, Long> before = buckets(http, base);
          long t0 = System.nanoTime();
          Histogram e2e = phase(http, base, open, value, n, "m");
          double secs = (System.nanoTime() - t0) / 1e9;
          Map<Double, Long> after = buckets(http, base);
          System.out.printf(Locale.ROOT, "%s %d, L=%d ms: %d requests in %.1f s = %.1f results/s%n",
              open ? "rate" : "closed", value, latency, n, secs, n / secs);
          System.out.printf(Locale.ROOT, "client end to end ms p50/p95/p99: %.1f/%.1f/%.1f%n",
              e2e.getValueAtPercentile(50) / 1000.0, e2e.getValueAtPercentile(95) / 1000.0, e2e.getValueAtPercentile(99) / 1000.0);
          System.out.printf(Locale.ROOT, "gateway's own part (harbor.gateway.added, bucket upper bounds) ms p50/p99: %.1f/%.1f%n",
              quantile(before, after, 0.50) * 1000, quantile(before, after, 0.99) * 1000);
        }
      }
    }
    System.exit(0);
  }

  /** Sends {@code count} requests (open loop at {@code value}/s, or {@code value} at a time); their latencies in µs. */
  static Histogram phase(OkHttpClient http, String base, boolean open, int value, int count, String tag) throws Exception {
    Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    CountDownLatch done = new CountDownLatch(count);
    AtomicInteger failed = new AtomicInteger();
    Semaphore slots = new Semaphore(open ? Integer.MAX_VALUE : value);
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (open) {
        long due = start + (long) (i * 1e9 / value);
        long wait = due - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
      }
      slots.acquire();
      long sent = System.nanoTime();
      String body = "{\"model\":\"sim-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"probe " + tag + " " + i + " " + UUID.randomUUID() + "\"}]}";
      http.newCall(new Request.Builder().url(base + "/v1/chat/completions").post(RequestBody.create(body, JSON)).build())
          .enqueue(new Callback() {
            public void onFailure(Call c, IOException e) { failed.incrementAndGet(); slots.release(); done.countDown(); }
            public void onResponse(Call c, Response r) {
              try (r) {
                r.body().string();
                if (r.code() != 200) failed.incrementAndGet();
                synchronized (h) { h.recordValue(Math.min(h.getHighestTrackableValue(), (System.nanoTime() - sent) / 1000)); }
              } catch (IOException e) { failed.incrementAndGet(); }
              slots.release();
              done.countDown();
            }
          });
    }
    done.await();
    if (failed.get() > 0) System.out.println(tag + ": " + failed.get() + " requests failed");
    return h;
  }

  /** harbor_gateway_added_seconds_bucket counts by upper bound, from the gateway's /metrics. */
  static Map<Double, Long> buckets(OkHttpClient http, String base) throws IOException {
    Map<Double, Long> out = new TreeMap<>();
    try (Response r = http.newCall(new Request.Builder().url(base + "/metrics").build()).execute()) {
      for (String line : r.body().string().split("\n")) {
        if (!line.startsWith("harbor_gateway_added_seconds_bucket{")) continue;
        String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        out.put(bound, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    return out;
  }

  /** The smallest bucket bound holding the q-quantile of the requests between the two scrapes. */
  static double quantile(Map<Double, Long> before, Map<Double, Long> after, double q) {
    long total = after.getOrDefault(Double.POSITIVE_INFINITY, 0L) - before.getOrDefault(Double.POSITIVE_INFINITY, 0L);
    for (var e : after.entrySet()) {
      long cumulative = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (cumulative >= q * total) return e.getKey();
    }
    return Double.NaN;
  }
}
