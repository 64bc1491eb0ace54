package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderRouter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>Threading: the engine's stream thread alone calls {@link #start}, {@link #handOff}, {@link
 * #poll} and {@link #close}, and alone reads and writes the {@link PendingEntry}s. A handed-off
 * call ({@link Ready}) is sent by whichever thread frees a slot of its lane (an OkHttp thread, as a
 * call ends), from the copy {@link #handOff} made of its entry. The completion callback runs on an
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
        prepare(e, lane, Ready.SENT).send();
    }

    /**
     * As {@link #start}, for a call whose lane has no slot free now (the rate limiter's permit is
     * taken): it waits in the lane's queue and the thread that frees the next slot sends it ({@link
     * ProviderLane#offer}). Until then its stream thread may {@linkplain Ready#reclaim take it
     * back} and {@link #undo} it.
     */
    Ready handOff(PendingEntry e, ProviderLane lane) {
        Ready call = prepare(e, lane, Ready.QUEUED);
        lane.offer(call);
        return call;
    }

    /** Reverts what {@link #handOff} counted for a call taken back before it was sent. */
    static void undo(PendingEntry e) {
        e.callsOnModel--;
        e.attemptsOnModel--;
        e.totalAttempts--;
        e.generation++;
        e.state = PendingEntry.State.READY;
    }

    private Ready prepare(PendingEntry e, ProviderLane lane, int state) {
        e.callsOnModel++;
        e.attemptsOnModel++;
        e.totalAttempts++;
        e.generation++;
        e.state = PendingEntry.State.IN_FLIGHT;
        rt.trace.callStarted(e);
        return new Ready(this, e, lane, state);
    }

    /**
     * A call ready to send: what sending needs, copied from its entry on the stream thread, so any
     * thread may send it. A handed-off call is {@link #QUEUED} until one thread moves it on: {@link
     * #claim} (the sender) or {@link #reclaim} (its stream thread); the compare-and-set lets
     * exactly one of them win, so a call is sent at most once per generation.
     */
    static final class Ready {
        static final int QUEUED = 0;
        static final int SENT = 1;
        static final int RECLAIMED = 2;

        private final ProviderCalls owner;
        /** Read only by the owner's stream thread (sweeps). */
        final PendingEntry entry;

        final ProviderLane lane;
        final double share;
        private final String id;
        private final long generation;
        private final ProviderRouter.Route route;
        private final ChatRequest request;
        private final String model;
        private final long estimate;
        private final boolean repeat;
        private final boolean first;
        private final AtomicInteger state;

        private Ready(ProviderCalls owner, PendingEntry e, ProviderLane lane, int state) {
            this.owner = owner;
            this.entry = e;
            this.lane = lane;
            this.share = owner.rt.laneShare;
            this.id = e.id;
            this.generation = e.generation;
            this.route = e.route;
            this.request = e.current;
            this.model = e.model();
            this.estimate = e.estimatedTokens;
            this.repeat = e.breakerCharged;
            this.first = e.callsOnModel == 1;
            this.state = new AtomicInteger(state);
        }

        boolean queued() {
            return state.get() == QUEUED;
        }

        /** The sender takes a queued call; false when its stream thread took it back first. */
        boolean claim() {
            return state.compareAndSet(QUEUED, SENT);
        }

        /** Its stream thread takes a queued call back; false when a sender took it first. */
        boolean reclaim() {
            return state.compareAndSet(QUEUED, RECLAIMED);
        }

        /** Sends it; any thread, once it holds the lane's slot and is {@link #SENT}. */
        void send() {
            owner.send(this);
        }
    }

    private void send(Ready r) {
        ProviderLane lane = r.lane;
        if (r.first) {
            lane.retryBudget().recordFirstAttempt();
        }
        String modelTag = rt.router.configuredName(r.model);
        CompletableFuture<ProviderOutcome> call;
        try {
            call = rt.caller.call(r.route, r.request, r.model);
        } catch (RuntimeException ex) {
            call = CompletableFuture.completedFuture(internal(lane.provider(), r.model, ex));
        }
        boolean retry = !r.first;
        call.whenComplete((outcome, error) -> {
            // OkHttp thread (or this one when already complete): only thread-safe state from here.
            ProviderOutcome o = outcome != null ? outcome : internal(lane.provider(), r.model, error);
            boolean charged = lane.onOutcome(o, r.share, r.repeat);
            if (retry && o instanceof ProviderOutcome.Success) {
                lane.retryBudget().refund();
            }
            lane.meters().record(modelTag, o);
            long used = o instanceof ProviderOutcome.Success ok
                    ? (ok.usage() == null ? r.estimate : ok.usage().getTotalTokens())
                    : 0;
            rt.rateLimiter.recordUsage(lane.provider(), r.estimate, used);
            if (!closed) {
                rt.inFlight.completionArrived();
                completions.offer(new Completion(r.id, r.generation, o, charged));
            }
            lane.sendWaiting(); // the slot this call held may take a handed-off call at once
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
