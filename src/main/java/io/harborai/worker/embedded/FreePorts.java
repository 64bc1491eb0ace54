package io.harborai.worker.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Finds a TCP port on the loopback interface that is free right now.
 *
 * <p>Limit: the port is released before it is returned, so another process can take it before the
 * caller binds it. Good enough for tests and local dev servers; never use it where a race matters.
 */
public final class FreePorts {

    private FreePorts() {}

    /** Returns a port that was free on 127.0.0.1 when this method ran. */
    public static int find() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }
}
