package io.harborai.worker.dispatch.ratelimit;

import io.harborai.worker.redis.RedisHealth;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RPM/TPM limits shared by every worker instance, kept in Redis.
 *
 * <p>Contract: each {@link #tryAcquire} is one call of {@code rate_limit.lua}, which refills the
 * provider's request and token buckets from Redis server time ({@code TIME}, so instance clocks do
 * not matter), and takes one request plus the estimated tokens from both or from neither. Keys are
 * {@value #KEY_PREFIX}{@code {provider}:req} and {@code :tok} (the hash tag keeps both on one
 * cluster slot, as a multi-key script requires); each expires when its bucket would be full again,
 * so idle providers leave nothing behind. The script runs by EVALSHA; after a Redis restart or
 * {@code SCRIPT FLUSH} (NOSCRIPT) it falls back to EVAL, which caches it again. Providers without a
 * spec are unlimited and never reach Redis.
 *
 * <p>Limits: every call waits for Redis, at most {@code callTimeout}; a slower or failing Redis
 * makes it throw {@link RateLimiterUnavailableException} (use {@link FailoverRateLimiter} to never
 * throw). A permit taken by a call that timed out on the client may still have been taken in Redis.
 * A restarted, empty Redis starts every bucket full again.
 *
 * <p>Why a script of our own: no library serves; bucket4j (also over Redisson) takes one count from
 * every limit of a bucket, so it cannot take 1 request and n tokens both-or-neither in one round
 * trip, on Redis's clock, letting an oversized request run into debt.
 *
 * <p>Threading: stateless apart from immutable configuration; any thread may call any method.
 * Redisson completes the futures on its Netty threads, which only hand the result back.
 */
public final class RedisRateLimiter implements SharedRateLimiter {

    /** Prefix of every key this limiter writes. */
    public static final String KEY_PREFIX = "harbor:rl:";

    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);
    private static final String SCRIPT = readScript();
    private static final String SHA = sha1Hex(SCRIPT);

    private final RScript script;
    private final Map<String, RateLimitSpec> specs = new HashMap<>();
    private final Duration callTimeout;
    private final Runnable onClose;

    /**
     * A limiter over a client the caller owns and shuts down.
     *
     * @param callTimeout the longest a call may wait for Redis; keep it well under a second, since
     *     the stream thread waits that long when Redis hangs
     */
    public RedisRateLimiter(RedissonClient client, List<RateLimitSpec> specs, Duration callTimeout) {
        this(client, specs, callTimeout, () -> {});
    }

    RedisRateLimiter(RedissonClient client, List<RateLimitSpec> specs, Duration callTimeout, Runnable onClose) {
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
        }
        this.script = client.getScript(StringCodec.INSTANCE);
        this.callTimeout = callTimeout;
        this.onClose = onClose;
        for (RateLimitSpec spec : specs) {
            if (spec.limited()) {
                this.specs.put(spec.provider(), spec);
            }
        }
    }

    @Override
    public boolean tryAcquire(String provider, long estimatedTokens) {
        RateLimitSpec spec = specs.get(provider);
        if (spec == null) {
            return true;
        }
        CompletableFuture<Long> call = run(spec, "acquire", Math.max(0, estimatedTokens));
        try {
            return call.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS) == 1L;
        } catch (TimeoutException e) {
            call.cancel(false);
            throw new RateLimiterUnavailableException(
                    "Redis rate limiter did not answer within " + callTimeout.toMillis() + " ms", null);
        } catch (ExecutionException e) {
            throw unavailable(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RateLimiterUnavailableException("interrupted while waiting for the Redis rate limiter", e);
        }
    }

    /** Fire and forget: a failure is logged at DEBUG (the failover limiter counts it). */
    @Override
    public void recordUsage(String provider, long estimatedTokens, long actualTokens) {
        recordUsageAsync(provider, estimatedTokens, actualTokens).whenComplete((v, e) -> {
            if (e != null) {
                log.debug("Usage correction for provider {} lost: {}", provider, RedisHealth.describe(e));
            }
        });
    }

    @Override
    public CompletionStage<Void> recordUsageAsync(String provider, long estimatedTokens, long actualTokens) {
        RateLimitSpec spec = specs.get(provider);
        if (spec == null || spec.tokensPerMinute() == 0 || actualTokens < 0 || estimatedTokens == actualTokens) {
            return CompletableFuture.completedFuture(null);
        }
        return run(spec, "correct", Math.max(0, estimatedTokens) - actualTokens)
                .orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(r -> null);
    }

    /** Loads the script: proves Redis answers and re-caches the script after a restart. */
    @Override
    public CompletionStage<Void> probe() {
        return script.scriptLoadAsync(SCRIPT)
                .toCompletableFuture()
                .orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(sha -> null);
    }

    /** Runs the close action given at construction (shuts the client down when this owns it). */
    @Override
    public void close() {
        onClose.run();
    }

    static String requestKey(String provider) {
        return KEY_PREFIX + "{" + provider + "}:req";
    }

    static String tokenKey(String provider) {
        return KEY_PREFIX + "{" + provider + "}:tok";
    }

    private CompletableFuture<Long> run(RateLimitSpec spec, String op, long n) {
        String reqKey = requestKey(spec.provider());
        List<Object> keys = List.of(reqKey, tokenKey(spec.provider()));
        Object[] args = {
            op,
            Long.toString(spec.requestsPerMinute()),
            Long.toString(spec.effectiveRequestBurst()),
            Long.toString(spec.tokensPerMinute()),
            Long.toString(spec.effectiveTokenBurst()),
            Long.toString(n)
        };
        return script.<Long>evalShaAsync(reqKey, RScript.Mode.READ_WRITE, SHA, RScript.ReturnType.LONG, keys, args)
                .toCompletableFuture()
                .exceptionallyCompose(e -> isNoScript(e)
                        ? script.<Long>evalAsync(
                                        reqKey, RScript.Mode.READ_WRITE, SCRIPT, RScript.ReturnType.LONG, keys, args)
                                .toCompletableFuture()
                        : CompletableFuture.failedFuture(e));
    }

    private static boolean isNoScript(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    private static RateLimiterUnavailableException unavailable(Throwable cause) {
        return new RateLimiterUnavailableException(
                "Redis rate limiter call failed: " + RedisHealth.describe(cause), cause);
    }

    private static String readScript() {
        try (InputStream in = RedisRateLimiter.class.getResourceAsStream("rate_limit.lua")) {
            if (in == null) {
                throw new IllegalStateException("rate_limit.lua missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1Hex(String text) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(sha1.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
