package io.harborai.worker.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.avro.Cost;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetSettingsTest {

    @Test
    void shouldLetAPerTenantLimitReplaceTheDefaultAndCountANullTenantAsDash() {
        BudgetSettings s = BudgetSettings.of(10, Map.of("big", 100.0, "free", 0.0, "-", 1.0), "USD");
        assertThat(s.limitFor("small")).isEqualTo(10);
        assertThat(s.limitFor("big")).isEqualTo(100);
        assertThat(s.limitFor("free")).as("0 = unlimited for that tenant").isZero();
        assertThat(s.limitFor(null)).isEqualTo(1);
        assertThat(s.keyPrefix()).isEqualTo("harbor:budget:");
        assertThat(s.zone()).isEqualTo(ZoneOffset.UTC);
        assertThat(s.anyLimit()).isTrue();
        assertThat(BudgetSettings.of(0, Map.of("x", 0.0), "USD").anyLimit()).isFalse();
    }

    @Test
    void shouldRejectNegativeLimitsAndMalformedCurrencies() {
        assertThatThrownBy(() -> BudgetSettings.of(-1, Map.of(), "USD")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BudgetSettings.of(1, Map.of("t", Double.NaN), "USD"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BudgetSettings.of(1, Map.of(), "usd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNeverLimitWithNone() {
        TenantBudgets none = TenantBudgets.none();
        none.record("t", Cost.newBuilder().setAmount(1e9).setCurrency("USD").build());
        assertThat(none.exceeded("t")).isFalse();
        assertThat(none.exceeded(null)).isFalse();
        none.close();
    }
}
