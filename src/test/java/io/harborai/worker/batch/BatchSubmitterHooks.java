package io.harborai.worker.batch;

import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.testinfra.Kill;
import java.io.PrintStream;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Builds, for integration tests in other packages, a {@link BatchSubmitter} whose producer (given
 * through the package-private factory) dies like a killed process: the submitter itself has no
 * crash hook.
 */
public final class BatchSubmitterHooks {
    private BatchSubmitterHooks() {}

    /**
     * A submitter of the configured cluster that is killed when it is about to send line {@code
     * lines + 1} of this run: the open chunk's records are flushed to the broker inside a transaction
     * that is never committed, and {@link BatchSubmitter#submit} throws {@link Kill.Killed}.
     */
    @SuppressWarnings("unchecked")
    public static BatchSubmitter killedAfterLines(HarborConfig cfg, PrintStream log, long lines) {
        BatchSettings settings = StageSettings.batch(cfg);
        String statusTopic = settings.topics().batches();
        return BatchSubmitter.create(settings, log, props -> {
            Producer<String, byte[]> real = BatchSubmitter.kafkaProducer(props);
            long[] sent = {0};
            return Kill.around(Producer.class, real, (method, args, proceed) -> {
                if (method.getName().equals("send")
                        && !((ProducerRecord<?, ?>) args[0]).topic().equals(statusTopic)
                        && ++sent[0] > lines) {
                    real.flush();
                    throw new Kill.Killed("killed before sending line " + sent[0]);
                }
                return proceed.call();
            });
        });
    }
}
