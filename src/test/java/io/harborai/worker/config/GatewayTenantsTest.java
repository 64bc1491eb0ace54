package io.harborai.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code gateway.tenants.*}: hashes and limits read, every wrong setting named, no key ever echoed. */
class GatewayTenantsTest {
    private static final String HASH_A = "a".repeat(64);
    private static final String HASH_B = "0123456789abcdef".repeat(4);

    @Test
    void shouldReadTenantsWithOneOrSeveralKeyHashesAndTheirLimits() {
        HarborConfig cfg = HarborConfig.fromMap(Map.of(
                "gateway.tenants.acme.key-sha256", List.of(HASH_A, HASH_B.toUpperCase()),
                "gateway.tenants.acme.rpm", 600,
                "gateway.tenants.beta.key-sha256", "b".repeat(64)));

        assertThat(cfg.gatewayTenants().tenants())
                .extracting(GatewayTenants.Tenant::name, GatewayTenants.Tenant::rpm)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("acme", 600L),
                        org.assertj.core.groups.Tuple.tuple("beta", 0L));
        assertThat(cfg.gatewayTenants().tenants().stream()
                        .filter(t -> t.name().equals("acme"))
                        .findFirst()
                        .orElseThrow()
                        .keySha256())
                .containsExactlyInAnyOrder(HASH_A, HASH_B);
    }

    @Test
    void shouldNameEveryWrongSettingAndNeverQuoteAKeyPastedInstead() {
        String pastedKey = "sk-live-do-not-print-me";
        assertThatThrownBy(() -> HarborConfig.fromMap(Map.of(
                        "gateway.tenants.acme.key-sha256",
                        pastedKey,
                        "gateway.tenants.acme.rpm",
                        -1,
                        "gateway.tenants.beta.rpm",
                        10,
                        "gateway.tenants.gamma.key-sha256",
                        HASH_A,
                        "gateway.tenants.gamma.burst",
                        3,
                        "gateway.tenants.delta.key-sha256",
                        HASH_A)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.tenants.acme.key-sha256: must be 64 hex digits")
                .hasMessageContaining("gateway.tenants.acme.rpm: must be a whole number >= 0")
                .hasMessageContaining("gateway.tenants.beta.key-sha256: required")
                .hasMessageContaining("gateway.tenants.gamma.burst: unknown setting")
                .hasMessageContaining("key hash is listed for two tenants")
                .hasMessageNotContaining(pastedKey);
    }
}
