package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Type, default, allowed range and documentation of the keys of the dispatch stage: {@code
 * dispatch.*} and the circuit breaker {@code breaker.*}. The key name constants are in {@link
 * HarborConfigDef}, which assembles {@link HarborConfigDef#DEF} from this and the other {@code
 * *Defs} classes.
 */
final class DispatchDefs {
    private DispatchDefs() {}

    /** Adds this area's keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(
                        DISPATCH_MAX_IN_FLIGHT,
                        Type.INT,
                        1024,
                        Range.between(1, 100_000),
                        Importance.HIGH,
                        "Cap on requests held in memory per worker (looking up the cache, queued, in flight, awaiting a "
                                + "retry). At the cap the stream thread stops taking records and drains completions: Kafka "
                                + "is the buffer. Keep it a few times dispatch.concurrency-max: the queued requests are what a "
                                + "finished call's slot is refilled from while the stream thread commits or polls.")
                .define(
                        DISPATCH_MAX_IN_FLIGHT_BYTES,
                        Type.LONG,
                        64L << 20,
                        Range.between(1024, 1L << 34),
                        Importance.HIGH,
                        "Cap on the serialized size of the requests held in memory per worker.")
                .define(
                        DISPATCH_BATCH_MAX_COUNT,
                        Type.INT,
                        64,
                        Range.between(1, 10_000),
                        Importance.LOW,
                        "A micro-batch is sent when it holds this many requests, or batch-max-bytes, or its oldest request waited linger-ms.")
                .define(
                        DISPATCH_BATCH_MAX_BYTES,
                        Type.INT,
                        1 << 20,
                        Range.between(1024, 64 << 20),
                        Importance.LOW,
                        "Byte bound of one micro-batch (serialized request size); see batch-max-count.")
                .define(
                        DISPATCH_LINGER_MS,
                        Type.LONG,
                        2L,
                        Range.between(0, 10_000),
                        Importance.LOW,
                        "Longest a queued request waits for its micro-batch to fill (0 = send at once); see batch-max-count.")
                .define(
                        DISPATCH_PUNCTUATE_MS,
                        Type.LONG,
                        5L,
                        Range.between(1, 1_000),
                        Importance.LOW,
                        "Period of the wall-clock punctuator that forwards completions and sends due work.")
                .define(
                        DISPATCH_MAX_BLOCK_MS,
                        Type.LONG,
                        5_000L,
                        Range.between(10, 60_000),
                        Importance.LOW,
                        "Longest a stream thread waits for capacity at the cap between two punctuations, across all its records "
                                + "and tasks. Kept below max.poll.interval.ms and the "
                                + "Streams EOS transaction.timeout.ms (10 s); the worker also caps it at the longest provider "
                                + "call timeout. When it passes, the record is parked on disk (the task's changelogged parked store) "
                                + "and admitted, oldest first, when the cap has room.")
                .define(
                        DISPATCH_MAX_ATTEMPTS,
                        Type.INT,
                        4,
                        Range.between(1, 20),
                        Importance.MEDIUM,
                        "Provider calls per request and model (the first call included); fallback models get their own.")
                .define(
                        DISPATCH_BACKOFF_BASE_MS,
                        Type.LONG,
                        200L,
                        Range.between(1, 600_000),
                        Importance.LOW,
                        "Exponential backoff base: retry n waits a uniformly random time in [0, min(max, base * 2^(n-1))].")
                .define(
                        DISPATCH_BACKOFF_MAX_MS,
                        Type.LONG,
                        30_000L,
                        Range.between(1, 3_600_000),
                        Importance.LOW,
                        "Exponential backoff ceiling. A provider's Retry-After is honoured even when longer.")
                .define(
                        DISPATCH_RETRY_BUDGET_RATIO,
                        Type.DOUBLE,
                        0.2,
                        Range.between(0.0, 10.0),
                        Importance.LOW,
                        "Per provider, failed retries over the last 10 s may be at most this ratio of first attempts (plus 10), "
                                + "so a failing provider is not hammered by retry storms (a retry that succeeds is given back). Beyond "
                                + "it a retry waits and asks again; it never fails a request.")
                .define(
                        DISPATCH_DEFAULT_FALLBACK_MODELS,
                        Type.LIST,
                        "",
                        Importance.MEDIUM,
                        "Models tried, in order, after a request's own fallback_models, when its model fails for good or its "
                                + "provider's circuit is open.")
                .define(
                        DISPATCH_MAX_REDISPATCHES,
                        Type.INT,
                        10,
                        Range.between(0, 1_000),
                        Importance.LOW,
                        "A pending request restored from the store (after a crash, restart or rebalance) more often than"
                                + " this gets a FAILED INTERNAL result instead of another dispatch: a request that crashes the"
                                + " worker every time cannot stall its partition forever.")
                .define(
                        DISPATCH_HANDOVER_WAIT_MS,
                        Type.LONG,
                        5_000L,
                        Range.between(0, 600_000),
                        Importance.LOW,
                        "When a task leaves this worker cleanly (a rebalance moves it, or the worker stops), how long it"
                                + " waits for its provider calls in flight and writes their answers to the cache before it"
                                + " lets go. The next owner dispatches the task's pending requests again and finds those"
                                + " answers instead of calling the provider twice. The tasks closed together share one window, so a"
                                + " rebalance or shutdown waits this long at most in all; 0 drops the calls' answers (the next"
                                + " owner calls again).")
                .define(
                        DISPATCH_MAX_QUEUE_MS,
                        Type.LONG,
                        600_000L,
                        Range.between(1, 86_400_000),
                        Importance.MEDIUM,
                        "Default deadline: a request without deadline_ms is answered DEADLINE_EXCEEDED this long after the "
                                + "worker took it, if no attempt succeeded by then. Batch lines use "
                                + DISPATCH_BATCH_COMPLETION_WINDOW_MS + " instead.")
                .define(
                        DISPATCH_BATCH_COMPLETION_WINDOW_MS,
                        Type.LONG,
                        86_400_000L,
                        Range.between(1, 604_800_000),
                        Importance.MEDIUM,
                        "Completion window of a batch line (topics.requests-batch) without deadline_ms, like OpenAI's batch "
                                + "completion_window: it is answered DEADLINE_EXCEEDED this long after the worker took it if no attempt "
                                + "succeeded by then. Until then provider-wide trouble (open circuit, retry budget, 429, outage) only "
                                + "delays it.")
                .define(
                        DISPATCH_BATCH_SHARE,
                        Type.DOUBLE,
                        0.25,
                        Range.between(0.01, 1.0),
                        Importance.MEDIUM,
                        "Share of dispatch.max-in-flight(-bytes) and of each provider's concurrency limit that batch traffic "
                                + "(topics.requests-batch, served by its own Streams application <application-id>-batch) may hold, so "
                                + "a large batch never starves online requests.")
                .define(
                        DISPATCH_BATCH_YIELD,
                        Type.BOOLEAN,
                        true,
                        Importance.MEDIUM,
                        "Online before batch: batch traffic starts no provider call while online requests are held (queued, in "
                                + "flight or awaiting a retry) or were within dispatch.batch-yield-grace-ms; one batch call still "
                                + "starts every dispatch.max-block-ms / 2 of a yield. false: batch is limited by dispatch.batch-share only.")
                .define(
                        DISPATCH_BATCH_YIELD_GRACE_MS,
                        Type.LONG,
                        300L,
                        Range.between(0, 60_000),
                        Importance.LOW,
                        "How long batch keeps yielding after the last online request was taken or answered: covers the gaps "
                                + "between online requests, their decode and repartition hop and their result's commit.")
                .define(
                        DISPATCH_CONCURRENCY_MIN,
                        Type.INT,
                        4,
                        Range.between(1, 10_000),
                        Importance.LOW,
                        "Adaptive concurrency per provider: lower bound.")
                .define(
                        DISPATCH_CONCURRENCY_INITIAL,
                        Type.INT,
                        64,
                        Range.between(1, 10_000),
                        Importance.LOW,
                        "Adaptive concurrency per provider: starting limit (clamped into [min, max]).")
                .define(
                        DISPATCH_CONCURRENCY_MAX,
                        Type.INT,
                        256,
                        Range.between(1, 10_000),
                        Importance.MEDIUM,
                        "Adaptive concurrency per provider: upper bound.")
                .define(
                        BREAKER_FAILURE_RATE_PERCENT,
                        Type.INT,
                        50,
                        Range.between(1, 100),
                        Importance.LOW,
                        "Circuit breaker per provider opens when this share of the last window-calls calls failed "
                                + "(5xx, timeouts, connection failures, invalid bodies; not 429 and not request errors). While closed, "
                                + "a request's repeated faults on one model count once. An open circuit delays requests, never fails them.")
                .define(
                        BREAKER_WINDOW_CALLS,
                        Type.INT,
                        50,
                        Range.between(1, 10_000),
                        Importance.LOW,
                        "Calls in the breaker's sliding window (also the minimum before it may open).")
                .define(
                        BREAKER_OPEN_MS,
                        Type.LONG,
                        30_000L,
                        Range.between(1, 3_600_000),
                        Importance.LOW,
                        "How long an open breaker refuses calls before letting half-open probes through.")
                .define(
                        BREAKER_HALF_OPEN_CALLS,
                        Type.INT,
                        5,
                        Range.between(1, 1_000),
                        Importance.LOW,
                        "Probe calls in half-open state; their failure rate decides between closing and re-opening.");
    }
}
