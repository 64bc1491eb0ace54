package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.testinfra.WorkerEndpoints;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.GroupState;

/**
 * What {@link ScaleOutIT} measured, and the checks on it.
 *
 * <p>Provider calls: each distinct question needs one call. A question is called again only when a
 * call for it was lost with the killed worker: in flight at the kill, or answered but not yet
 * written to L2. A task that moves at a clean rebalance (the join, or the survivors' tasks at the
 * kill's) waits for its calls in flight and caches their answers before it lets go ({@code
 * dispatch.handover-wait-ms}), so its new owner, which dispatches the restored pending requests
 * again, finds them in L2: no extra call. Each extra call is classified by where the call before it
 * for the same question ran.
 *
 * <p>Waits: request record timestamp (send time) to result record timestamp (the worker's
 * completion time), one clock. A request's wait minus the time it spent inside a rebalance window
 * must stay within a margin derived from the steady phase before the join.
 */
final class ScaleOutReport {
    /** Margin on a request's own work: this many times the steady-phase p99 wait. */
    static final double MARGIN_FACTOR = 4.0;
    /** How long before a rebalance window a call lost in it may have started. */
    static final long CALL_SLACK_MS = 2_000;

    record Events(long produceStart, long joinAt, long killAt, long deadAt, long inFlightAtKill) {}

    record Window(String name, long start, long end) {
        long overlap(long from, long to) {
            return Math.max(0, Math.min(end, to) - Math.max(start, from));
        }

        long length() {
            return end - start;
        }
    }

    private final int[] questions;
    private final Events events;
    private final List<Window> windows;
    private final int distinct;
    private final long lost;
    private final long duplicated;
    private final long failed;
    private final long calls;
    private final long questionsCalled;
    /** Extra calls after: a call in flight at the kill, one answered before it, one in a rebalance, none. */
    private final int[] extra = new int[4];

    private final long[] callsPerWorker;
    private final long[] waits;
    private final long[] excess;
    private final long steadyP99;

    ScaleOutReport(
            int[] questions,
            long[] sentAt,
            List<ConsumerRecord<String, ChatResult>> results,
            List<JsonNode> callsByKey,
            Events events,
            List<Window> windows) {
        this.questions = questions;
        this.events = events;
        this.windows = windows;
        this.distinct = (int) Arrays.stream(questions).distinct().count();
        int n = questions.length;
        int[] perId = new int[n];
        long[] resultAt = new long[n];
        long failures = 0;
        for (ConsumerRecord<String, ChatResult> r : results) {
            int i = index(r.key());
            perId[i]++;
            resultAt[i] = Math.max(resultAt[i], r.timestamp());
            if (r.value().getStatus() != ResultStatus.SUCCEEDED) {
                failures++;
            }
        }
        this.failed = failures;
        this.lost = Arrays.stream(perId).filter(c -> c == 0).count();
        this.duplicated = Arrays.stream(perId).filter(c -> c > 1).count();
        this.waits = new long[n];
        this.excess = new long[n];
        List<Long> steady = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waits[i] = resultAt[i] - sentAt[i];
            long inside = 0;
            for (Window w : windows) {
                inside += w.overlap(sentAt[i], resultAt[i]);
            }
            excess[i] = waits[i] - inside;
            // own work alone: past the JIT's first seconds, untouched by any rebalance
            if (sentAt[i] >= events.produceStart() + 5_000 && inside == 0) {
                steady.add(waits[i]);
            }
        }
        Collections.sort(steady);
        this.steadyP99 = steady.isEmpty() ? -1 : steady.get((int) Math.min(steady.size() - 1, steady.size() * 0.99));
        // calls per question, in time order, with the worker (simulator) that made each
        Map<Integer, List<long[]>> byQuestion = new HashMap<>();
        this.callsPerWorker = new long[callsByKey.size()];
        for (int w = 0; w < callsByKey.size(); w++) {
            int worker = w;
            callsByKey.get(w).properties().forEach(e -> {
                List<long[]> list = byQuestion.computeIfAbsent(questions[index(e.getKey())], q -> new ArrayList<>());
                e.getValue().forEach(c -> list.add(new long[] {c.get("at_ms").asLong(), worker}));
                callsPerWorker[worker] += e.getValue().size();
            });
        }
        long total = 0;
        for (List<long[]> list : byQuestion.values()) {
            list.sort((a, b) -> Long.compare(a[0], b[0]));
            total += list.size();
            for (int k = 1; k < list.size(); k++) {
                long[] before = list.get(k - 1);
                if (before[1] == 0 && before[0] <= events.deadAt()) {
                    boolean inFlight = before[0] + ScaleOutIT.LATENCY.toMillis() > events.killAt();
                    extra[inFlight ? 0 : 1]++;
                } else if (inRebalance(before[0])) {
                    extra[2]++;
                } else {
                    extra[3]++;
                }
            }
        }
        this.calls = total;
        this.questionsCalled = byQuestion.size();
    }

    /** Question per request: {@code duplicates} requests repeat the question of an earlier one. */
    static int[] questions(int requests, int duplicates, long seed) {
        Random random = new Random(seed);
        boolean[] repeat = new boolean[requests];
        for (int placed = 0; placed < duplicates; ) {
            int i = 1 + random.nextInt(requests - 1);
            if (!repeat[i]) {
                repeat[i] = true;
                placed++;
            }
        }
        int[] q = new int[requests];
        int next = 0;
        for (int i = 0; i < requests; i++) {
            // a repeat: the question of a recent request (coalesced or L1) or any earlier one (L1/L2)
            q[i] = !repeat[i]
                    ? next++
                    : q[random.nextBoolean() ? Math.max(0, i - 1 - random.nextInt(50)) : random.nextInt(i)];
        }
        return q;
    }

    /**
     * Whether a call made at {@code atMs} could still be open when a rebalance closed its task: made
     * during a window or shortly before it (by {@link #CALL_SLACK_MS}, or by the p99 wait outside
     * rebalances when longer: on a loaded machine an answer may wait that long for its stream thread).
     */
    private boolean inRebalance(long atMs) {
        long slack = Math.max(CALL_SLACK_MS, steadyP99);
        return windows.stream().anyMatch(w -> atMs >= w.start() - slack && atMs <= w.end());
    }

    private static int index(String id) {
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }

    private long maxExcess() {
        return Arrays.stream(excess).max().orElse(0);
    }

    private int argMaxWait() {
        int m = 0;
        for (int i = 1; i < waits.length; i++) {
            if (waits[i] > waits[m]) {
                m = i;
            }
        }
        return m;
    }

    String describe(List<Double> redispatched, double wallSeconds) {
        long extraCalls = calls - distinct;
        int worst = argMaxWait();
        StringBuilder s = new StringBuilder("scale-out: ")
                .append(String.format(
                        "%d requests, %d distinct questions; lost %d, duplicated %d, failed %d%n",
                        questions.length, distinct, lost, duplicated, failed))
                .append(String.format(
                        "  provider calls %d (per worker %s) = distinct %d + %d extra, each after a call lost"
                                + " with its task: in flight at the kill %d, answered before the kill but not yet"
                                + " in L2 %d, in a task moved at a rebalance %d, unexplained %d%n",
                        calls,
                        Arrays.toString(callsPerWorker),
                        distinct,
                        extraCalls,
                        extra[0],
                        extra[1],
                        extra[2],
                        extra[3]))
                .append(String.format(
                        "  in flight at the kill on the killed worker (its simulator: calls received, not yet"
                                + " answered): %d; calls = distinct + calls lost with the killed worker (%d: in flight"
                                + " %d, answered but not yet taken into its cache %d): %s; requests redispatched from"
                                + " restored stores by the surviving workers: %s%n",
                        events.inFlightAtKill(),
                        extra[0] + extra[1],
                        extra[0],
                        extra[1],
                        calls == distinct + extra[0] + extra[1] ? "holds" : "does not hold",
                        redispatched));
        for (Window w : windows) {
            s.append(String.format("  %s rebalance window: %d ms%n", w.name(), w.length()));
        }
        s.append(String.format(
                "  waits: p99 outside rebalances %d ms, margin %.0f ms; max wait %d ms (request %d), max wait"
                        + " minus time inside rebalance windows %d ms; wall %.1f s",
                steadyP99, steadyP99 * MARGIN_FACTOR, waits[worst], worst, maxExcess(), wallSeconds));
        return s.toString();
    }

    /**
     * @param l2Errors Redis L2 commands that failed or timed out on the surviving workers. A write
     *     that timed out leaves its answer out of L2, and a task that later moves calls for it again:
     *     the design's at-least-once calls while Redis is unavailable. With any such error, the calls
     *     after it are reported, not asserted; without, none may be repeated.
     */
    void check(double l2Errors) {
        assertThat(lost).as("requests without a result").isZero();
        assertThat(duplicated).as("requests with more than one result").isZero();
        assertThat(failed).as("failed results").isZero();
        assertThat(questionsCalled)
                .as("every distinct question reached the provider")
                .isEqualTo(distinct);
        assertThat(Arrays.stream(callsPerWorker).boxed().toList())
                .as("every worker, the one that joined too, took a share of the calls")
                .allMatch(c -> c > 0);
        if (l2Errors > 0) {
            System.out.printf(
                    "  Redis L2 failed or timed out %.0f times on the surviving workers: %d calls repeated for"
                            + " moved tasks and %d otherwise are reported, not asserted%n",
                    l2Errors, extra[2], extra[3]);
        } else {
            assertThat(extra[3])
                    .as("no extra call outside the kill and the rebalances: identical requests on different"
                            + " workers reach the provider once")
                    .isZero();
            assertThat(extra[2])
                    .as("no call repeated for a task moved at a clean rebalance: the hand-over cached its answers")
                    .isZero();
        }
        assertThat((long) extra[0])
                .as("calls repeated for the kill, at most those in flight at it")
                .isLessThanOrEqualTo(events.inFlightAtKill());
        assertThat(steadyP99).as("steady-phase p99 measured").isPositive();
        assertThat(maxExcess())
                .as("no request waits longer than the rebalances it lived through plus %s x steady p99", MARGIN_FACTOR)
                .isLessThanOrEqualTo((long) (steadyP99 * MARGIN_FACTOR));
    }

    /**
     * Samples the group (state, members) and each worker's online application state every 100 ms,
     * to find the rebalance windows. Runs on a thread of its own; read after {@link #close()}.
     */
    static final class GroupWatch implements AutoCloseable {
        private record Sample(long at, GroupState group, int members, List<String> states) {}

        private final Admin admin;
        private final String appId;
        private final List<Integer> ports;
        private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();

        private GroupWatch(String bootstrap, String appId, List<Integer> ports) {
            this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
            this.appId = appId;
            this.ports = ports;
        }

        static GroupWatch start(String bootstrap, String appId, List<Integer> ports) {
            GroupWatch watch = new GroupWatch(bootstrap, appId, ports);
            watch.thread.scheduleWithFixedDelay(watch::sample, 0, 100, TimeUnit.MILLISECONDS);
            return watch;
        }

        private void sample() {
            try {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(appId))
                        .describedGroups()
                        .get(appId)
                        .get(5, TimeUnit.SECONDS);
                List<String> states = ports.stream()
                        .map(p -> WorkerEndpoints.appStates(p).getOrDefault(appId, "-"))
                        .toList();
                samples.add(new Sample(
                        System.currentTimeMillis(), g.groupState(), g.members().size(), states));
            } catch (Exception e) {
                // a missed sample only makes a window coarser
            }
        }

        private static boolean settled(Sample s, int members) {
            return s.group() == GroupState.STABLE
                    && s.members() == members
                    && s.states().stream().filter("RUNNING"::equals).count() == members;
        }

        /** Whether the latest sample shows a stable group of {@code members}, all RUNNING. */
        boolean settled(int members) {
            synchronized (samples) {
                return !samples.isEmpty() && settled(samples.get(samples.size() - 1), members);
            }
        }

        /**
         * The join window: from the first sample after {@code joinAt} that is not a settled group of
         * three until a group of four settled for good (before the kill). The kill window: from the
         * kill until a group of three settled for good.
         */
        List<Window> windows(long joinAt, long killAt, long deadAt) {
            List<Sample> all;
            synchronized (samples) {
                all = List.copyOf(samples);
            }
            List<Window> out = new ArrayList<>();
            Sample start = all.stream()
                    .filter(s -> s.at() >= joinAt && !settled(s, 3))
                    .findFirst()
                    .orElse(null);
            if (start != null) {
                out.add(new Window("join", start.at(), settledSince(all, start.at(), killAt, 4)));
            }
            long end = settledSince(all, deadAt, Long.MAX_VALUE, 3);
            out.add(new Window("kill", killAt, end));
            return out;
        }

        /**
         * The first sample of the last run of settled samples between {@code after} and {@code until}:
         * the group has not been disturbed again since (a cooperative rebalance can look settled for
         * a moment between its two rounds). {@code until} when the last sample there is not settled.
         */
        private static long settledSince(List<Sample> all, long after, long until, int members) {
            long since = until;
            for (Sample s : all) {
                if (s.at() <= after || s.at() > until) {
                    continue;
                }
                if (!settled(s, members)) {
                    since = until;
                } else if (since == until) {
                    since = s.at();
                }
            }
            return since;
        }

        @Override
        public void close() {
            thread.shutdownNow();
            admin.close();
        }
    }
}
