package io.harborai.worker.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * The one way the worker builds a Redis client (rate limits and the L2 cache share it).
 *
 * <p>Tuned to fail fast rather than to wait out an outage: a command gets {@value
 * #COMMAND_TIMEOUT_MS} ms and one retry, and the client connects lazily, so the worker also starts
 * while Redis is down. Credentials in the URL are handed to Redisson separately, so its log lines
 * and exceptions name only scheme, host and port. {@code rediss://} trusts the JVM's truststore
 * ({@code -Djavax.net.ssl.trustStore}, e.g. in {@code JAVA_TOOL_OPTIONS}) and checks the host name.
 */
public final class RedisClients {

    /** Redisson's per-attempt command timeout. */
    public static final int COMMAND_TIMEOUT_MS = 250;

    private static final int CONNECT_TIMEOUT_MS = 500;
    /** A TLS handshake adds round trips and, in a cold JVM, seconds of CPU: 500 ms timed out here. */
    private static final int TLS_CONNECT_TIMEOUT_MS = 2_000;

    private RedisClients() {}

    /**
     * @param redisUrl {@code redis://} or {@code rediss://} (TLS), optionally {@code user:password@}
     *     or {@code :password@}, optionally {@code /db}
     * @throws IllegalArgumentException for a malformed URL (the message never quotes it)
     */
    public static RedissonClient create(String redisUrl) {
        return Redisson.create(redissonConfig(RedisUrl.parse(redisUrl)));
    }

    /**
     * Fails fast when Redis answers but refuses the credentials (WRONGPASS, NOAUTH, NOPERM): the
     * lazy client would otherwise start, then fail every command as if Redis were down. Redis down
     * or slow is not an error here (the worker starts on local limits): the check gives up after
     * {@code timeout} and returns.
     *
     * @throws IllegalStateException naming Redis, the user and the keys to check, never the password
     */
    public static void checkCredentials(RedissonClient client, String redisUrl, Duration timeout) {
        RedisUrl url = RedisUrl.parse(redisUrl);
        try {
            client.getBucket("harbor:start-up-check")
                    .isExistsAsync()
                    .toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            String refusal = refusal(e);
            if (refusal != null) {
                throw new IllegalStateException("Redis: authentication failed for user "
                        + (url.username() == null ? "default" : url.username()) + " at " + url.address() + " ("
                        + refusal + "; check redis.username and redis.password-file, or the credentials in "
                        + "redis.url)");
            }
        } catch (TimeoutException e) {
            // down or slow: the worker starts and RedisHealth takes it from here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The Redis error code when {@code e} is a refusal of the credentials, else null. */
    static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            for (String code : List.of("WRONGPASS", "NOAUTH", "NOPERM", "invalid password")) {
                if (m.contains(code)) {
                    return code;
                }
            }
        }
        return null;
    }

    /** Shuts a client down without the default 15 s quiet period. */
    public static void shutdown(RedissonClient client) {
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    public static Config redissonConfig(RedisUrl url) {
        Config config = new Config();
        // Connect on first use: a worker must start, on local limits, while Redis is down.
        config.setLazyInitialization(true);
        config.setNettyThreads(4);
        config.useSingleServer()
                .setAddress(url.address())
                .setDatabase(url.database())
                .setTimeout(COMMAND_TIMEOUT_MS)
                .setConnectTimeout(url.address().startsWith("rediss:") ? TLS_CONNECT_TIMEOUT_MS : CONNECT_TIMEOUT_MS)
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
    public record RedisUrl(String address, String username, String password, int database) {

        public static RedisUrl parse(String url) {
            URI uri;
            try {
                uri = new URI(url == null ? "" : url.trim());
            } catch (URISyntaxException e) {
                // The URISyntaxException message quotes the input, password included.
                throw new IllegalArgumentException(
                        "Redis URL is malformed (percent-encode special characters" + " in the password)");
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
