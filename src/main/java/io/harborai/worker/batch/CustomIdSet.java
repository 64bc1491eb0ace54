package io.harborai.worker.batch;

import com.carrotsearch.hppc.HashContainers;
import com.carrotsearch.hppc.LongHashSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The custom_ids seen so far in a batch file, in bounded memory: only a 64-bit hash of each is
 * kept (the first 8 bytes of its SHA-256) in a primitive {@link LongHashSet} (hppc: one open
 * addressing {@code long[]}), 8-16 bytes per line, where the strings themselves, or a {@code
 * HashSet<Long>} at some 50 bytes per element, could take gigabytes for millions of lines.
 *
 * <p>The price is a false "duplicate" when two distinct custom_ids share a hash. SHA-256 output is
 * uniform, so one pair collides with probability 2^-64 and, among n distinct ids, any pair does
 * with probability about n^2 / 2^65: 3e-8 for a million lines, 3e-6 for ten million. A collision
 * would turn one valid line into a {@code duplicate_custom_id} error line; nothing is lost silently.
 *
 * <p>Not thread-safe.
 */
final class CustomIdSet {
    private final LongHashSet hashes;
    private final MessageDigest sha256;

    CustomIdSet(long expected) {
        if (expected > HashContainers.maxElements(HashContainers.DEFAULT_LOAD_FACTOR)) {
            throw new IllegalArgumentException("too many lines for one batch: " + expected);
        }
        this.hashes = new LongHashSet((int) expected);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds {@code customId}; returns false if it (or, with the odds above, a colliding id) was seen before. */
    boolean add(String customId) {
        return hashes.add(hash(customId));
    }

    long hash(String customId) {
        byte[] d = sha256.digest(customId.getBytes(StandardCharsets.UTF_8));
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }
}
