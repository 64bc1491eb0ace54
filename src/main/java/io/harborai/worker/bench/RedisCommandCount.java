package io.harborai.worker.bench;

import io.harborai.worker.redis.RedisClients;
import java.util.Map;
import java.util.TreeMap;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.Config;

/**
 * Commands the Redis server processed, from its {@code INFO commandstats}, so the commands a phase
 * cost are counted at the server, outside the workers. The bench's own commands are left out: its
 * client sends only {@code INFO} (not counted, by name) over one connection opened before the first
 * snapshot, with Redisson's keep-alive {@code PING} turned off.
 *
 * <p>Every client of the server counts: on a Redis shared with other traffic the figure includes
 * it. Threading: used by the bench's calling thread only.
 */
final class RedisCommandCount implements AutoCloseable {
    private static final String PREFIX = "cmdstat_";

    /** Null when Redis could not be reached at the start. */
    private final RedissonClient client;

    RedisCommandCount(String redisUrl) {
        Config config = RedisClients.redissonConfig(RedisClients.RedisUrl.parse(redisUrl));
        // Connected now, so the client's own set-up commands come before the first snapshot; and patient,
        // as the bench is not the worker and must not lose its figure on a busy machine.
        config.setLazyInitialization(false);
        config.useSingleServer()
                .setTimeout(5_000)
                .setConnectTimeout(5_000)
                .setRetryAttempts(2)
                .setPingConnectionInterval(0)
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(1);
        this.client = connect(config);
    }

    private static RedissonClient connect(Config config) {
        try {
            return Redisson.create(config);
        } catch (RuntimeException e) {
            System.err.println("warning: cannot connect to Redis (" + e.getMessage() + "); no Redis figure");
            return null;
        }
    }

    /**
     * Calls per command name (lower case) processed so far, {@code info} excluded; null when Redis
     * cannot be asked (then the bench reports no Redis figure).
     */
    Map<String, Long> snapshot() {
        if (client == null) {
            return null;
        }
        try {
            Map<String, String> stats =
                    client.getRedisNodes(RedisNodes.SINGLE).getInstance().info(RedisNode.InfoSection.COMMANDSTATS);
            Map<String, Long> calls = new TreeMap<>();
            stats.forEach((key, value) -> {
                String name = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : null;
                if (name != null && !name.equals("info")) {
                    calls.put(name, calls(value));
                }
            });
            return calls;
        } catch (RuntimeException e) {
            System.err.println("warning: Redis INFO commandstats failed (" + e.getMessage() + "); no Redis figure");
            return null;
        }
    }

    /** {@code calls} of a {@code calls=12,usec=34,...} value. */
    static long calls(String value) {
        for (String part : value.split(",")) {
            if (part.startsWith("calls=")) {
                return Long.parseLong(part.substring("calls=".length()).trim());
            }
        }
        return 0;
    }

    /** Calls per command between two snapshots, zero growths left out; null if either is. */
    static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
        if (before == null || after == null) {
            return null;
        }
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((name, n) -> {
            long d = n - before.getOrDefault(name, 0L);
            if (d > 0) {
                delta.put(name, d);
            }
        });
        return delta;
    }

    @Override
    public void close() {
        if (client != null) {
            RedisClients.shutdown(client);
        }
    }
}
