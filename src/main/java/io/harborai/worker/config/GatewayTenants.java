package io.harborai.worker.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's tenants: {@code gateway.tenants.<tenant>.key-sha256} (the SHA-256 of each API key,
 * hex; one or a list, so keys can be rotated) and {@code gateway.tenants.<tenant>.rpm} (requests per
 * minute through the gateway, across its instances; 0 or absent = unlimited). The config holds only
 * hashes: a key itself is never written to a file, a log, a topic or a metric.
 *
 * @param tenants in file order; empty = the gateway takes requests without a key
 */
public record GatewayTenants(List<Tenant> tenants) {
    /** Prefix of the per-tenant settings, checked here. */
    public static final String PREFIX = "gateway.tenants.";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,80}");

    /** One tenant: the hashes of its keys and its limit. */
    public record Tenant(String name, Set<String> keySha256, long rpm) {}

    public GatewayTenants {
        tenants = List.copyOf(tenants);
    }

    /** Parses the settings (keys without the prefix, e.g. {@code acme.rpm}); adds each problem found. */
    static GatewayTenants parse(Map<String, Object> raw, List<String> problems) {
        Map<String, Map<String, Object>> byTenant = new LinkedHashMap<>();
        raw.forEach((rest, value) -> {
            int dot = rest.lastIndexOf('.');
            if (dot <= 0) {
                problems.add(PREFIX + rest + ": expected " + PREFIX + "<tenant>.key-sha256 or .rpm");
            } else {
                byTenant.computeIfAbsent(rest.substring(0, dot), t -> new LinkedHashMap<>())
                        .put(rest.substring(dot + 1), value);
            }
        });
        List<Tenant> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        byTenant.forEach((name, settings) -> {
            String where = PREFIX + name + ".";
            if (!NAME.matcher(name).matches()) {
                problems.add(PREFIX + name + ": a tenant name is 1-80 of [A-Za-z0-9._-]");
                return;
            }
            Set<String> hashes = new LinkedHashSet<>();
            long rpm = 0;
            for (var e : settings.entrySet()) {
                switch (e.getKey()) {
                    case "key-sha256" -> {
                        List<?> values = e.getValue() instanceof List<?> l ? l : List.of(String.valueOf(e.getValue()));
                        for (Object v : values) {
                            String h = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
                            if (!SHA256.matcher(h).matches()) {
                                // Never quote the value: a key pasted here by mistake must not reach a log.
                                problems.add(where + "key-sha256: must be 64 hex digits, the SHA-256 of the key"
                                        + " (printf %s \"$KEY\" | sha256sum), never the key itself");
                            } else if (!seen.add(h)) {
                                problems.add(where + "key-sha256: the same key hash is listed for two tenants");
                            } else {
                                hashes.add(h);
                            }
                        }
                    }
                    case "rpm" -> {
                        if (e.getValue() instanceof Number n
                                && n.longValue() >= 0
                                && n.doubleValue() == n.longValue()) {
                            rpm = n.longValue();
                        } else {
                            problems.add(where + "rpm: must be a whole number >= 0 (0 = unlimited)");
                        }
                    }
                    default -> problems.add(where + e.getKey() + ": unknown setting (key-sha256, rpm)");
                }
            }
            if (!settings.containsKey("key-sha256")) {
                problems.add(where + "key-sha256: required");
            }
            out.add(new Tenant(name, Set.copyOf(hashes), rpm));
        });
        return new GatewayTenants(out);
    }
}
