package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.client.ReplyHeaders;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Passes on, as a {@link Reply}, each result whose record names a reply target (set by the ledger
 * or the dispatch processor from the request's headers, already checked there). Stateless.
 */
final class ReplyRouter implements Processor<String, ChatResult, String, Reply> {
    private ProcessorContext<String, Reply> context;

    @Override
    public void init(ProcessorContext<String, Reply> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, ChatResult> record) {
        ReplyHeaders.Target target = ReplyHeaders.read(record.headers());
        if (target != null) {
            context.forward(new Record<>(
                    record.key(), new Reply(target, record.value()), record.timestamp(), new RecordHeaders()));
        }
    }

    /** Headers naming {@code target}, for a result on its way to the results topic and the router. */
    static RecordHeaders headersFor(ReplyHeaders.Target target) {
        RecordHeaders h = new RecordHeaders();
        if (target != null) {
            ReplyHeaders.write(h, target.topic(), target.partition());
        }
        return h;
    }
}
