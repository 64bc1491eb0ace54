package io.harborai.worker.simulator;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The simulator's listening socket: a JDK {@link HttpServer} that can be taken down and bound
 * again on the same port, so a {@link SimulatorOutage.Mode#REFUSE} outage really refuses
 * connections. A stopped {@code HttpServer} cannot be restarted, so {@link #up()} creates a new
 * one on the port the first one got, with the same handler and executor (which outlive it).
 * {@link #down()} closes the listening socket and every open connection, as a crashed provider
 * would; answers still being computed for them are lost.
 *
 * <p>Threading: every method is {@code synchronized} (the current server is guarded by this);
 * called from the thread starting or closing the simulator and from the outage timer.
 */
final class SimulatorListener implements AutoCloseable {
    /** Pending connections the kernel queues before accept: bursts of hundreds of clients. */
    private static final int BACKLOG = 1024;
    /** The port can be briefly busy after a close; the JDK sets SO_REUSEADDR, so rarely. */
    private static final int BIND_ATTEMPTS = 100;

    private static final long BIND_RETRY_MS = 50;

    private final String host;
    private final HttpHandler handler;
    private final Executor executor;
    private final int port;
    private HttpServer server; // null while down
    private boolean closed;

    /** Binds {@code host:port} ({@code 0} = ephemeral) and starts serving. */
    SimulatorListener(String host, int port, HttpHandler handler, Executor executor) throws IOException {
        this.host = host;
        this.handler = handler;
        this.executor = executor;
        this.server = bind(port);
        this.port = server.getAddress().getPort();
    }

    /** The bound port; the same across {@link #down()} and {@link #up()}. */
    int port() {
        return port;
    }

    /** Whether the socket is listening. */
    synchronized boolean isUp() {
        return server != null;
    }

    /** Closes the listening socket and open connections; connects are refused until {@link #up()}. */
    synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /**
     * Listens again on the same port; a no-op when up or closed.
     *
     * @throws IOException if the port stays taken (by another process) for about 5 s
     */
    synchronized void up() throws IOException {
        if (closed || server != null) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                server = bind(port);
                return;
            } catch (BindException busy) {
                if (attempt == BIND_ATTEMPTS) {
                    throw busy;
                }
                try {
                    Thread.sleep(BIND_RETRY_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while binding port " + port, e);
                }
            }
        }
    }

    /** Stops listening for good: a later {@link #up()} does nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        down();
    }

    private HttpServer bind(int onPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(host, onPort), BACKLOG);
        s.setExecutor(executor);
        s.createContext("/", handler);
        s.start();
        return s;
    }
}
