package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harborai.worker.cost.BudgetSettings;
import io.harborai.worker.cost.PriceTable;
import io.harborai.worker.dispatch.ratelimit.RateLimitSpec;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.provider.capability.CapabilityTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;

/**
 * The validated configuration of one worker process: a YAML file, then environment overrides,
 * then explicit overrides (CLI flags), checked all at once.
 *
 * <p>Immutable after {@link #load}; safe to share between threads. Secrets (the Redis URL, the
 * registry's user info, any {@code kafka.*} password, the content of every {@code *-file} key)
 * are never part of {@link #toString()} or of a {@link ConfigException}.
 */
public final class HarborConfig {
    /** Environment variables that override file keys, for containers and the embedded default. */
    public static final Map<String, String> ENV_OVERRIDES = Map.of(
            "HARBOR_KAFKA_BOOTSTRAP", "kafka.bootstrap.servers",
            "HARBOR_SCHEMA_REGISTRY_URL", SCHEMA_REGISTRY_URL,
            "HARBOR_REDIS_URL", REDIS_URL,
            "HARBOR_SIMULATOR_URL", SIMULATOR_URL,
            "HARBOR_METRICS_PORT", METRICS_PORT,
            "HARBOR_METRICS_BIND_ADDRESS", METRICS_BIND_ADDRESS);

    /** Top-level key of the model capability overrides (a YAML list, see {@link CapabilityTable#fromConfig}). */
    public static final String CAPABILITIES = "capabilities";

    private final Map<String, Object> values;
    private final Map<String, Object> kafka;
    private final List<ProviderSpec> providers;
    private final List<RateLimitSpec> rateLimits;
    private final Tables tables;
    private final SecretFiles.Resolved secrets;

    /** The per-model and per-tenant tables of the file. */
    private record Tables(
            CapabilityTable capabilities, PriceTable prices, BudgetSettings budgets, GatewayTenants tenants) {}

    private HarborConfig(
            Map<String, Object> values,
            Map<String, Object> kafka,
            List<ProviderSpec> providers,
            List<RateLimitSpec> rateLimits,
            Tables tables,
            SecretFiles.Resolved secrets) {
        this.values = values;
        this.kafka = kafka;
        this.providers = providers;
        this.rateLimits = rateLimits;
        this.tables = tables;
        this.secrets = secrets;
    }

    /**
     * Loads and validates. {@code file} may be null (defaults only).
     *
     * @throws ConfigException naming every bad key
     */
    public static HarborConfig load(Path file, Map<String, String> env, Map<String, ?> overrides) {
        Map<String, Object> raw = new LinkedHashMap<>();
        if (file != null) {
            raw.putAll(readYaml(file));
        }
        ENV_OVERRIDES.forEach((var, key) -> {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                raw.put(key, v.trim());
            }
        });
        raw.putAll(overrides);
        return validate(raw, env);
    }

    /** Explicit keys only (no file, no overrides from the environment): what tests start from. */
    public static HarborConfig fromMap(Map<String, ?> raw) {
        return validate(new LinkedHashMap<>(raw), System.getenv());
    }

    private static HarborConfig validate(Map<String, Object> raw, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> kafka = new TreeMap<>();
        Map<String, Map<String, Object>> providerRaw = new LinkedHashMap<>();
        Map<String, String> own = new LinkedHashMap<>();
        Map<String, Object> budgetDaily = new LinkedHashMap<>();
        Map<String, Object> tenantsRaw = new LinkedHashMap<>();
        raw.forEach((key, value) -> {
            if (key.equals(CAPABILITIES)
                    || key.startsWith(CAPABILITIES + ".")
                    || key.equals(PriceTable.CONFIG_KEY)
                    || key.startsWith(PriceTable.CONFIG_KEY + ".")) {
                // handled below; a mapping instead of a list arrives flattened and is reported there
            } else if (key.startsWith(GatewayTenants.PREFIX)) {
                tenantsRaw.put(key.substring(GatewayTenants.PREFIX.length()), value);
            } else if (key.startsWith(BUDGET_DAILY_PREFIX)) {
                budgetDaily.put(key.substring(BUDGET_DAILY_PREFIX.length()), value);
            } else if (key.startsWith("kafka.")) {
                kafka.put(key.substring("kafka.".length()), value);
            } else if (key.startsWith("providers.")) {
                String rest = key.substring("providers.".length());
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    problems.add(key + ": expected providers.<name>.<setting>");
                } else {
                    providerRaw
                            .computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>())
                            .put(rest.substring(dot + 1), value);
                }
            } else if (DEF.configKeys().containsKey(key)) {
                // A YAML list (LIST keys) reaches ConfigDef as the comma-separated form it parses.
                own.put(
                        key,
                        value == null
                                ? null
                                : value instanceof List<?> list
                                        ? String.join(
                                                ",",
                                                list.stream()
                                                        .map(String::valueOf)
                                                        .toList())
                                        : value.toString());
            } else {
                problems.add(key + ": unknown key");
            }
        });
        List<ConfigValue> checked = DEF.validate(own);
        for (ConfigValue cv : checked) {
            for (String msg : cv.errorMessages()) {
                problems.add(cv.name() + ": " + redactValue(cv.name(), msg));
            }
        }
        checkBetweenKeys(checked, problems);
        SecretFiles.Resolved secrets = SecretFiles.resolve(own, problems);
        List<ProviderSpec> providers = new ArrayList<>();
        List<RateLimitSpec> rateLimits = new ArrayList<>();
        // With bad values elsewhere, providers are still checked against the documented defaults.
        Map<String, Object> parsed = problems.isEmpty() ? DEF.parse(own) : DEF.defaultValues();
        providerRaw.forEach((name, settings) -> {
            ProviderSpec spec = ProviderSettings.spec(name, settings, parsed, problems);
            if (spec != null && spec.apiKeyEnv() != null && isBlank(env.get(spec.apiKeyEnv()))) {
                problems.add(
                        "providers." + name + ".api-key-env: environment variable " + spec.apiKeyEnv() + " is not set");
            } else if (spec != null && spec.apiKeyFile() != null) {
                SecretFiles.check("providers." + name + ".api-key-file", spec.apiKeyFile(), problems)
                        .ifPresent(key -> providers.add(spec));
            } else if (spec != null) {
                providers.add(spec);
            }
            long rpm = ProviderSettings.perMinute("providers." + name + ".rpm", settings.get("rpm"), problems);
            long tpm = ProviderSettings.perMinute("providers." + name + ".tpm", settings.get("tpm"), problems);
            if (rpm > 0 || tpm > 0) {
                rateLimits.add(RateLimitSpec.of(name, rpm, tpm));
            }
        });
        CapabilityTable capabilities = CapabilityTable.fromConfig(listValue(raw, CAPABILITIES), problems);
        PriceTable prices = PriceTable.fromConfig(listValue(raw, PriceTable.CONFIG_KEY), problems);
        BudgetSettings budgets = budgets(budgetDaily, parsed, problems);
        GatewayTenants tenants = GatewayTenants.parse(tenantsRaw, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new HarborConfig(
                parsed,
                Map.copyOf(kafka),
                List.copyOf(providers),
                List.copyOf(rateLimits),
                new Tables(capabilities, prices, budgets, tenants),
                secrets);
    }

    /** What a range per key cannot say: bounds that must not cross (each key valid on its own). */
    private static void checkBetweenKeys(List<ConfigValue> checked, List<String> problems) {
        Map<String, ConfigValue> byName = new LinkedHashMap<>();
        checked.forEach(cv -> byName.put(cv.name(), cv));
        ConfigValue min = byName.get(DISPATCH_CONCURRENCY_MIN);
        ConfigValue max = byName.get(DISPATCH_CONCURRENCY_MAX);
        if (min.errorMessages().isEmpty()
                && max.errorMessages().isEmpty()
                && (Integer) min.value() > (Integer) max.value()) {
            problems.add(DISPATCH_CONCURRENCY_MIN + ": " + min.value() + " exceeds " + DISPATCH_CONCURRENCY_MAX + " ("
                    + max.value() + ")");
        }
    }

    /**
     * The value of a top-level list key ({@code capabilities}, {@code pricing}). A mapping written
     * there instead arrives flattened into {@code key.*} keys; it is handed on as an empty map so the
     * table's parser reports "must be a list".
     */
    private static Object listValue(Map<String, Object> raw, String key) {
        Object v = raw.get(key);
        return v == null && raw.keySet().stream().anyMatch(k -> k.startsWith(key + ".")) ? Map.of() : v;
    }

    /** {@code budget.daily.<tenant>: amount} limits plus the {@code budget.*} defaults. */
    private static BudgetSettings budgets(
            Map<String, Object> daily, Map<String, Object> parsed, List<String> problems) {
        Map<String, Double> perTenant = new LinkedHashMap<>();
        daily.forEach((tenant, v) -> {
            if (tenant.isBlank()
                    || !(v instanceof Number n)
                    || !(n.doubleValue() >= 0)
                    || Double.isInfinite(n.doubleValue())) {
                problems.add(BUDGET_DAILY_PREFIX + tenant + ": must be a number >= 0 (daily limit in budget.currency;"
                        + " 0 = unlimited)");
            } else {
                perTenant.put(tenant, n.doubleValue());
            }
        });
        String currency = (String) parsed.get(BUDGET_CURRENCY);
        if (!currency.matches("[A-Z]{3}")) {
            problems.add(BUDGET_CURRENCY + ": must be a three-letter currency code such as USD or CNY");
            currency = "USD";
        }
        return new BudgetSettings(
                (Double) parsed.get(BUDGET_DAILY_DEFAULT),
                perTenant,
                currency,
                (String) parsed.get(BUDGET_KEY_PREFIX),
                null);
    }

    /** ConfigDef messages quote the offending value; never echo a password-typed one. */
    private static String redactValue(String key, String message) {
        return DEF.configKeys().get(key).type == org.apache.kafka.common.config.ConfigDef.Type.PASSWORD
                ? "invalid value (hidden: secret)"
                : message;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    static Map<String, Object> readYaml(Path file) {
        try {
            Object tree = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Object.class);
            Map<String, Object> flat = new LinkedHashMap<>();
            if (tree instanceof Map<?, ?> map) {
                flatten("", map, flat);
            } else if (tree != null) {
                throw new ConfigException(List.of(file + ": the top level must be a mapping of keys"));
            }
            return flat;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        map.forEach((k, v) -> {
            String key = prefix + k;
            // kafka.* keys keep their own dots (bootstrap.servers), so only maps are descended.
            if (v instanceof Map<?, ?> child) {
                flatten(key + ".", child, out);
            } else {
                out.put(key, v);
            }
        });
    }

    public String string(String key) {
        return (String) values.get(key);
    }

    public int intValue(String key) {
        return (Integer) values.get(key);
    }

    public long longValue(String key) {
        return (Long) values.get(key);
    }

    public double doubleValue(String key) {
        return (Double) values.get(key);
    }

    public short shortValue(String key) {
        return (Short) values.get(key);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String key) {
        return (List<String>) values.get(key);
    }

    public boolean bool(String key) {
        return (Boolean) values.get(key);
    }

    /** The secret behind a PASSWORD key; callers must not log it. */
    public String secret(String key) {
        Password p = (Password) values.get(key);
        return p == null ? null : p.value();
    }

    /** The Redis URL with the credentials of {@code redis.username}/{@code redis.password-file}; never log it. */
    public String redisUrl() {
        return secrets.redisUrl().value();
    }

    /** The registry URL with the credentials of {@code schema-registry.*}; never log it. */
    public String schemaRegistryUrl() {
        return secrets.schemaRegistryUrl().value();
    }

    /** The token of {@code metrics.bearer-token-file}, or null when {@code /metrics} is open; never log it. */
    public String metricsBearerToken() {
        return secrets.metricsBearerToken() == null
                ? null
                : secrets.metricsBearerToken().value();
    }

    /** {@code kafka.*} keys without the prefix, passed to every Kafka client. */
    public Map<String, Object> kafka() {
        return kafka;
    }

    public String kafkaBootstrap() {
        Object v = kafka.get("bootstrap.servers");
        return v == null ? "localhost:9092" : v.toString();
    }

    /** Providers in file order; empty means "every model is served by the simulator". */
    public List<ProviderSpec> providers() {
        return providers;
    }

    /** Model capabilities: the built-ins behind the {@code capabilities:} overrides of the file. */
    public CapabilityTable capabilities() {
        return tables.capabilities();
    }

    /** Prices per model: the built-ins behind the {@code pricing:} overrides of the file. */
    public PriceTable prices() {
        return tables.prices();
    }

    /** Daily spend limits per tenant ({@code budget.*}); {@link BudgetSettings#anyLimit()} false = none. */
    public GatewayTenants gatewayTenants() {
        return tables.tenants();
    }

    public BudgetSettings budgets() {
        return tables.budgets();
    }

    /** Per-provider RPM/TPM limits, shared by all instances through Redis; providers not listed are unlimited. */
    public List<RateLimitSpec> rateLimits() {
        return rateLimits;
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, v instanceof Password ? "[hidden]" : v));
        shown.put(SCHEMA_REGISTRY_URL, SecretFiles.withoutUserInfo(string(SCHEMA_REGISTRY_URL)));
        kafka.forEach((k, v) -> shown.put("kafka." + k, isSecretKey(k) ? "[hidden]" : v));
        providers.forEach(p -> shown.put("providers." + p.name(), p.baseUrl() + " " + p.models()));
        return shown.toString();
    }

    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.endsWith(".key");
    }
}
