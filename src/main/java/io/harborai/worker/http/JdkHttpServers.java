package io.harborai.worker.http;

/**
 * Settings for every JDK {@code com.sun.net.httpserver.HttpServer} this project starts (the
 * simulator, the in-process schema registry). The JDK reads them once, when its
 * {@code ServerConfig} class loads, i.e. when the first server in the JVM starts: so every server
 * must call {@link #tune()} before it is created, or the first one started fixes them for all.
 *
 * <p>Thread-safe and idempotent; an explicit {@code -D} on the command line wins.
 */
public final class JdkHttpServers {
    private JdkHttpServers() {}

    /** Sets the properties not already given. */
    public static void tune() {
        // The default (200) makes the server close pooled keep-alive connections under load, and
        // clients at high concurrency then see read errors ("unexpected end of stream") on
        // requests sent down connections being closed.
        setIfAbsent("sun.net.httpserver.maxIdleConnections", "10000");
        // The server writes response headers and body in separate segments; with Nagle on, the
        // body waits for the client's delayed ACK of the headers (~40 ms on Linux), so a client
        // calling one at a time saw ~45 ms per call at "0 ms" latency (about 20 calls/s).
        setIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
