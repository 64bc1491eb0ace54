package io.harborai.worker.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} process (the binary shipped inside {@code
 * com.github.codemonstur:embedded-redis}, Redis 6.2) bound to 127.0.0.1 on a free port.
 *
 * <p>Contract: after {@link #start()} returns, the server answers on {@link #url()}. It keeps
 * nothing on disk ({@code save ""}, {@code appendonly no}), so {@link #restart()} comes back
 * empty, on the same port. {@link #stop()} kills the process abruptly (SIGKILL), which is what a
 * crash looks like to clients; outage tests rely on that.
 *
 * <p>Limits: no password, no TLS, not for production. The bundled binaries cover Linux
 * x86_64/arm64/x86 and macOS; the Linux x86_64 one needs OpenSSL 3 ({@code libssl.so.3}). Between
 * {@code stop()} and {@code restart()} another process could take the port; then {@code restart()}
 * fails.
 *
 * <p>Threading: all state changes are {@code synchronized}; any thread may call any method.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
    private static final Logger serverLog = LoggerFactory.getLogger("io.harborai.worker.embedded.redis-server");

    private final int port;
    private final Path workDir;
    private final RedisServer server;
    private boolean closed;

    private EmbeddedRedis(int port, Path workDir, RedisServer server) {
        this.port = port;
        this.workDir = workDir;
        this.server = server;
    }

    /** Starts a server on a free loopback port. */
    public static EmbeddedRedis start() {
        return start(FreePorts.find());
    }

    /**
     * Starts a server on {@code port} of 127.0.0.1.
     *
     * @throws IllegalStateException if the binary cannot be extracted or the server does not start
     */
    public static EmbeddedRedis start(int port) {
        if (port <= 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [1, 65535], was " + port);
        }
        long t0 = System.nanoTime();
        Path workDir = TempDirs.create("harbor-redis-");
        try {
            File binary =
                    ExecutableProvider.newJarResourceProvider(workDir.toFile()).get();
            List<String> args = List.of(
                    binary.getAbsolutePath(),
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    workDir.toAbsolutePath().toString());
            RedisServer server = new RedisServer(port, args, true, serverLog::debug, serverLog::debug);
            server.start();
            log.info(
                    "Embedded Redis ready at redis://127.0.0.1:{} in {} ms",
                    port,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return new EmbeddedRedis(port, workDir, server);
        } catch (IOException | RuntimeException e) {
            TempDirs.deleteRecursively(workDir);
            throw new IllegalStateException(
                    "embedded Redis failed to start on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The address for clients, {@code redis://127.0.0.1:PORT}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** The TCP port; it stays the same across {@link #stop()} and {@link #restart()}. */
    public int port() {
        return port;
    }

    /** Whether the server process is running. */
    public synchronized boolean isRunning() {
        return server.isActive();
    }

    /** Kills the server process; clients see connection errors until {@link #restart()}. No-op if stopped. */
    public synchronized void stop() {
        if (!server.isActive()) {
            return;
        }
        try {
            server.stop();
        } catch (IOException e) {
            throw new IllegalStateException("embedded Redis on port " + port + " did not stop: " + e.getMessage(), e);
        }
    }

    /**
     * Starts the server again on the same port, with an empty data set. No-op if it is running.
     *
     * @throws IllegalStateException if closed, or if the process does not come up
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("embedded Redis on port " + port + " is closed");
        }
        if (server.isActive()) {
            return;
        }
        try {
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "embedded Redis did not restart on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server and deletes its extracted binary and working directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (!TempDirs.deleteRecursively(workDir)) {
                log.warn("Could not fully delete embedded Redis directory {}", workDir);
            }
        }
    }
}
