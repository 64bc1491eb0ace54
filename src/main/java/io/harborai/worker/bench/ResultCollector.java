package io.harborai.worker.bench;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.console.ProgressBar;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads results (read_committed) and turns each into latency samples: end to end (the request's
 * send time to the moment this consumer holds the result) and worker-added (end to end minus the
 * provider call's own duration, {@code ChatResult.timings.provider_ms}), the latter also cut into
 * where it was spent ({@link LatencySplit}).
 *
 * <p>Memory does not grow with the result count beyond one bit per request of the phase: latencies
 * go into two HdrHistograms (microseconds, 3 significant digits, up to an hour: about 200 KB
 * each), and a {@link BitSet} spots duplicates.
 *
 * <p>Threading: used from the bench's main thread only; it reads the generator's send times,
 * which are safe to read from another thread (see {@link LoadGenerator}).
 */
final class ResultCollector implements AutoCloseable {
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    /** One phase's figures. */
    record Phase(
            long results,
            long failed,
            long duplicates,
            long elapsedNanos,
            Histogram e2e,
            Histogram overhead,
            CacheStats cache,
            LatencySplit split) {
        double throughput() {
            return elapsedNanos <= 0 ? 0 : results * 1e9 / elapsedNanos;
        }
    }

    private final Consumer<String, ChatResult> consumer;
    private final BenchRequests requests;

    /** Positions the consumer at the current end of {@code topic}, so history is never read. */
    ResultCollector(Consumer<String, ChatResult> consumer, String topic, BenchRequests requests) {
        this.consumer = consumer;
        this.requests = requests;
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /**
     * Collects the {@code count} results of the phase {@code gen} is producing, showing progress,
     * until all arrived or none arrived for {@code stallTimeout}.
     *
     * @param onResult called with the phase's running result count after each new result
     */
    Phase collect(
            LoadGenerator gen, long firstSeq, int count, String label, Duration stallTimeout, LongConsumer onResult) {
        Histogram e2e = new Histogram(MAX_MICROS, 3);
        Histogram overhead = new Histogram(MAX_MICROS, 3);
        CacheStats.Recorder cache = new CacheStats.Recorder();
        LatencySplit.Recorder split = new LatencySplit.Recorder();
        BitSet seen = new BitSet(count);
        long results = 0;
        long failed = 0;
        long duplicates = 0;
        long firstSent = -1;
        long lastResult = System.nanoTime();
        long lastProgress = lastResult;
        ProgressBar bar = ProgressBar.stderr(label + " produce", count);
        boolean producing = true;
        while (results < count && System.nanoTime() - lastProgress < stallTimeout.toNanos()) {
            if (gen.failure() != null) {
                throw new IllegalStateException("producing requests failed: " + gen.failure(), gen.failure());
            }
            var batch = consumer.poll(Duration.ofMillis(50));
            long now = System.nanoTime();
            long nowMs = System.currentTimeMillis();
            for (ConsumerRecord<String, ChatResult> rec : batch) {
                ChatResult r = rec.value();
                long seq = r == null ? -1 : requests.seq(r.getId());
                long sentAt = seq < 0 ? -1 : gen.sentAtNanos(seq);
                if (sentAt < 0) {
                    continue; // another phase's straggler, or not ours
                }
                int i = (int) (seq - firstSeq);
                if (seen.get(i)) {
                    duplicates++;
                    continue;
                }
                seen.set(i);
                results++;
                if (r.getStatus() != ResultStatus.SUCCEEDED) {
                    failed++;
                }
                long e2eMicros = Math.max(0, (now - sentAt) / 1_000);
                long providerMicros =
                        r.getTimings() == null ? 0 : r.getTimings().getProviderMs() * 1_000;
                e2e.recordValue(Math.min(MAX_MICROS, e2eMicros));
                long overheadMicros = Math.max(0, e2eMicros - providerMicros);
                overhead.recordValue(Math.min(MAX_MICROS, overheadMicros));
                cache.record(r.getCache(), overheadMicros);
                split.record(r, e2eMicros, nowMs);
                lastResult = now;
                lastProgress = now;
                onResult.accept(results);
            }
            if (firstSent < 0 && gen.produced() > 0) {
                firstSent = gen.sentAtNanos(firstSeq);
            }
            if (producing) {
                long produced = gen.produced();
                bar.update(produced);
                if (produced >= count) {
                    bar.finish(produced);
                    producing = false;
                    bar = ProgressBar.stderr(label + " collect", count);
                }
            } else {
                bar.update(results);
            }
        }
        bar.finish(producing ? gen.produced() : results);
        long elapsed = firstSent < 0 ? 0 : lastResult - firstSent;
        return new Phase(results, failed, duplicates, elapsed, e2e, overhead, cache.snapshot(), split.snapshot());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
