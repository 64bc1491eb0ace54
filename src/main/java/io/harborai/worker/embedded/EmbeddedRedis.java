package io.harborai.worker.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * <p>{@link Options} may ask for an ACL user with a password (the {@code default} user is then
 * off: a client without credentials gets {@code NOAUTH}) and for TLS only (a self-signed
 * certificate, {@link #tls()}; the plain port is closed and {@link #url()} is {@code rediss://}).
 * The password is written to the server's config file only as its SHA-256 (ACL {@code #hash}),
 * never on a command line.
 *
 * <p>Limits: not for production. The bundled binaries cover Linux
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
    private final SelfSignedTls tls;
    private boolean closed;

    private EmbeddedRedis(int port, Path workDir, RedisServer server, SelfSignedTls tls) {
        this.port = port;
        this.workDir = workDir;
        this.server = server;
        this.tls = tls;
    }

    /**
     * How the server guards itself.
     *
     * @param user an ACL user with every permission, or null for the open default user
     * @param password that user's password (required with a user)
     * @param tls serve TLS only, with a self-signed certificate for 127.0.0.1
     */
    public record Options(String user, String password, boolean tls) {
        public Options {
            if ((user == null) != (password == null)) {
                throw new IllegalArgumentException("an ACL user needs a password, and a password a user");
            }
        }

        /** No user, no TLS: what {@link #start()} runs. */
        public static Options open() {
            return new Options(null, null, false);
        }

        @Override
        public String toString() {
            return "Options[user=" + user + ", tls=" + tls + "]";
        }
    }

    /** Starts a server on a free loopback port. */
    public static EmbeddedRedis start() {
        return start(FreePorts.find());
    }

    /** Starts a server with {@code options} on a free loopback port. */
    public static EmbeddedRedis start(Options options) {
        return start(FreePorts.find(), options);
    }

    /**
     * Starts a server on {@code port} of 127.0.0.1.
     *
     * @throws IllegalStateException if the binary cannot be extracted or the server does not start
     */
    public static EmbeddedRedis start(int port) {
        return start(port, Options.open());
    }

    /**
     * Starts a server with {@code options} on {@code port} of 127.0.0.1.
     *
     * @throws IllegalStateException if the binary cannot be extracted or the server does not start
     */
    public static EmbeddedRedis start(int port, Options options) {
        if (port <= 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [1, 65535], was " + port);
        }
        long t0 = System.nanoTime();
        Path workDir = TempDirs.create("harbor-redis-");
        try {
            File binary =
                    ExecutableProvider.newJarResourceProvider(workDir.toFile()).get();
            List<String> args = new ArrayList<>(List.of(binary.getAbsolutePath(), config(workDir, options)));
            args.addAll(List.of(
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    workDir.toAbsolutePath().toString()));
            SelfSignedTls tls = options.tls() ? SelfSignedTls.create(workDir) : null;
            if (tls == null) {
                args.addAll(List.of("--port", Integer.toString(port)));
            } else {
                args.addAll(List.of(
                        "--port",
                        "0",
                        "--tls-port",
                        Integer.toString(port),
                        "--tls-cert-file",
                        tls.certPem().toString(),
                        "--tls-key-file",
                        tls.keyPem().toString(),
                        "--tls-ca-cert-file",
                        tls.certPem().toString(),
                        "--tls-auth-clients",
                        "no"));
            }
            RedisServer server = new RedisServer(port, args, true, serverLog::debug, serverLog::debug);
            server.start();
            EmbeddedRedis redis = new EmbeddedRedis(port, workDir, server, tls);
            log.info(
                    "Embedded Redis ready at {} ({}) in {} ms",
                    redis.url(),
                    options,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return redis;
        } catch (IOException | RuntimeException e) {
            TempDirs.deleteRecursively(workDir);
            throw new IllegalStateException(
                    "embedded Redis failed to start on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The address for clients, {@code redis://127.0.0.1:PORT} ({@code rediss://} with TLS), without credentials. */
    public String url() {
        return (tls == null ? "redis" : "rediss") + "://127.0.0.1:" + port;
    }

    /** The certificate and truststore of a TLS server, or null without TLS. */
    public SelfSignedTls tls() {
        return tls;
    }

    /**
     * The config file given to the server: with an ACL user, that user (all keys, channels and
     * commands) by the SHA-256 of its password, and the default user off.
     */
    private static String config(Path workDir, Options options) throws IOException {
        StringBuilder conf = new StringBuilder();
        if (options.user() != null) {
            conf.append("user default off\n")
                    .append("user ")
                    .append(options.user())
                    .append(" on #")
                    .append(sha256Hex(options.password()))
                    .append(" ~* &* +@all\n");
        }
        Path file = workDir.resolve("redis.conf");
        Files.writeString(file, conf.toString());
        return file.toAbsolutePath().toString();
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
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
