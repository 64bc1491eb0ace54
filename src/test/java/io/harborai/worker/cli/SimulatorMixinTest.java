package io.harborai.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.simulator.LatencyModel;
import io.harborai.worker.simulator.SimulatorDialect;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorOutage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class SimulatorMixinTest {
    @Command(name = "t")
    static final class Host {
        @Mixin
        SimulatorMixin sim;
    }

    static SimulatorMixin parse(String... args) {
        Host host = new Host();
        new CommandLine(host).parseArgs(args);
        return host.sim;
    }

    @Test
    void shouldDefaultToTheOldSimulator() {
        SimulatorOptions o = parse().options(5);
        assertThat(o.latencyModel()).isEqualTo(LatencyModel.fixed(Duration.ofMillis(5)));
        assertThat(o.faults().any()).isFalse();
        assertThat(o.seed()).isEqualTo(SimulatorOptions.DEFAULT_SEED);
        assertThat(o.callLogKeys()).isEqualTo(SimulatorOptions.DEFAULT_CALL_LOG_KEYS);
    }

    @Test
    void shouldBuildEveryKnobIntoTheOptions() {
        SimulatorOptions o = parse(
                        "--sim-latency-ms",
                        "80",
                        "--sim-latency-dist",
                        "LogNormal",
                        "--sim-latency-sigma",
                        "0.7",
                        "--sim-latency-max-ms",
                        "900",
                        "--sim-429-rate",
                        "0.1",
                        "--sim-retry-after-s",
                        "4",
                        "--sim-500-rate",
                        "0.05",
                        "--sim-timeout-rate",
                        "0.01",
                        "--sim-timeout-hold-s",
                        "30",
                        "--sim-malformed-rate",
                        "0.02",
                        "--sim-seed",
                        "9",
                        "--sim-call-log-keys",
                        "10")
                .options(0);

        assertThat(o.latencyModel())
                .isEqualTo(LatencyModel.logNormal(Duration.ofMillis(80), 0.7, Duration.ofMillis(900)));
        assertThat(o.faults().rate429()).isEqualTo(0.1);
        assertThat(o.faults().retryAfterSeconds()).isEqualTo(4);
        assertThat(o.faults().rate500()).isEqualTo(0.05);
        assertThat(o.faults().timeoutRate()).isEqualTo(0.01);
        assertThat(o.faults().timeoutHold()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.faults().malformedRate()).isEqualTo(0.02);
        assertThat(o.seed()).isEqualTo(9);
        assertThat(o.callLogKeys()).isEqualTo(10);
    }

    @Test
    void shouldBuildUniformFromLatencyAndMax() {
        SimulatorOptions o = parse(
                        "--sim-latency-dist", "uniform", "--sim-latency-ms", "10", "--sim-latency-max-ms", "30")
                .options(0);
        assertThat(o.latencyModel()).isEqualTo(LatencyModel.uniform(Duration.ofMillis(10), Duration.ofMillis(30)));
    }

    @Test
    void shouldRejectRatesOutOfRange() {
        assertThatThrownBy(() -> parse("--sim-500-rate", "1.5").options(0)).hasMessageContaining("500 rate");
    }

    @Test
    void shouldDefaultToOpenAiStrictAndValidJson() {
        SimulatorOptions o = parse().options(0);
        assertThat(o.dialect()).isEqualTo(SimulatorDialect.OPENAI);
        assertThat(o.strictParams()).isTrue();
        assertThat(o.invalidJsonRate()).isZero();
    }

    @Test
    void shouldBuildTheDialectKnobsIntoTheOptions() {
        SimulatorOptions o = parse(
                        "--sim-dialect", "DeepSeek", "--sim-strict-params=false", "--sim-invalid-json-rate", "0.3")
                .options(0);
        assertThat(o.dialect()).isEqualTo(SimulatorDialect.DEEPSEEK);
        assertThat(o.strictParams()).isFalse();
        assertThat(o.invalidJsonRate()).isEqualTo(0.3);
    }

    @Test
    void shouldRejectAnUnknownDialectAndABadInvalidJsonRate() {
        assertThatThrownBy(() -> parse("--sim-dialect", "claude"))
                .hasMessageContaining("openai|deepseek|doubao|wenxin");
        assertThatThrownBy(() -> parse("--sim-invalid-json-rate", "1.5").options(0))
                .hasMessageContaining("invalid-json rate");
    }

    @Test
    void shouldDefaultToNoPoisonAndNoOutage() {
        SimulatorOptions o = parse().options(0);
        assertThat(o.poisonRate()).isZero();
        assertThat(o.outage()).isNull();
    }

    @Test
    void shouldBuildThePoisonAndOutageKnobsIntoTheOptions() {
        SimulatorOptions o = parse(
                        "--sim-poison-rate",
                        "0.06",
                        "--sim-outage-at-s",
                        "60",
                        "--sim-outage-s",
                        "30",
                        "--sim-outage-mode",
                        "Refuse")
                .options(0);
        assertThat(o.poisonRate()).isEqualTo(0.06);
        assertThat(o.outage())
                .isEqualTo(new SimulatorOutage(
                        Duration.ofSeconds(60), Duration.ofSeconds(30), SimulatorOutage.Mode.REFUSE));
        assertThat(o.describePoisonAndOutage()).isEqualTo(", poison rate 0.06, outage refuse for 30s from 60s");
    }

    @Test
    void shouldStartA503OutageAtOnceWhenOnlyItsLengthIsGiven() {
        assertThat(parse("--sim-outage-s", "5").options(0).outage())
                .isEqualTo(new SimulatorOutage(Duration.ZERO, Duration.ofSeconds(5), SimulatorOutage.Mode.HTTP_503));
    }

    @Test
    void shouldRejectABadPoisonRateOrOutage() {
        assertThatThrownBy(() -> parse("--sim-poison-rate", "1.5").options(0)).hasMessageContaining("poison rate");
        assertThatThrownBy(() -> parse("--sim-outage-mode", "down")).hasMessageContaining("503|refuse");
        assertThatThrownBy(() -> parse("--sim-outage-at-s", "10").options(0))
                .hasMessageContaining("need --sim-outage-s");
        assertThatThrownBy(() -> parse("--sim-outage-mode", "refuse").options(0))
                .hasMessageContaining("need --sim-outage-s");
        assertThatThrownBy(() -> parse("--sim-outage-s", "0").options(0))
                .hasMessageContaining("--sim-outage-s must be > 0");
        assertThatThrownBy(() ->
                        parse("--sim-outage-s", "5", "--sim-outage-at-s", "-1").options(0))
                .hasMessageContaining("--sim-outage-at-s must be >= 0");
    }

    @Test
    void shouldOfferThePoisonAndOutageKnobsOnEveryCommandWithTheSimulator() {
        CommandLine harbor = HarborCli.commandLine();
        for (String command : List.of("simulator", "dev", "batch", "bench")) {
            for (String option :
                    List.of("--sim-poison-rate", "--sim-outage-at-s", "--sim-outage-s", "--sim-outage-mode")) {
                assertThat(harbor.getSubcommands().get(command).getCommandSpec().findOption(option))
                        .as(command + " " + option)
                        .isNotNull();
            }
        }
    }

    @Test
    void shouldExitWithTheFlagNamedWhenAnOutageIsHalfGiven() {
        StringWriter err = new StringWriter();
        CommandLine harbor = HarborCli.commandLine();
        harbor.setErr(new PrintWriter(err));
        int code = harbor.execute("simulator", "--sim-outage-at-s", "10");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("need --sim-outage-s");
    }
}
