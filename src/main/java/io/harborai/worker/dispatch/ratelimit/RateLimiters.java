package io.harborai.worker.dispatch.ratelimit;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * Builds the worker's rate limiter from configuration: unlimited when no provider has a limit,
 * else a {@link FailoverRateLimiter} over Redis (shared) and in-process buckets (fallback).
 *
 * <p>The Redis client is tuned to fail fast rather than to wait out an outage: a command gets
 * {@value #COMMAND_TIMEOUT_MS} ms and one retry, every limiter call is capped at {@value
 * #CALL_TIMEOUT_MS} ms, and the client connects lazily, so the worker also starts while Redis is
 * down (on local limits). Credentials in the URL are handed to Redisson separately, so its log
 * lines and exceptions name only scheme, host and port.
 */
public final class RateLimiters {

    /** Redisson's per-attempt command timeout. */
    public static final int COMMAND_TIMEOUT_MS = 250;
    /** Hard cap on one limiter call, retries included: what the stream thread may wait at worst. */
    public static final int CALL_TIMEOUT_MS = 400;
    private static final int CONNECT_TIMEOUT_MS = 500;

    private RateLimiters() {}

    /** As {@link #create(String, List, double, LongSupplier)} on {@link System#nanoTime()}. */
    public static RateLimiter create(String redisUrl, List<RateLimitSpec> specs, double localShare) {
        return create(redisUrl, specs, localShare, System::nanoTime);
    }

    /**
     * @param redisUrl {@code redis://} or {@code rediss://} (TLS), optionally {@code user:password@}
     *     or {@code :password@}, optionally {@code /db}
     * @param specs provider limits; providers without one are unlimited
     * @param localShare the fraction of each limit one instance enforces while Redis is down, in
     *     (0, 1]; see {@link LocalRateLimiter}
     * @throws IllegalArgumentException for a malformed URL (the message never quotes it) or share
     */
    public static RateLimiter create(String redisUrl, List<RateLimitSpec> specs, double localShare,
                                     LongSupplier nanoClock) {
        if (specs.stream().noneMatch(RateLimitSpec::limited)) {
            return RateLimiter.unlimited();
        }
        LocalRateLimiter local = new LocalRateLimiter(specs, localShare, nanoClock);
        RedissonClient client = Redisson.create(redissonConfig(RedisUrl.parse(redisUrl)));
        RedisRateLimiter shared = new RedisRateLimiter(client, specs, Duration.ofMillis(CALL_TIMEOUT_MS),
                () -> client.shutdown(0, 2, TimeUnit.SECONDS));
        return new FailoverRateLimiter(shared, local, nanoClock, FailoverRateLimiter.DEFAULT_PROBE_INTERVAL);
    }

    static Config redissonConfig(RedisUrl url) {
        Config config = new Config();
        // Connect on first use: a worker must start, on local limits, while Redis is down.
        config.setLazyInitialization(true);
        config.setNettyThreads(4);
        config.useSingleServer()
                .setAddress(url.address())
                .setDatabase(url.database())
                .setTimeout(COMMAND_TIMEOUT_MS)
                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setRetryAttempts(1)
                .setRetryDelay(new ConstantDelay(Duration.ofMillis(50)))
                .setReconnectionDelay(new ConstantDelay(Duration.ofMillis(200)))
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(8)
                .setSubscriptionConnectionMinimumIdleSize(0)
                .setSubscriptionConnectionPoolSize(1);
        // Redisson 4 takes credentials on Config (the per-server setters are deprecated).
        if (url.username() != null) {
            config.setUsername(url.username());
        }
        if (url.password() != null) {
            config.setPassword(url.password());
        }
        return config;
    }

    /**
     * A Redis URL split into the address Redisson may log and the credentials it must not.
     * {@link #toString()} hides the password.
     */
    record RedisUrl(String address, String username, String password, int database) {

        static RedisUrl parse(String url) {
            URI uri;
            try {
                uri = new URI(url == null ? "" : url.trim());
            } catch (URISyntaxException e) {
                // The URISyntaxException message quotes the input, password included.
                throw new IllegalArgumentException("Redis URL is malformed (percent-encode special characters"
                        + " in the password)");
            }
            String scheme = uri.getScheme();
            if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
                throw new IllegalArgumentException("Redis URL must start with redis:// or rediss://");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("Redis URL has no host");
            }
            String username = null;
            String password = null;
            String userInfo = uri.getUserInfo();
            if (userInfo != null && !userInfo.isEmpty()) {
                int colon = userInfo.indexOf(':');
                username = colon < 0 ? null : userInfo.substring(0, colon);
                password = colon < 0 ? userInfo : userInfo.substring(colon + 1);
                username = username == null || username.isEmpty() ? null : username;
            }
            int database = 0;
            String path = uri.getPath();
            if (path != null && path.length() > 1) {
                try {
                    database = Integer.parseInt(path.substring(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Redis URL path must be a database number");
                }
            }
            int port = uri.getPort() < 0 ? 6379 : uri.getPort();
            return new RedisUrl(scheme + "://" + uri.getHost() + ":" + port, username, password, database);
        }

        @Override
        public String toString() {
            return address + (database == 0 ? "" : "/" + database) + (password == null ? "" : " (password set)");
        }
    }
}
