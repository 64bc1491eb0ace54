package io.harborai.worker.bench;

import java.io.IOException;
import java.time.Duration;
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

/**
 * The ceiling for a given concurrency: the simulator alone, driven by OkHttp async calls with at
 * most {@code C} in flight and the same request bodies the worker sends. No Kafka, no Avro, no
 * results: whatever the worker reaches is a fraction of this.
 *
 * <p>It warms up for {@link #WARMUP} (the JIT again: the probe's code paths are new), then counts
 * completions in rounds of {@link #ROUND} until the last three agree within 10 % (at most {@link
 * #MAX_ROUNDS}) and reports their median (see {@link RoundStats}; a single 10 s count swung by
 * 45 % between runs). Each phase stops after its time or {@code maxRequests} calls,
 * whichever is first, so a low concurrency at a high latency cannot make the probe run for
 * minutes.
 *
 * <p>Threading: the calling thread issues calls, blocking on a semaphore of {@code C} permits;
 * OkHttp's threads complete them and release permits. Counters are atomics.
 */
final class LimitProbe {
    static final Duration WARMUP = Duration.ofSeconds(3);
    static final int MAX_ROUNDS = 10;
    static final Duration ROUND = Duration.ofSeconds(2);
    private static final MediaType JSON = MediaType.get("application/json");

    private LimitProbe() {}

    /** Completed calls per second at {@code concurrency} in flight, per round. */
    static RoundStats run(String baseUrl, int concurrency, long maxRequests, long distinct, String salt)
            throws InterruptedException {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(concurrency);
        dispatcher.setMaxRequestsPerHost(concurrency);
        OkHttpClient http = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(Math.min(concurrency, 1024), 30, TimeUnit.SECONDS))
                .readTimeout(Duration.ofMinutes(2))
                .build();
        String url = baseUrl.replaceAll("/+$", "") + "/chat/completions";
        try {
            phase(http, url, concurrency, maxRequests, WARMUP, distinct, salt + "-warm");
            return RoundStats.untilSteady(
                    i -> phase(http, url, concurrency, maxRequests, ROUND, distinct, salt + "-" + i),
                    MAX_ROUNDS,
                    ROUND.toMillis() / 1000.0);
        } finally {
            dispatcher.executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    private static double phase(
            OkHttpClient http,
            String url,
            int concurrency,
            long maxRequests,
            Duration limit,
            long distinct,
            String salt)
            throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Callback release = new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                done.incrementAndGet();
                permits.release();
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    response.body().bytes(); // read it, as the worker does
                } catch (IOException e) {
                    // counted like a completed call: the server did its work
                }
                done.incrementAndGet();
                permits.release();
            }
        };
        long issued = 0;
        while (issued < maxRequests && System.nanoTime() < deadline) {
            if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            byte[] body = BenchRequests.bodyBytes(salt, issued, distinct);
            Request request = new Request.Builder()
                    .url(url)
                    .header("Idempotency-Key", "probe-" + salt + "-" + issued)
                    .post(RequestBody.create(body, JSON))
                    .build();
            http.newCall(request).enqueue(release);
            issued++;
        }
        permits.acquire(concurrency); // drain: every issued call has completed
        long elapsed = System.nanoTime() - start;
        return done.get() * 1e9 / elapsed;
    }
}
