package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderRouter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches one stream task's requests asynchronously and hands back exactly one result per
 * request, on the stream thread.
 *
 * <p>Life of a request: {@link #submit} queues it in the {@link MicroBatcher}; {@link #pump} sends
 * due micro-batches (each request needs its lane's breaker permission and concurrency slot and the
 * rate limiter's permit, else it stays queued for the next pump), forwards completions, wakes due
 * retries. A failure is retried with jittered backoff (never before Retry-After, within the
 * per-provider retry budget and the request's deadline) up to {@code maxAttempts} calls per model,
 * then the next model of its chain (own {@code fallback_models}, then the configured defaults)
 * takes over; when none is left, the last error is the result.
 *
 * <p>A request fails only for its own reasons; provider-wide trouble ({@link FailureScope}) is
 * retried without using an attempt, an open circuit keeps it queued (or moves it to a fallback) until
 * half-open probes go through, an exhausted retry budget postpones the retry.
 *
 * <p>Exactly once: each call carries a generation ({@link ProviderCalls}); a completion whose
 * request is gone or has a newer attempt is dropped (counted), so a request's result is emitted once
 * per processing.
 *
 * <p>A request that finds its lane's slots full is handed to the lane's queue ({@link #handOff}):
 * the thread that frees the next slot sends it, so the provider stays busy while the stream thread
 * commits or polls.
 *
 * <p>Longer than most files here on purpose: every transition of a request's state is in this one
 * class, on one thread; the parts that are not transitions live beside it ({@link MicroBatcher},
 * {@link ProviderCalls}, {@link HandOffs}, {@link Answers}, {@link Results}, and the model chain in
 * {@link PendingEntry}).
 *
 * <p>Threading: one engine per stream task. All of its state (the held entries, the batcher, the
 * retry queue, {@code closed}) is owned by the task's stream thread, which alone calls {@link
 * #submit}, {@link #pump}, {@link #awaitCapacity} and {@link #close}. OkHttp callback threads never
 * reach the engine: they end in its {@link ProviderCalls}, which queues their completions for the
 * stream thread.
 */
public final class DispatchEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DispatchEngine.class);

    /** Receives each result, on the stream thread; the processor forwards it and deletes the entry. */
    @FunctionalInterface
    public interface Sink {
        void emit(ChatResult result);
    }

    private final DispatchRuntime rt;
    private final DispatchSettings s;
    private final Sink sink;
    private final Map<String, PendingEntry> entries = new HashMap<>();
    private final MicroBatcher batcher;
    private final PriorityQueue<PendingEntry> waiting = new PriorityQueue<>(Comparator.comparingLong(e -> e.dueAtMs));
    private final ProviderCalls calls;
    /** Providers whose lane had no free slot in the current pump (a first call may be handed off). */
    private final Set<String> busyLanes = new HashSet<>();
    /**
     * Providers whose breaker was open or whose rate limiter refused in the current pump: nothing
     * starts and nothing is handed off.
     */
    private final Set<String> blockedLanes = new HashSet<>();
    /** Calls handed to full lanes' queues; null when this engine never hands off ({@link #handsOff}). */
    private final HandOffs handedOff;

    private boolean closed;

    public DispatchEngine(DispatchRuntime runtime, Sink sink) {
        this.rt = runtime;
        this.s = runtime.settings;
        this.sink = sink;
        this.batcher = new MicroBatcher(s.batchMaxCount(), s.batchMaxBytes(), s.lingerMs());
        this.calls = new ProviderCalls(runtime);
        this.handedOff = handsOff(runtime) ? new HandOffs() : null;
    }

    /**
     * Whether a request that finds its lane full is handed to the lane's queue, to be sent by the
     * thread that frees the next slot. Normal-priority traffic only: batch traffic must ask the
     * {@link PriorityGate} before every call, on its stream thread.
     */
    static boolean handsOff(DispatchRuntime runtime) {
        return runtime.priority == PriorityGate.OPEN && runtime.laneShare >= 1.0;
    }

    /** Whether a request with this id is held (queued, in flight or awaiting a retry). */
    public boolean contains(String id) {
        return entries.containsKey(id);
    }

    /** Requests held by this engine. */
    public int size() {
        return entries.size();
    }

    /**
     * Takes a request; it counts against the worker's in-flight budget until its result is emitted.
     * Its deadline is {@code deadline_ms} when set, else {@code receivedAtMs + max-queue-ms} (the batch
     * completion window for batch traffic).
     *
     * @param bytes the request's serialized size, for the byte cap
     * @param redispatch true when restored from the pending store after a crash or rebalance
     */
    public void submit(ChatRequest request, long receivedAtMs, long bytes, boolean redispatch) {
        long now = rt.clock.millis();
        long deadline = request.getDeadlineMs() != null ? request.getDeadlineMs() : receivedAtMs + rt.queueDeadlineMs;
        PendingEntry e = new PendingEntry(
                request, receivedAtMs, deadline, bytes, TokenEstimate.of(request), s.defaultFallbackModels());
        if (entries.putIfAbsent(e.id, e) != null) {
            throw new IllegalStateException("request " + e.id + " is already held");
        }
        rt.inFlight.add(bytes);
        rt.trace.submitted(e, now);
        if (redispatch) {
            rt.redispatched.increment();
        }
        Optional<ProviderRouter.Route> route = rt.router.route(e.model());
        if (route.isPresent()) {
            e.route = route.get();
        } else {
            String msg = "no configured provider serves model '" + e.model() + "'";
            if (!e.advance(rt.router, e.failedWith(ErrorCode.UNKNOWN_MODEL, msg))) {
                finish(e, e.failed(ErrorCode.UNKNOWN_MODEL, msg, null, now));
                return;
            }
        }
        batcher.add(e, now);
    }

    /** Forwards completions, wakes due retries and sends due micro-batches; never blocks. */
    public void pump() {
        if (closed) {
            return;
        }
        for (ProviderCalls.Completion c = calls.poll(); c != null; c = calls.poll()) {
            onCompletion(c);
        }
        long now = rt.clock.millis();
        while (!waiting.isEmpty() && waiting.peek().dueAtMs <= now) {
            batcher.add(waiting.poll(), now);
        }
        List<PendingEntry> refused = new ArrayList<>();
        busyLanes.clear();
        blockedLanes.clear();
        while (batcher.due(now)) {
            for (PendingEntry e : batcher.next()) {
                if (!start(e, now)) {
                    refused.add(e);
                }
            }
        }
        batcher.requeueFront(refused);
    }

    /**
     * Backpressure: while the worker's in-flight budget is full, waits for completions (forwarding
     * this engine's own, and sending due work) instead of returning, so the stream thread takes no
     * new record and Kafka buffers the backlog. A finished call of another task frees its slot as
     * soon as it arrives ({@link InFlight} does not count results waiting to be forwarded), so a
     * task holding nothing waits too: the cap holds for every task. The waits of one stream thread
     * add up to {@code maxBlockMs} at most between two punctuations ({@link WaitBudget}), which
     * stays below {@code max.poll.interval.ms} and the EOS transaction timeout.
     *
     * <p>Slots may also be held by the caller's own work outside the engine (its cache lookups):
     * {@code outside} takes that work's finished part (and may submit to this engine) on every wake,
     * and {@link #wake()} ends a wait as soon as such work finishes. Without it the caller's own
     * finished lookups would hold the cap until {@code maxBlockMs} passed (measured: 100 instead of
     * 1,200 results/s at C=256).
     *
     * @param outside run on the stream thread at every wake, before due work is sent
     * @return whether the budget has room; false when it stayed full for what is left of the
     *     thread's {@link WaitBudget} (the caller then parks the record on disk rather than holding
     *     it in memory)
     */
    public boolean awaitCapacity(Runnable outside) {
        if (!mustWait()) {
            return !closed && !rt.inFlight.full(); // the common case: no clock, no budget lookup
        }
        long start = System.nanoTime();
        long budgetNs = rt.waitBudget.leftNs();
        long pollNs = TimeUnit.MILLISECONDS.toNanos(s.punctuateMs());
        try {
            while (mustWait()) {
                long left = budgetNs - (System.nanoTime() - start);
                if (left <= 0) {
                    log.debug(
                            "In-flight cap still full after this thread's {} ms of waiting ({} requests, {} bytes)",
                            s.maxBlockMs(),
                            rt.inFlight.count(),
                            rt.inFlight.bytes());
                    return false;
                }
                ProviderCalls.Completion c = calls.poll(Math.min(left, pollNs));
                if (c != null) {
                    onCompletion(c);
                }
                outside.run();
                pump();
            }
            return !closed && !rt.inFlight.full();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            rt.waitBudget.spend(System.nanoTime() - start);
        }
    }

    /**
     * At the cap, open, and not a yielding batch (its app is paused, and an open transaction would
     * hide online results: the record is parked instead).
     */
    private boolean mustWait() {
        return !closed && rt.inFlight.full() && !rt.priority.yielding();
    }

    /**
     * The task punctuated: Kafka Streams checks for a commit next, so the stream thread's {@link
     * WaitBudget} for {@link #awaitCapacity} starts again; and the calls this engine handed off are
     * looked at ({@link HandOffs#sweep}). Call at every punctuation.
     */
    public void punctuated() {
        rt.waitBudget.refill();
        if (handedOff != null) {
            batcher.requeueFront(handedOff.sweep(rt.clock.millis()));
        }
    }

    /** Ends a wait in {@link #awaitCapacity(Runnable)} early; safe on any thread. */
    public void wake() {
        calls.wake();
    }

    /**
     * A clean hand-over (the task is revoked, or the worker stops): waits for the calls in flight,
     * until the runtime's hand-over window ends ({@code dispatch.handover-wait-ms}, shared by the
     * tasks closed together), and gives each answer to {@code answered}, then {@link #close}s.
     * Starts nothing and retries nothing. The next owner admits every held request again from the
     * pending store and finds these answers in the cache, so a rebalance does not call the provider
     * twice for one request. Answers that arrive after the window are dropped, as on close.
     */
    public void drainAndClose(Sink answered) {
        long deadline = rt.handoverDeadlineNs(System.nanoTime());
        if (handedOff != null) {
            handedOff.close(); // calls still queued in a lane are not sent now
        }
        try {
            while (!closed && callsInFlight() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                ProviderCalls.Completion c = calls.poll(left);
                PendingEntry e = c == null ? null : entries.get(c.id());
                if (c == null || !c.current(e)) {
                    continue;
                }
                e.state = PendingEntry.State.READY; // answered: no longer waited for
                if (c.outcome() instanceof ProviderOutcome.Success ok) {
                    rt.answers.onSuccess(e, ok, e.trail(), rt.clock.millis()).ifPresent(answered::emit);
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    private long callsInFlight() {
        return entries.values().stream()
                .filter(e -> e.state == PendingEntry.State.IN_FLIGHT)
                .count();
    }

    /** Drops every held request from memory (the pending store keeps them for the next owner). */
    @Override
    public void close() {
        closed = true;
        if (handedOff != null) {
            handedOff.close();
        }
        calls.close();
        entries.values().forEach(e -> rt.inFlight.remove(e.bytes));
        entries.clear();
        batcher.clear();
        waiting.clear();
    }

    /**
     * Tries to send {@code e}, or to hand it to its full lane's queue; false when neither could
     * happen (it stays queued here).
     */
    private boolean start(PendingEntry e, long now) {
        if (now >= e.deadlineMs) {
            deadlineExceeded(e, now, "deadline passed while queued");
            return true;
        }
        if (rt.answers.overBudget(e.request)) {
            String msg = "tenant '" + e.request.getTenant() + "' has spent its daily budget";
            finish(e, e.failed(ErrorCode.BUDGET_EXCEEDED, msg, null, now));
            return true;
        }
        if (!rt.priority.admitBatchCall()) {
            return false; // online work is held: batch yields (PriorityGate)
        }
        String provider = e.provider();
        if (blockedLanes.contains(provider)) {
            return false;
        }
        ProviderLane lane = rt.lane(provider);
        if (busyLanes.contains(provider)) {
            return handOff(e, lane);
        }
        switch (lane.tryAdmit(rt.laneShare)) {
            case CIRCUIT_OPEN -> {
                // Provider-wide: never a failure. A fallback model may take it; else it stays queued
                // until the breaker lets half-open probes through.
                if (e.advance(
                        rt.router,
                        e.failedWith(ErrorCode.CIRCUIT_OPEN, "provider '" + provider + "' circuit breaker is open"))) {
                    rt.fallbacks.increment();
                    batcher.add(e, now);
                    return true;
                }
                blockedLanes.add(provider);
                return false;
            }
            case BUSY -> {
                busyLanes.add(provider);
                return handOff(e, lane);
            }
            default -> {}
        }
        if (e.callsOnModel > 0 && !lane.retryBudget().tryAcquireRetry()) {
            // Provider-wide: too many retries lately. Retry later; this uses none of its attempts.
            lane.cancel(rt.laneShare);
            delay(e, now, RetryBudget.BUCKET_MS + rt.retryPolicy.delayMs(e.callsOnModel, null));
            return true;
        }
        if (!rt.rateLimiter.tryAcquire(provider, e.estimatedTokens)) {
            lane.meters().rateLimitWait();
            lane.cancel(rt.laneShare);
            blockedLanes.add(provider);
            return false;
        }
        calls.start(e, lane);
        return true;
    }

    /**
     * Hands {@code e}'s first call on its model to its full lane's queue, the rate limiter's permit
     * taken now (a permit is not given back if the call is later taken back unsent; that happens
     * only at its deadline, an open breaker or the task's close). False when this engine does not
     * hand off, for a retry (it needs the retry budget when it starts), or when the rate limiter
     * refuses.
     */
    private boolean handOff(PendingEntry e, ProviderLane lane) {
        if (handedOff == null || e.callsOnModel > 0) {
            return false;
        }
        if (!rt.rateLimiter.tryAcquire(lane.provider(), e.estimatedTokens)) {
            lane.meters().rateLimitWait();
            blockedLanes.add(lane.provider());
            return false;
        }
        handedOff.add(calls.handOff(e, lane));
        return true;
    }

    private void onCompletion(ProviderCalls.Completion c) {
        PendingEntry e = entries.get(c.id());
        if (!c.current(e)) {
            rt.lateCompletions.increment();
            return;
        }
        long now = rt.clock.millis();
        rt.trace.callEnded(e, c.outcome());
        if (c.outcome() instanceof ProviderOutcome.Success ok) {
            Optional<ChatResult> result = rt.answers.onSuccess(e, ok, e.trail(), now);
            if (result.isPresent()) {
                finish(e, result.get());
            } else {
                // Re-asked: a new conversation turn, with its own transport retries.
                e.attemptsOnModel = 0;
                e.callsOnModel = 0;
                e.state = PendingEntry.State.READY;
                batcher.add(e, now);
            }
            return;
        }
        ProviderOutcome.Failure f = (ProviderOutcome.Failure) c.outcome();
        e.lastFailure = f;
        e.breakerCharged |= c.charged();
        if (f.retryable()) {
            if (FailureScope.of(f, rt.lane(e.provider()).breakerState()) == FailureScope.PROVIDER_WIDE) {
                e.attemptsOnModel--;
            }
            if (e.attemptsOnModel < s.maxAttempts()) {
                rt.retries.increment();
                delay(e, now, rt.retryPolicy.delayMs(e.callsOnModel, f.retryAfter()));
                return;
            }
        }
        failOrFallback(e, f, f.code(), f.message(), now);
    }

    /** Parks {@code e} for {@code delayMs} (a retry), or answers DEADLINE_EXCEEDED if that is too late. */
    private void delay(PendingEntry e, long now, long delayMs) {
        long due = now + delayMs;
        if (due >= e.deadlineMs) {
            deadlineExceeded(e, now, "the next retry would start after the deadline");
            return;
        }
        e.state = PendingEntry.State.WAITING;
        e.dueAtMs = due;
        rt.trace.retryScheduled(e, delayMs);
        waiting.add(e);
    }

    /** Moves to the next model of the chain, or emits the failure when none is left. */
    private void failOrFallback(PendingEntry e, ProviderOutcome.Failure f, ErrorCode code, String message, long now) {
        if (code != ErrorCode.INVALID_REQUEST && e.advance(rt.router, e.failedWith(code, message))) {
            rt.fallbacks.increment();
            batcher.add(e, now);
            return;
        }
        Integer status = f == null ? null : f.httpStatus();
        finish(e, e.failed(code, message, status, now));
    }

    private void deadlineExceeded(PendingEntry e, long now, String why) {
        ProviderOutcome.Failure last = e.lastFailure;
        String msg = why
                + (last != null
                        ? "; last error: " + last.code() + ": " + last.message()
                        : e.provider() != null && rt.lane(e.provider()).circuitOpen()
                                ? "; provider '" + e.provider() + "' circuit breaker is open"
                                : "");
        finish(e, e.failed(ErrorCode.DEADLINE_EXCEEDED, msg, last == null ? null : last.httpStatus(), now));
    }

    private void finish(PendingEntry e, ChatResult result) {
        entries.remove(e.id);
        rt.inFlight.remove(e.bytes);
        sink.emit(rt.trace.finished(e, result));
    }
}
