package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.dispatch.Results;
import io.harborai.worker.provider.ErrorCode;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the {@link RequestHandler} for each valid request and forwards exactly one result, keyed
 * by request id. An unexpected exception from the handler becomes a FAILED INTERNAL result rather
 * than a dead stream thread, so one bad request cannot stall a partition.
 *
 * <p>Runs on the stream thread; holds no mutable state.
 */
final class DispatchProcessor implements Processor<String, ChatRequest, String, ChatResult> {
    private static final Logger log = LoggerFactory.getLogger(DispatchProcessor.class);

    private final RequestHandler handler;
    private ProcessorContext<String, ChatResult> context;

    DispatchProcessor(RequestHandler handler) {
        this.handler = handler;
    }

    @Override
    public void init(ProcessorContext<String, ChatResult> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, ChatRequest> record) {
        long received = System.currentTimeMillis();
        ChatRequest request = record.value();
        ChatResult result;
        try {
            result = handler.handle(request, received);
        } catch (RuntimeException e) {
            log.error("Handler failed for request {} (model {})", request.getId(), request.getModel(), e);
            result = Results.failed(request, null, ErrorCode.INTERNAL,
                "internal error: " + e.getClass().getSimpleName(), null, received, 0);
        }
        context.forward(record.withValue(result).withTimestamp(Math.max(record.timestamp(), received)));
    }
}
