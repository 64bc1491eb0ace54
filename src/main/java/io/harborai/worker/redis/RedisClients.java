package io.harborai.worker.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * and exceptions name only scheme, host and port.
 */
public final class RedisClients {

    /** Redisson's per-attempt command timeout. */
    public static final int COMMAND_TIMEOUT_MS = 250;

    private static final int CONNECT_TIMEOUT_MS = 500;

    private RedisClients() {}

    /**
     * @param redisUrl {@code redis://} or {@code rediss://} (TLS), optionally {@code user:password@}
     *     or {@code :password@}, optionally {@code /db}
     * @throws IllegalArgumentException for a malformed URL (the message never quotes it)
     */
    public static RedissonClient create(String redisUrl) {
        return Redisson.create(redissonConfig(RedisUrl.parse(redisUrl)));
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
