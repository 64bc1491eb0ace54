package io.harborai.worker.metrics.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.Alert;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each {@link Alert} as a JSON object ({@code rule, instance, severity, state, value,
 * threshold, message, timestamp_ms}) to {@code alerts.webhook-url}.
 *
 * <p>Contract: {@link #submit} never blocks and never throws for delivery trouble: the POST is
 * enqueued on the OkHttp dispatcher; at most {@code maxPending} POSTs are outstanding, and an alert
 * submitted beyond that is dropped and counted ({@link #dropped()}). Each alert is tried once; any
 * 2xx counts as {@link #sent()}, anything else (status, I/O error, timeout) as {@link #failed()}
 * and a warning. Webhook URLs often carry a secret in the path or query (Slack, Teams), so logs
 * name only the scheme, host and port.
 *
 * <p>Threading: thread-safe; the counters are atomics, callbacks run on OkHttp's dispatcher
 * threads. Uses a variant of the shared client ({@code newBuilder()}, shared pools) with its own
 * timeouts; nothing to close.
 */
public final class WebhookSink {

    /** Outstanding POSTs before new alerts are dropped. */
    public static final int DEFAULT_MAX_PENDING = 100;

    private static final Logger log = LoggerFactory.getLogger(WebhookSink.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OkHttpClient http;
    private final HttpUrl url;
    private final String where;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param sharedHttp the worker's shared client; this sink derives a variant with short timeouts
     * @param url an http or https URL
     * @throws IllegalArgumentException if {@code url} is not one (the message leaves the URL out)
     */
    public WebhookSink(OkHttpClient sharedHttp, String url, int maxPending) {
        this.url = HttpUrl.parse(Objects.requireNonNull(url, "url"));
        if (this.url == null) {
            throw new IllegalArgumentException("alerts.webhook-url is not an http(s) URL");
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1, got " + maxPending);
        }
        this.where = this.url.scheme() + "://" + this.url.host() + ":" + this.url.port();
        this.maxPending = maxPending;
        this.http = sharedHttp
                .newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .writeTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(15))
                .build();
    }

    /** Enqueues the POST of {@code alert}, or drops it when {@code maxPending} are outstanding. */
    public void submit(Alert alert) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            long n = dropped.incrementAndGet();
            log.warn(
                    "Alert webhook {} has {} POSTs pending; dropped alert {} {} ({} dropped so far)",
                    where,
                    maxPending,
                    alert.getRule(),
                    alert.getState(),
                    n);
            return;
        }
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(json(alert));
        } catch (JsonProcessingException e) {
            pending.decrementAndGet();
            failed.incrementAndGet();
            log.warn("Could not encode alert {} as JSON", alert.getRule(), e);
            return;
        }
        Request request = new Request.Builder()
                .url(url)
                .post(RequestBody.create(body, JSON))
                .build();
        try {
            http.newCall(request).enqueue(callback(alert));
        } catch (RuntimeException e) { // a shut-down dispatcher
            pending.decrementAndGet();
            failed.incrementAndGet();
            log.warn(
                    "Alert webhook {} could not take alert {}: {}",
                    where,
                    alert.getRule(),
                    e.getClass().getSimpleName());
        }
    }

    private Callback callback(Alert alert) {
        return new Callback() {
            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    if (response.isSuccessful()) {
                        sent.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        log.warn(
                                "Alert webhook {} answered HTTP {} to alert {} {}",
                                where,
                                response.code(),
                                alert.getRule(),
                                alert.getState());
                    }
                } finally {
                    pending.decrementAndGet();
                }
            }

            @Override
            public void onFailure(Call call, IOException e) {
                pending.decrementAndGet();
                failed.incrementAndGet();
                log.warn(
                        "Alert webhook {} failed for alert {} {}: {}",
                        where,
                        alert.getRule(),
                        alert.getState(),
                        e.getClass().getSimpleName());
            }
        };
    }

    /** The JSON object posted for {@code alert}, field names as in the Avro schema. */
    static Map<String, Object> json(Alert alert) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", alert.getRule());
        m.put("instance", alert.getInstance());
        m.put("severity", alert.getSeverity().name());
        m.put("state", alert.getState().name());
        m.put("value", alert.getValue());
        m.put("threshold", alert.getThreshold());
        m.put("message", alert.getMessage());
        m.put("timestamp_ms", alert.getTimestampMs());
        return m;
    }

    /** POSTs answered 2xx. */
    public long sent() {
        return sent.get();
    }

    /** POSTs that failed (non-2xx, I/O error, timeout) or could not be encoded. */
    public long failed() {
        return failed.get();
    }

    /** Alerts dropped because {@code maxPending} POSTs were outstanding. */
    public long dropped() {
        return dropped.get();
    }

    /** POSTs outstanding now. */
    public int pending() {
        return pending.get();
    }
}
