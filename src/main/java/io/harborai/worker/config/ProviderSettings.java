package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.provider.Dialect;
import io.harborai.worker.provider.ProviderSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the {@code providers.<name>.*} keys of one provider: every problem is added to the
 * caller's list, named by its full key, so {@link HarborConfig} reports them all at once. Whether
 * the key's variable is set, or its file readable, is checked by {@link HarborConfig}. Stateless.
 */
final class ProviderSettings {
    static final Set<String> PROVIDER_KEYS = Set.of(
            "base-url",
            "api-key-env",
            "api-key-file",
            "models",
            "connect-timeout-ms",
            "read-timeout-ms",
            "write-timeout-ms",
            "call-timeout-ms",
            "rpm",
            "tpm",
            "dialect",
            "stream",
            "ttft-timeout-ms");

    private ProviderSettings() {}

    static ProviderSpec spec(String name, Map<String, Object> s, Map<String, Object> defaults, List<String> problems) {
        String prefix = "providers." + name + ".";
        int before = problems.size();
        s.keySet().stream()
                .filter(k -> !PROVIDER_KEYS.contains(k))
                .sorted()
                .forEach(k -> problems.add(prefix + k + ": unknown key (allowed: "
                        + PROVIDER_KEYS.stream().sorted().toList() + ")"));
        Dialect dialect = Dialect.GENERIC;
        Object d = s.get("dialect");
        if (d != null) {
            Optional<Dialect> parsedDialect = Dialect.fromConfig(String.valueOf(d));
            if (parsedDialect.isEmpty()) {
                problems.add(prefix + "dialect: must be one of " + Dialect.configNames());
            } else {
                dialect = parsedDialect.get();
            }
        }
        Object baseUrl = s.containsKey("base-url")
                ? s.get("base-url")
                : dialect.defaultBaseUrl().orElse(null);
        if (!(baseUrl instanceof String url) || !(url.startsWith("http://") || url.startsWith("https://"))) {
            problems.add(prefix + "base-url: "
                    + (dialect.defaultBaseUrl().isPresent()
                            ? ""
                            : "required for dialect " + dialect.configName() + ", ")
                    + "an http:// or https:// URL");
        }
        Object keyFile = s.get("api-key-file");
        // A key file replaces the dialect's default variable; naming both is a mistake.
        Object keyEnv = s.containsKey("api-key-env")
                ? s.get("api-key-env")
                : keyFile == null ? dialect.defaultApiKeyEnv().orElse(null) : null;
        if (keyEnv != null && !(keyEnv instanceof String k && k.matches("[A-Za-z_][A-Za-z0-9_]*"))) {
            problems.add(
                    prefix + "api-key-env: must name an environment variable (the key itself never goes in the file)");
        }
        if (keyFile != null && keyEnv != null) {
            problems.add(prefix + "api-key-file: set either api-key-env or api-key-file, not both");
        } else if (keyFile != null && !(keyFile instanceof String f && !f.isBlank())) {
            problems.add(prefix + "api-key-file: must be the path of a file holding the key");
        }
        Object streamRaw = s.getOrDefault("stream", false);
        boolean stream = false;
        if (streamRaw instanceof Boolean b) {
            stream = b;
        } else if (streamRaw instanceof String str && (str.equalsIgnoreCase("true") || str.equalsIgnoreCase("false"))) {
            stream = Boolean.parseBoolean(str);
        } else {
            problems.add(prefix + "stream: must be true or false (default false)");
        }
        Duration ttft = ttftMillis(prefix, s.get("ttft-timeout-ms"), problems);
        List<String> models = new ArrayList<>();
        Object m = s.get("models");
        if (m instanceof List<?> list
                && !list.isEmpty()
                && list.stream().allMatch(x -> x instanceof String str && !str.isBlank())) {
            list.forEach(x -> models.add((String) x));
        } else if (m instanceof String single && !single.isBlank()) {
            models.add(single);
        } else {
            problems.add(prefix + "models: required, a non-empty list of model names or globs");
        }
        Duration connect = millis(prefix, "connect-timeout-ms", s, defaults.get(HTTP_CONNECT_TIMEOUT_MS), problems);
        Duration read = millis(prefix, "read-timeout-ms", s, defaults.get(HTTP_READ_TIMEOUT_MS), problems);
        Duration write = millis(prefix, "write-timeout-ms", s, defaults.get(HTTP_WRITE_TIMEOUT_MS), problems);
        Duration call = millis(prefix, "call-timeout-ms", s, defaults.get(HTTP_CALL_TIMEOUT_MS), problems);
        if (problems.size() > before) {
            return null;
        }
        return new ProviderSpec(
                name,
                ((String) baseUrl).replaceAll("/+$", ""),
                (String) keyEnv,
                List.copyOf(models),
                connect,
                read,
                write,
                call,
                dialect,
                stream,
                ttft,
                (String) keyFile);
    }

    /** First-token timeout: absent or 0 means none. */
    private static Duration ttftMillis(String prefix, Object v, List<String> problems) {
        if (v == null) {
            return Duration.ZERO;
        }
        try {
            long ms = v instanceof Number n
                    ? n.longValue()
                    : Long.parseLong(String.valueOf(v).trim());
            if (ms >= 0 && ms <= 3_600_000) {
                return Duration.ofMillis(ms);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(prefix + "ttft-timeout-ms: must be an integer number of milliseconds in [0, 3600000] (0 = none)");
        return Duration.ZERO;
    }

    /** A per-minute limit: absent or 0 means unlimited. */
    static long perMinute(String key, Object v, List<String> problems) {
        if (v == null) {
            return 0;
        }
        try {
            long n = v instanceof Number num
                    ? num.longValue()
                    : Long.parseLong(String.valueOf(v).trim());
            if (n >= 0 && n <= 1_000_000_000L) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + ": must be a whole number per minute in [0, 1000000000] (0 = unlimited)");
        return 0;
    }

    private static Duration millis(
            String prefix, String key, Map<String, Object> s, Object fallback, List<String> problems) {
        Object v = s.getOrDefault(key, fallback);
        try {
            long ms = v instanceof Number n
                    ? n.longValue()
                    : Long.parseLong(String.valueOf(v).trim());
            if (ms >= 1 && ms <= 3_600_000) {
                return Duration.ofMillis(ms);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(prefix + key + ": must be an integer number of milliseconds in [1, 3600000]");
        return null;
    }
}
