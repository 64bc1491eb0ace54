package io.harborai.worker.testinfra;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resolved piece of infrastructure: the address clients use, the rung that provided it, and
 * the handle that releases it ({@code null} when the environment owns it).
 */
record Resource(String address, Rung rung, AutoCloseable owner) {

    private static final Logger log = LoggerFactory.getLogger(Resource.class);

    /** Releases the owned server or container, logging errors: this runs at the end of the test run. */
    void release() {
        if (owner == null) {
            return;
        }
        try {
            owner.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("Could not release {} resource at {}: {}", rung, address, e.toString());
        }
    }
}
