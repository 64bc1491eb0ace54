package io.harborai.worker.provider;

import java.time.Duration;
import java.util.List;

/** TEMPORARY stub until the provider branch merges. */
public record ProviderSpec(String name, String baseUrl, String apiKeyEnv, List<String> models,
                           Duration connectTimeout, Duration readTimeout, Duration writeTimeout, Duration callTimeout) {}
