package io.harborai.worker.cache;

import io.harborai.worker.avro.ChatResult;
import java.util.Objects;

/**
 * A cached LLM answer with the two instants every tier needs to judge it.
 *
 * <p>Why both times travel with the answer: {@code expiresAtMs} lets a worker that reads the entry
 * from Redis give its own L1 copy the same end of life instead of a fresh full TTL (so an answer
 * never outlives what the storing worker intended), and {@code storedAtMs} lets a request ask for
 * an answer no older than it can accept ({@link #fresherThan}) without a second cache key. Both are
 * wall-clock milliseconds since the epoch, since they are compared across worker instances.
 *
 * <p>Immutable as a record; the {@link ChatResult} inside is a mutable Avro object that callers
 * must treat as read-only (each {@link CacheCodec#decode} gives a fresh one).
 */
public record CachedAnswer(ChatResult answer, long storedAtMs, long expiresAtMs) {

    public CachedAnswer {
        Objects.requireNonNull(answer, "answer");
    }

    /** Whether the answer is at most {@code maxAgeMs} old at {@code nowMs} (the boundary counts as fresh). */
    public boolean fresherThan(long maxAgeMs, long nowMs) {
        return nowMs - storedAtMs <= maxAgeMs;
    }
}
