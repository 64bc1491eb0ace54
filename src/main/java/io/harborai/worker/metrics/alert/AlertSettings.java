package io.harborai.worker.metrics.alert;

/**
 * The alert rules' settings ({@code alerts.*}); a threshold of 0 leaves its rule out (see {@link
 * AlertRules}). Immutable.
 *
 * @param enabled whether the rules are evaluated at all
 * @param webhookUrl where each Alert event is also POSTed, or null
 * @param fireAfter consecutive breaching snapshots before a rule fires
 * @param resolveAfter consecutive recovered snapshots before a firing rule resolves
 * @param latencyP95Ms rule {@value AlertRules#LATENCY_P95}
 * @param errorRate rule {@value AlertRules#ERROR_RATE}
 * @param heapUsedRatio rule {@value AlertRules#MEMORY}
 * @param cacheHitRateMin rule {@value AlertRules#CACHE_HIT_RATE} (a floor)
 * @param dlqPerSecond rule {@value AlertRules#DLQ_RATE}
 * @param consumerLag rule {@value AlertRules#CONSUMER_LAG}
 */
public record AlertSettings(
        boolean enabled,
        String webhookUrl,
        int fireAfter,
        int resolveAfter,
        double latencyP95Ms,
        double errorRate,
        double heapUsedRatio,
        double cacheHitRateMin,
        double dlqPerSecond,
        long consumerLag) {

    /** Whether alerts are also POSTed to a webhook. */
    public boolean hasWebhook() {
        return enabled && webhookUrl != null && !webhookUrl.isBlank();
    }
}
