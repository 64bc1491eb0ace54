package io.harborai.worker.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Single-flight by cache key: the first request of a key leads (its cache lookup and, on a miss,
 * its provider call answer everyone), identical requests arriving meanwhile wait for the leader's
 * answer instead of calling again.
 *
 * <p>No locks and no cross-instance coordination: the topology partitions requests by cache key, so
 * every request of one key reaches one task, and each task owns one instance, used only from its
 * stream thread. Hand-written because the libraries that coalesce (Caffeine's {@code AsyncCache},
 * Guava's loading caches) coalesce futures on one JVM's shared map, while here the leader's answer
 * arrives as a record on the task's own thread and waiters must stay plain values that the task
 * can re-admit after a crash.
 *
 * @param <T> what the task holds per request (the leader and each waiter)
 */
public final class SingleFlight<T> {
    private final Map<String, Flight<T>> flights = new HashMap<>();

    /** A key's leader and the requests waiting for its answer, in arrival order. */
    public record Flight<T>(T leader, List<T> waiters) {}

    /** Adds {@code request} as a waiter when {@code key} has a flight; false when it has none. */
    public boolean join(String key, T request) {
        Flight<T> flight = flights.get(key);
        if (flight == null) {
            return false;
        }
        flight.waiters().add(request);
        return true;
    }

    /** Starts the flight of {@code key} with {@code leader}; the key must have none. */
    public void lead(String key, T leader) {
        Flight<T> previous = flights.putIfAbsent(key, new Flight<>(leader, new ArrayList<>()));
        if (previous != null) {
            throw new IllegalStateException("key already has a flight: " + key);
        }
    }

    /** The leader of {@code key}'s flight, or null when it has none. */
    public T leader(String key) {
        Flight<T> flight = flights.get(key);
        return flight == null ? null : flight.leader();
    }

    /** Ends the flight of {@code key}: its waiters, to be answered with the leader's result. */
    public List<T> land(String key) {
        Flight<T> flight = flights.remove(key);
        return flight == null ? List.of() : flight.waiters();
    }

    /** Ends every flight (the task closes), handing each leader and its waiters to {@code release}. */
    public void abandonAll(BiConsumer<T, List<T>> release) {
        flights.values().forEach(f -> release.accept(f.leader(), f.waiters()));
        flights.clear();
    }
}
