package io.harborai.worker.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.HdrHistogram.Histogram;

/**
 * {@code harbor bench --via-gateway}'s HTTP side: sends chat completions to a gateway, open loop at
 * a rate or closed loop with a number outstanding, and records each answer's end-to-end latency;
 * reads the gateway's own part ({@code harbor.gateway.added}) from its {@code /metrics}.
 *
 * <p>Threading: {@link #phase} blocks the calling thread until every answer is in; OkHttp's threads
 * record the latencies (the histogram is guarded by itself).
 */
final class GatewayLoad implements AutoCloseable {
    private static final MediaType JSON = MediaType.get("application/json");

    /** What one phase did. */
    record Phase(long answered, long failed, long elapsedNanos, Histogram e2e) {
        double throughput() {
            return elapsedNanos <= 0 ? 0 : answered * 1e9 / elapsedNanos;
        }
    }

    private final OkHttpClient http;
    private final String base;
    private final BenchRequests requests;

    GatewayLoad(String base, BenchRequests requests) {
        Dispatcher d = new Dispatcher();
        d.setMaxRequests(8192);
        d.setMaxRequestsPerHost(8192);
        this.http = new OkHttpClient.Builder()
                .dispatcher(d)
                .connectionPool(new ConnectionPool(2048, 5, TimeUnit.MINUTES))
                .readTimeout(Duration.ofMinutes(5))
                .build();
        this.base = base;
        this.requests = requests;
    }

    /**
     * Sends {@code count} requests, {@code rate} a second (open loop) or, with rate 0, {@code
     * outstanding} at a time; returns when all are answered.
     */
    Phase phase(String salt, int count, double rate, int outstanding, long distinct) throws InterruptedException {
        Histogram e2e = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        CountDownLatch done = new CountDownLatch(count);
        AtomicLong failed = new AtomicLong();
        Semaphore slots = new Semaphore(rate > 0 ? Integer.MAX_VALUE : outstanding);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (rate > 0) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            slots.acquire();
            long sent = System.nanoTime();
            byte[] body = BenchRequests.bodyBytes(requests.idPrefix() + salt, i, distinct);
            http.newCall(new Request.Builder()
                            .url(base + "/v1/chat/completions")
                            .post(RequestBody.create(body, JSON))
                            .build())
                    .enqueue(new Callback() {
                        @Override
                        public void onFailure(Call call, IOException e) {
                            failed.incrementAndGet();
                            slots.release();
                            done.countDown();
                        }

                        @Override
                        public void onResponse(Call call, Response r) {
                            try (r) {
                                r.body().bytes();
                                if (r.code() != 200) {
                                    failed.incrementAndGet();
                                } else {
                                    long micros = (System.nanoTime() - sent) / 1000;
                                    synchronized (e2e) {
                                        e2e.recordValue(Math.min(e2e.getHighestTrackableValue(), micros));
                                    }
                                }
                            } catch (IOException e) {
                                failed.incrementAndGet();
                            }
                            slots.release();
                            done.countDown();
                        }
                    });
        }
        done.await();
        long elapsed = System.nanoTime() - start;
        return new Phase(count - failed.get(), failed.get(), elapsed, e2e);
    }

    /** {@code harbor_gateway_added_seconds_bucket} counts by upper bound (seconds), from {@code /metrics}. */
    Map<Double, Long> addedBuckets() throws IOException {
        Map<Double, Long> out = new TreeMap<>();
        try (Response r = http.newCall(
                        new Request.Builder().url(base + "/metrics").build())
                .execute()) {
            for (String line : r.body().string().split("\n")) {
                if (!line.startsWith("harbor_gateway_added_seconds_bucket{")) {
                    continue;
                }
                int at = line.indexOf("le=\"") + 4;
                String le = line.substring(at, line.indexOf('"', at));
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                out.put(bound, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    /**
     * The upper bound (ms) of the bucket holding the {@code q}-quantile of what was recorded between
     * the two scrapes; NaN when nothing was.
     */
    static double quantileMs(Map<Double, Long> before, Map<Double, Long> after, double q) {
        long total =
                after.getOrDefault(Double.POSITIVE_INFINITY, 0L) - before.getOrDefault(Double.POSITIVE_INFINITY, 0L);
        if (total <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Long> e : after.entrySet()) {
            if (e.getValue() - before.getOrDefault(e.getKey(), 0L) >= q * total) {
                return e.getKey() * 1000;
            }
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
