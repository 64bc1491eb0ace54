package io.harborai.worker.dispatch;

/** The dispatch engine's meters (names follow Micrometer's dotted convention). */
public final class DispatchMetrics {
    private DispatchMetrics() {}

    /** Requests found in the pending store at task start (restore) and dispatched again. */
    public static final String REDISPATCHED = "harbor.dispatch.redispatched";
    /** Completions dropped because their request was already answered or had a newer attempt. */
    public static final String LATE_COMPLETIONS = "harbor.dispatch.late.completions";
    /** Records taken over the in-flight cap after waiting dispatch.max-block-ms. */
    public static final String CAP_OVERRUNS = "harbor.dispatch.cap.overruns";
    /** Retries scheduled (after a retriable failure). */
    public static final String RETRIES = "harbor.dispatch.retries";
    /** Requests moved to a fallback model. */
    public static final String FALLBACKS = "harbor.dispatch.fallbacks";
    /** Structured-output answers that failed validation and were asked again. */
    public static final String STRUCTURED_REASKS = "harbor.structured.reasks";
    /** Results FAILED with SCHEMA_VALIDATION after every attempt. */
    public static final String STRUCTURED_FAILURES = "harbor.structured.failures";
    /** Provider cost, in the price table's currency units; tags provider, model, currency. */
    public static final String COST = "harbor.cost";
}
