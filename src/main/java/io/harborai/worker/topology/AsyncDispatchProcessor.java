package io.harborai.worker.topology;

import io.harborai.worker.avro.CacheOutcome;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.cache.CachedAnswer;
import io.harborai.worker.cache.CachedResults;
import io.harborai.worker.cache.SingleFlight;
import io.harborai.worker.dispatch.DispatchEngine;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.PendingCodec;
import io.harborai.worker.dispatch.Results;
import io.harborai.worker.provider.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each valid request exactly once: from the cache, from an identical request's call, or
 * from its own call through this task's {@link DispatchEngine}.
 *
 * <p>Records arrive keyed by cache key (the topology repartitions by it when the cache is on), so
 * every request with one key is handled by one task of one instance, and single-flight needs no
 * coordination: the first request of a key looks up L1, then L2 (asynchronously, off the stream
 * thread), then calls the provider; identical requests arriving meanwhile wait for that answer
 * (outcome COALESCED) instead of calling again. A successful answer is written to both tiers.
 *
 * <p>A line of a cancelled or expired batch ({@link BatchControls}) is answered FAILED when taken or
 * restored, before the cache and single-flight see it: it never joins, leads or fails a flight.
 *
 * <p>Crash safety: every request not answered on the spot (an L1 hit is) sits in the changelogged
 * {@code pending} store, keyed by request id, until its result is forwarded; the result, the store
 * delete and the input offsets commit in one transaction under {@code exactly_once_v2}. On {@code
 * init} (restart, rebalance) every stored entry is admitted again, through the cache and
 * single-flight as on first arrival, and counted when it reaches the engine again.
 *
 * <p>Backpressure: at the in-flight cap {@code process()} waits for completions to drain below it
 * (a stream thread's waits add up to {@code dispatch.max-block-ms} at most between two
 * punctuations, however many records and tasks it processes in between); requests waiting for an
 * identical call count against the byte cap. A record for which no room came within that time is
 * parked on disk ({@link ParkedRequests}) instead of being held over the cap, and so is every
 * record arriving while
 * others are parked (first in, first out). Each pump moves the oldest parked records into the
 * {@code pending} store and admits them exactly as fresh records, while the budget has room. A
 * request whose L2 lookup is in progress holds a slot of the budget too (its miss will be
 * submitted), so no task takes records into room another task's lookups will need.
 *
 * <p>Runs on the task's stream thread; only {@code l2Answers} is written from Redisson threads.
 */
final class AsyncDispatchProcessor implements Processor<String, PendingRequest, String, ChatResult> {
    private static final Logger log = LoggerFactory.getLogger(AsyncDispatchProcessor.class);

    private final DispatchRuntime runtime;
    private final CacheRuntime cache;
    private final TopologyMeters meters;
    private ProcessorContext<String, ChatResult> context;
    private KeyValueStore<String, byte[]> pending;
    private ResultOutput out;
    private ParkedRequests parked;
    private DispatchEngine engine;
    private BatchControls controls;
    /** Store entries found at init, until the first pump admits them. */
    private final List<byte[]> restored = new ArrayList<>();
    /** Cache key → the lookup or call answering every request with that key. */
    private final SingleFlight<Held> flights = new SingleFlight<>();
    /** Request id → what the engine holds it for; removed when the engine emits its result. */
    private final Map<String, Dispatched> dispatched = new HashMap<>();
    /** At a hand-over, how long the answers' cache writes may take after the wait (a Redis command and its retry). */
    private static final long LAST_WRITE_MS = 600;

    /** L2 lookups finished on Redisson threads, drained by {@link #pump()}. */
    private final ConcurrentLinkedQueue<L2Answer> l2Answers = new ConcurrentLinkedQueue<>();

    /** A request taken and not yet answered, with its encoded size (the byte cap counts it). */
    private record Held(PendingRequest entry, int bytes, boolean redispatch) {
        ChatRequest request() {
            return entry.getRequest();
        }

        String id() {
            return entry.getRequest().getId();
        }
    }

    /**
     * @param key the request's cache key, or null when the cache is off
     * @param store whether a successful answer is written to the cache under {@code key}
     * @param leads whether requests waiting on {@code key} get this answer
     */
    private record Dispatched(ChatRequest request, String key, boolean store, boolean leads) {}

    private record L2Answer(String key, String leaderId, Optional<CachedAnswer> answer) {}

    AsyncDispatchProcessor(DispatchRuntime runtime, CacheRuntime cache) {
        this(runtime, cache, new TopologyMeters(runtime.meters(), runtime.traffic()));
    }

    AsyncDispatchProcessor(DispatchRuntime runtime, CacheRuntime cache, TopologyMeters meters) {
        this.runtime = runtime;
        this.cache = cache;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<String, ChatResult> context) {
        this.context = context;
        this.pending = context.getStateStore(TopologyFactory.PENDING_STORE);
        this.out = new ResultOutput(context, pending, meters);
        this.engine = new DispatchEngine(runtime, this::onEngineResult);
        this.parked = new ParkedRequests(context.getStateStore(TopologyFactory.PARKED_STORE), meters);
        this.controls = BatchControls.of(context.getStateStore(TopologyFactory.BATCH_CONTROL_STORE), runtime.clock());
        // Admitted on the first punctuation or record, not here: init() must not forward.
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            it.forEachRemaining(kv -> restored.add(kv.value));
        }
        context.schedule(Duration.ofMillis(runtime.settings().punctuateMs()), PunctuationType.WALL_CLOCK_TIME, ts -> {
            engine.punctuated();
            pump();
        });
    }

    private void pump() {
        if (!restored.isEmpty()) {
            log.info(
                    "Task {}: re-admitting {} pending requests restored from the store",
                    context.taskId(),
                    restored.size());
            for (byte[] bytes : restored) {
                redispatch(PendingCodec.decode(bytes));
            }
            restored.clear();
        }
        takeL2Answers();
        engine.pump();
        if (drainParked()) {
            engine.pump();
        }
    }

    /** Lookups finished on Redisson threads: answered from L2, or submitted to the engine. */
    private void takeL2Answers() {
        for (L2Answer a = l2Answers.poll(); a != null; a = l2Answers.poll()) {
            onL2Answer(a);
        }
    }

    /** Admits parked records, oldest first, while the budget has room; true when any was admitted. */
    private boolean drainParked() {
        return parked.drain(
                        () -> !runtime.inFlight().full(),
                        p -> take(p, cache.enabled() ? cache.key(p.getRequest()) : null))
                > 0;
    }

    /**
     * Admits a restored entry again, first recording the round in the store so the count survives
     * the next crash too; past {@code dispatch.max-redispatches} rounds the request is answered
     * FAILED instead (it may be what crashes the worker).
     */
    private void redispatch(PendingRequest p) {
        out.noteReplyTarget(p);
        ChatRequest request = p.getRequest();
        int round = p.getDispatches() + 1;
        int max = runtime.settings().maxRedispatches();
        if (round - 1 > max) {
            log.error(
                    "Request {} was restored {} times (dispatch.max-redispatches={}); answering FAILED",
                    request.getId(),
                    round - 1,
                    max);
            out.forward(
                    Results.failed(
                            request,
                            new Results.Trail(null, null, 0, null),
                            ErrorCode.INTERNAL,
                            "re-dispatched " + (round - 1)
                                    + " times after crashes or rebalances without an answer; giving up",
                            null,
                            p.getReceivedAtMs(),
                            runtime.clock().millis()),
                    true);
            return;
        }
        if (refused(p, true)) {
            return;
        }
        p.setDispatches(round);
        byte[] bytes = PendingCodec.encode(p);
        pending.put(request.getId(), bytes);
        admit(new Held(p, bytes.length, true), cache.enabled() ? cache.key(request) : null);
    }

    @Override
    public void process(Record<String, PendingRequest> record) {
        pump();
        meters.requestTaken();
        boolean room = engine.awaitCapacity(this::takeL2Answers);
        if (room && drainParked()) {
            engine.pump();
        }
        // Taken only when the budget has room and nothing older is parked; else parked, not held.
        if (!room || !parked.isEmpty() || runtime.inFlight().full()) {
            parked.park(record.value());
            return;
        }
        take(record.value(), record.key());
        pump();
    }

    /** A fresh (or unparked) request: answered from L1, or stored as pending and admitted. */
    private void take(PendingRequest p, String key) {
        String id = p.getRequest().getId();
        if (pending.get(id) != null || dispatched.containsKey(id)) {
            // The id ledger upstream stops re-sent ids; this only happens when an id outlives
            // dedupe.id-retention-ms while still pending. Its first copy will be answered.
            log.warn("Request {} is still pending from an earlier copy; this copy gets no second answer", id);
            return;
        }
        out.noteReplyTarget(p);
        if (refused(p, false)) {
            return;
        }
        byte[] bytes = PendingCodec.encode(p);
        Held held = new Held(p, bytes.length, false);
        if (!answeredFromL1(held, key)) {
            pending.put(p.getRequest().getId(), bytes);
            admit(held, cache.enabled() ? key : null);
        }
    }

    /** Answers a line of a cancelled or expired batch FAILED, with no call ({@link BatchControls}). */
    private boolean refused(PendingRequest p, boolean stored) {
        ChatResult refusal = controls.refusal(p);
        if (refusal != null) {
            out.forward(refusal, stored);
        }
        return refusal != null;
    }

    /** Forwards an L1 hit at once: nothing is stored, nothing to delete. */
    private boolean answeredFromL1(Held h, String key) {
        if (!cache.mayLookUp(h.request())) {
            return false;
        }
        Optional<CachedAnswer> hit = cache.tiers().getL1(key, CacheRuntime.maxAgeMs(h.request()));
        if (hit.isEmpty()) {
            return false;
        }
        out.forward(
                CachedResults.fromCache(
                        h.request(),
                        hit.get().answer(),
                        CacheOutcome.L1,
                        h.entry().getReceivedAtMs(),
                        runtime.clock().millis()),
                h.redispatch());
        return true;
    }

    /** The request is in the pending store; answer it from L1, join a flight, or start one. */
    private void admit(Held h, String key) {
        ChatRequest request = h.request();
        if (!cache.mayLookUp(request)) {
            submit(h, new Dispatched(request, key, cache.mayStore(request), false));
            return;
        }
        if (h.redispatch() && answeredFromL1(h, key)) {
            return;
        }
        if (flights.join(key, h)) {
            runtime.inFlight().holdBytes(h.bytes());
            return;
        }
        flights.lead(key, h);
        runtime.inFlight().reserve(h.bytes());
        String leaderId = h.id();
        DispatchEngine waiting = engine;
        cache.tiers().getL2(key, CacheRuntime.maxAgeMs(request)).whenComplete((answer, error) -> {
            l2Answers.add(new L2Answer(key, leaderId, error == null ? answer : Optional.empty()));
            waiting.wake(); // its slot frees once the stream thread takes the answer
        });
    }

    private void onL2Answer(L2Answer a) {
        Held leader = flights.leader(a.key());
        if (leader == null || !leader.id().equals(a.leaderId())) {
            return; // the task was closed and re-initialised meanwhile
        }
        runtime.inFlight().unreserve(leader.bytes());
        if (a.answer().isPresent()) {
            ChatResult result = CachedResults.fromCache(
                    leader.request(),
                    a.answer().get().answer(),
                    CacheOutcome.L2,
                    leader.entry().getReceivedAtMs(),
                    runtime.clock().millis());
            out.forward(result, true);
            answerWaiters(a.key(), result);
        } else {
            submit(leader, new Dispatched(leader.request(), a.key(), cache.mayStore(leader.request()), true));
        }
    }

    private void submit(Held h, Dispatched d) {
        dispatched.put(h.id(), d);
        engine.submit(h.request(), h.entry().getReceivedAtMs(), h.bytes(), h.redispatch());
    }

    /** The engine's result for a request it held: store it, forward it, answer its waiters. */
    private void onEngineResult(ChatResult result) {
        Dispatched d = dispatched.remove(result.getId());
        if (d == null) {
            throw new IllegalStateException("engine emitted a result for " + result.getId() + " it was not given");
        }
        result.setCache(d.leads() ? CacheOutcome.MISS : CacheOutcome.BYPASS);
        store(d, result);
        out.forward(result, true);
        if (d.leads()) {
            answerWaiters(d.key(), result);
        }
    }

    /** Caches an answer the request may share; completes when its L2 write has ended. */
    private CompletableFuture<Void> store(Dispatched d, ChatResult result) {
        // A fallback model's answer is not cached: it would outlive the primary's outage and reach
        // requests whose chain never named that model.
        if (d.store()
                && d.key() != null
                && result.getStatus() == ResultStatus.SUCCEEDED
                && result.getFallbackReason() == null) {
            return cache.tiers().store(d.key(), result, cache.ttl(d.request()));
        }
        return CompletableFuture.completedFuture(null);
    }

    private void answerWaiters(String key, ChatResult leaderResult) {
        List<Held> waiters = flights.land(key);
        if (waiters.isEmpty()) {
            return;
        }
        long now = runtime.clock().millis();
        cache.tiers().countCoalesced(waiters.size());
        for (Held w : waiters) {
            runtime.inFlight().releaseBytes(w.bytes());
            out.forward(
                    CachedResults.coalesced(w.request(), leaderResult, w.entry().getReceivedAtMs(), now), true);
        }
    }

    /**
     * The task leaves this worker: its calls in flight may finish within {@code
     * dispatch.handover-wait-ms} (one window for all the tasks closed together), and their answers
     * go to the cache (not forwarded: this task's
     * output is already committed), where the next owner finds them.
     */
    @Override
    public void close() {
        if (engine != null) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            engine.drainAndClose(result -> {
                Dispatched d = dispatched.get(result.getId());
                if (d != null) {
                    writes.add(store(d, result));
                }
            });
            try {
                CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                        .get(LAST_WRITE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("Task {}: not every answer reached the cache before the hand-over", context.taskId());
            }
        }
        flights.abandonAll((leader, waiters) -> {
            waiters.forEach(w -> runtime.inFlight().releaseBytes(w.bytes()));
            if (!dispatched.containsKey(leader.id())) {
                runtime.inFlight().unreserve(leader.bytes()); // its lookup was still in progress
            }
        });
        dispatched.clear();
        if (out != null) {
            out.clear();
        }
        if (parked != null) {
            parked.close();
        }
    }
}
