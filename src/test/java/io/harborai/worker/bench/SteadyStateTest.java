package io.harborai.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SteadyStateTest {
    @Test
    void steadyWhenTheLastWindowsAgreeWithinTheTolerance() {
        // a cold start, then three windows within ±10 % of their mean (2,600)
        List<Double> rates = List.of(900.0, 1700.0, 2500.0, 2700.0, 2600.0);
        assertThat(SteadyState.steady(rates, 3, 0.10)).isTrue();
        assertThat(SteadyState.judge(rates, 3, 0.10, true, false)).isEqualTo(SteadyState.Verdict.STEADY);
    }

    @Test
    void notSteadyWhileStillClimbing() {
        // 2,000 / 2,400 / 2,800: mean 2,400, the ends lie 16.7 % away
        List<Double> rates = List.of(2000.0, 2400.0, 2800.0);
        assertThat(SteadyState.steady(rates, 3, 0.10)).isFalse();
        assertThat(SteadyState.judge(rates, 3, 0.10, true, false)).isEqualTo(SteadyState.Verdict.CONTINUE);
    }

    @Test
    void notSteadyWithFewerWindowsThanK() {
        assertThat(SteadyState.steady(List.of(2600.0, 2600.0), 3, 0.10)).isFalse();
        assertThat(SteadyState.steady(List.of(), 3, 0.10)).isFalse();
    }

    @Test
    void zeroRatesAreNeverSteady() {
        assertThat(SteadyState.steady(List.of(0.0, 0.0, 0.0), 3, 0.10)).isFalse();
    }

    @Test
    void theCapEndsAWarmUpThatIsNotSteady() {
        List<Double> rates = List.of(1000.0, 2000.0, 3000.0);
        assertThat(SteadyState.judge(rates, 3, 0.10, true, true)).isEqualTo(SteadyState.Verdict.CAPPED);
    }

    @Test
    void steadyInTheLastAllowedWindowCountsAsSteady() {
        List<Double> rates = List.of(2600.0, 2650.0, 2550.0);
        assertThat(SteadyState.judge(rates, 3, 0.10, true, true)).isEqualTo(SteadyState.Verdict.STEADY);
    }

    @Test
    void steadyBeforeTheMinimumIsSentGoesOn() {
        List<Double> rates = List.of(2600.0, 2650.0, 2550.0);
        assertThat(SteadyState.judge(rates, 3, 0.10, false, false)).isEqualTo(SteadyState.Verdict.CONTINUE);
    }

    @Test
    void warmUpSendsWindowsUntilSteadyAndCountsThem() throws InterruptedException {
        double[] script = {500, 1500, 2000, 2600, 2500, 2700, 9999};
        List<Integer> sizes = new ArrayList<>();
        WarmUp.Result r = WarmUp.run(
                n -> {
                    sizes.add(n);
                    return script[sizes.size() - 1];
                },
                1000,
                2000,
                Duration.ofHours(1));
        assertThat(r.steady()).isTrue();
        assertThat(r.windowRps()).containsExactly(500.0, 1500.0, 2000.0, 2600.0, 2500.0, 2700.0);
        assertThat(r.requests()).isEqualTo(6000);
        assertThat(sizes).containsOnly(1000);
    }

    @Test
    void warmUpStopsAtTheCapAndSaysNotSteady() throws InterruptedException {
        double[] rate = {100};
        WarmUp.Result r = WarmUp.run(n -> rate[0] *= 2, 10, 10, Duration.ZERO);
        assertThat(r.steady()).isFalse();
        assertThat(r.windowRps()).containsExactly(200.0);
        assertThat(r.requests()).isEqualTo(10);
    }

    @Test
    void roundStatsReportTheMedianAndTheSpread() {
        RoundStats odd = new RoundStats(List.of(9000.0, 6000.0, 9200.0, 9100.0, 8900.0), 2, 0, false);
        assertThat(odd.median()).isEqualTo(9000.0);
        assertThat(odd.spread()).isEqualTo(9200.0 / 6000.0);
        RoundStats even = new RoundStats(List.of(1.0, 4.0, 2.0, 3.0), 2, 0, false);
        assertThat(even.median()).isEqualTo(2.5);
        assertThat(new RoundStats(List.of(), 2, 0, false).median()).isZero();
    }

    @Test
    void roundsRunUntilTheLastThreeAgreeAndKeepOnlyThose() throws InterruptedException {
        double[] script = {2500, 3000, 3500, 4200, 4300, 4250, 1};
        RoundStats r = RoundStats.untilSteady(i -> script[i], 15, 1);
        assertThat(r.steady()).isTrue();
        assertThat(r.warmupRounds()).isEqualTo(3);
        assertThat(r.rates()).containsExactly(4200.0, 4300.0, 4250.0);
        assertThat(r.median()).isEqualTo(4250.0);
    }

    @Test
    void roundsStopAtTheMaximumAndSayNotSteady() throws InterruptedException {
        RoundStats r = RoundStats.untilSteady(i -> 1000.0 * (i + 1), 4, 1);
        assertThat(r.steady()).isFalse();
        assertThat(r.warmupRounds()).isEqualTo(1);
        assertThat(r.rates()).containsExactly(2000.0, 3000.0, 4000.0);
    }
}
