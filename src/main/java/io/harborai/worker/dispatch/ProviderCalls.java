package io.harborai.worker.dispatch;

import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@link DispatchEngine}'s provider calls: starts each call and hands its completion back to
 * the engine's stream thread, which decides what happens to the request (result, retry, fallback).
 *
 * <p>What a finished call changes for everyone is recorded at once, on the thread that finished it:
 * the lane's breaker and meters, the retry budget's refund, the rate limiter's token usage; so other
 * tasks see a provider's trouble without waiting for this task's stream thread to come by.
 *
 * <p>Exactly once: each call carries its request's generation, bumped when the call starts; a
 * completion is {@linkplain Completion#current current} only while its request is still held, in
 * flight, and on that generation. Any other completion is late and is dropped by the engine.
 *
 * <p>Threading: the engine's stream thread alone calls {@link #start}, {@link #poll} and {@link
 * #close}, and alone reads and writes the {@link PendingEntry}s. The completion callback runs on an
 * OkHttp thread (or on the stream thread, when the call is already complete) and touches only
 * thread-safe things: the shared {@link ProviderLane}, the rate limiter, {@link InFlight}, {@code
 * completions} (a concurrent queue whose size is bounded by the calls in flight) and the volatile
 * {@code closed}. It never sees the entry: {@link #start} copies what the callback needs first.
 */
final class ProviderCalls {
    /**
     * A finished call, waiting for the stream thread.
     *
     * @param charged the lane's breaker recorded this call's fault
     */
    record Completion(String id, long generation, ProviderOutcome outcome, boolean charged) {
        /** Whether {@code e} (the held request with this id, or null) still waits for this call. */
        boolean current(PendingEntry e) {
            return e != null && e.generation == generation && e.state == PendingEntry.State.IN_FLIGHT;
        }
    }

    /** Not a call: queued by {@link #wake} so a thread blocked in {@link #poll(long)} looks again. */
    private static final Completion WAKE = new Completion(null, -1, null, false);

    private final DispatchRuntime rt;
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    /**
     * The stream thread is blocked in {@link #poll(long)}: only then does {@link #wake} queue
     * anything, so a request's cache lookup costs the queue nothing while nobody waits. A wake that
     * comes just before the flag is set is missed, and that wait lasts its full slice (the caller's
     * {@code dispatch.punctuate-ms}) instead.
     */
    private volatile boolean waiting;

    ProviderCalls(DispatchRuntime runtime) {
        this.rt = runtime;
    }

    /**
     * Counts a new call of {@code e} on its current model (its lane's slot, the rate limiter's
     * permit and, for a retry, the retry budget are already taken), moves it to a new generation,
     * and sends it.
     */
    void start(PendingEntry e, ProviderLane lane) {
        if (e.callsOnModel == 0) {
            lane.retryBudget().recordFirstAttempt();
        }
        e.callsOnModel++;
        e.attemptsOnModel++;
        e.totalAttempts++;
        e.generation++;
        e.state = PendingEntry.State.IN_FLIGHT;
        rt.trace.callStarted(e);
        send(e, lane);
    }

    private void send(PendingEntry e, ProviderLane lane) {
        String id = e.id;
        long generation = e.generation;
        String model = e.model();
        long estimate = e.estimatedTokens;
        boolean repeat = e.breakerCharged;
        boolean retry = e.callsOnModel > 1;
        String modelTag = rt.router.configuredName(model);
        CompletableFuture<ProviderOutcome> call;
        try {
            call = rt.caller.call(e.route, e.current, model);
        } catch (RuntimeException ex) {
            call = CompletableFuture.completedFuture(internal(lane.provider(), model, ex));
        }
        call.whenComplete((outcome, error) -> {
            // OkHttp thread (or this one when already complete): only thread-safe state from here.
            ProviderOutcome o = outcome != null ? outcome : internal(lane.provider(), model, error);
            boolean charged = lane.onOutcome(o, rt.laneShare, repeat);
            if (retry && o instanceof ProviderOutcome.Success) {
                lane.retryBudget().refund();
            }
            lane.meters().record(modelTag, o);
            long used = o instanceof ProviderOutcome.Success ok
                    ? (ok.usage() == null ? estimate : ok.usage().getTotalTokens())
                    : 0;
            rt.rateLimiter.recordUsage(lane.provider(), estimate, used);
            if (!closed) {
                rt.inFlight.completionArrived();
                completions.offer(new Completion(id, generation, o, charged));
            }
        });
    }

    /** Takes the next completion, or null when none has arrived. */
    Completion poll() {
        return taken(completions.poll());
    }

    /**
     * Takes the next completion, waiting up to {@code timeoutNs}; null when none arrived, or when
     * {@link #wake} ended the wait first.
     */
    Completion poll(long timeoutNs) throws InterruptedException {
        waiting = true;
        try {
            return taken(completions.poll(timeoutNs, TimeUnit.NANOSECONDS));
        } finally {
            waiting = false;
        }
    }

    /**
     * Ends a wait in {@link #poll(long)} early, from any thread: work the waiting stream thread
     * must see arrived outside this queue (a cache lookup answered).
     */
    void wake() {
        if (waiting && !closed) {
            completions.offer(WAKE);
        }
    }

    private Completion taken(Completion c) {
        while (c == WAKE) {
            c = completions.poll();
        }
        if (c != null) {
            rt.inFlight.completionTaken();
        }
        return c;
    }

    /** Stops queueing completions and drops those waiting (their requests are gone with the engine). */
    void close() {
        closed = true;
        while (poll() != null) {
            // taken() gave each one's InFlight count back
        }
    }

    private static ProviderOutcome.Failure internal(String provider, String model, Throwable t) {
        return new ProviderOutcome.Failure(
                ErrorCode.INTERNAL,
                "provider '" + provider + "' model '" + model + "': unexpected "
                        + (t == null ? "null outcome" : t.getClass().getName() + ": " + t.getMessage()),
                null,
                null,
                0);
    }
}
