package io.harborai.worker.batch;

import java.util.HashMap;
import java.util.Map;

/**
 * Producer and consumer settings the batch tools (and the bench's clients) need on top of the
 * bootstrap servers: durable idempotent writes, and reads of committed data only with manual
 * commits, since every topic they read is written transactionally by the worker or by submit.
 */
public final class ClientDefaults {
    private ClientDefaults() {}

    public static Map<String, Object> producer() {
        Map<String, Object> p = new HashMap<>();
        p.put("acks", "all");
        p.put("enable.idempotence", true);
        p.put("linger.ms", 5);
        return p;
    }

    public static Map<String, Object> consumer() {
        Map<String, Object> c = new HashMap<>();
        c.put("isolation.level", "read_committed");
        c.put("enable.auto.commit", false);
        c.put("max.poll.records", 2000);
        return c;
    }
}
