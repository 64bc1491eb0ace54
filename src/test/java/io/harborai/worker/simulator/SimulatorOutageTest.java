package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Outages over real HTTP: a window of 503s or refused connections, then recovery. Timing is only
 * ever checked against bounds that hold however late the client or the simulator's timer runs.
 */
class SimulatorOutageTest {
    static final OkHttpClient HTTP = SimulatorServerTest.SHARED
            .newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofSeconds(10))
            .build();
    static final long DEADLINE_MS = 30_000;

    @RegisterExtension
    final Simulators sims = new Simulators();

    /** One call as the client saw it: wall-clock send and receive times, status or failure. */
    record Probe(long sentMs, long receivedMs, int status, IOException failure, String body) {
        boolean up() {
            return status == 200;
        }
    }

    static Probe probe(SimulatorServer sim) {
        long sent = System.currentTimeMillis();
        try (Response r = HTTP.newCall(SimulatorFaultsTest.post(sim, null)).execute()) {
            String body = r.body().string();
            return new Probe(sent, System.currentTimeMillis(), r.code(), null, body);
        } catch (IOException e) {
            return new Probe(sent, System.currentTimeMillis(), 0, e, null);
        }
    }

    /** Calls one after another until the outage has come and gone (three 200s after it). */
    static List<Probe> probeThroughOutage(SimulatorServer sim) {
        List<Probe> probes = new ArrayList<>();
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        boolean wentDown = false;
        int upAfter = 0;
        while (upAfter < 3) {
            assertThat(System.currentTimeMillis())
                    .as("outage over by now: %s", probes)
                    .isLessThan(deadline);
            Probe p = probe(sim);
            probes.add(p);
            wentDown |= !p.up();
            upAfter = wentDown && p.up() ? upAfter + 1 : 0;
        }
        return probes;
    }

    /**
     * Checks one outage of {@code lengthMs}, starting no earlier than {@code earliestStartMs}, in
     * calls made one after another: 200s, then only downs, then 200s; no down before the earliest
     * start; the first 200 after no earlier than the outage can have ended; and, when {@code
     * exactEnd}, downs no longer apart than the length. Returns the down probes.
     */
    static List<Probe> assertOneWindow(List<Probe> probes, long earliestStartMs, long lengthMs, boolean exactEnd) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < probes.size(); i++) {
            if (!probes.get(i).up()) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        assertThat(first).as("an outage was seen").isGreaterThanOrEqualTo(0);
        List<Probe> down = probes.subList(first, last + 1);
        assertThat(down)
                .as("one unbroken outage")
                .noneMatch(Probe::up)
                .as("no down before the outage can start")
                .noneMatch(p -> p.receivedMs() < earliestStartMs);
        if (exactEnd) {
            // Each down call arrived inside the outage, which lasts lengthMs from its start.
            assertThat(down.get(down.size() - 1).sentMs() - down.get(0).receivedMs())
                    .as("downs span no more than the outage")
                    .isLessThan(lengthMs);
        }
        Probe recovered = probes.get(last + 1);
        assertThat(recovered.receivedMs())
                .as("up again no earlier than the outage's end")
                .isGreaterThanOrEqualTo(earliestStartMs + lengthMs);
        return down;
    }

    @Test
    void shouldAnswer503OnlyInsideThePlannedWindowThenRecover() throws Exception {
        long startAfter = 500;
        long length = 1_500;
        long before = System.currentTimeMillis();
        SimulatorServer sim = sims.start(SimulatorOptions.defaults()
                .withOutage(new SimulatorOutage(
                        Duration.ofMillis(startAfter), Duration.ofMillis(length), SimulatorOutage.Mode.HTTP_503)));

        List<Probe> probes = probeThroughOutage(sim);

        List<Probe> down = assertOneWindow(probes, before + startAfter, length, true);
        for (Probe p : down) {
            assertThat(p.status()).isEqualTo(503);
            JsonNode error = OpenAiJson.parse(p.body(), "error").path("error");
            assertThat(error.path("type").asText()).isEqualTo("server_error");
            assertThat(error.path("message").asText()).contains("outage");
        }
        assertThat(sim.outcomes(FaultRates.Outcome.OUTAGE)).isEqualTo(down.size());
        assertThat(sim.outcomes(FaultRates.Outcome.OK)).isEqualTo(probes.size() - down.size());
        assertThat(sim.outageActive()).isFalse();
        JsonNode outage = SimulatorFaultsTest.get(sim, "/stats").path("outage");
        assertThat(outage.path("planned").asText()).isEqualTo("503 for 1500ms from 500ms");
        assertThat(outage.path("started").asLong()).isEqualTo(1);
        assertThat(outage.path("active").asBoolean()).isFalse();
    }

    @Test
    void shouldRefuseConnectionsOnlyInsideThePlannedWindowThenListenOnTheSamePort() {
        long startAfter = 500;
        long length = 1_500;
        long before = System.currentTimeMillis();
        SimulatorServer sim = sims.start(SimulatorOptions.defaults()
                .withOutage(new SimulatorOutage(
                        Duration.ofMillis(startAfter), Duration.ofMillis(length), SimulatorOutage.Mode.REFUSE)));
        int port = sim.port();

        List<Probe> probes = probeThroughOutage(sim);

        // Refusing ends when the timer has run and the port is bound again: later under load.
        List<Probe> down = assertOneWindow(probes, before + startAfter, length, false);
        // The first may be a pooled connection cut as the socket closed; after it, refusals only.
        assertThat(down.subList(1, down.size()))
                .allSatisfy(p -> assertThat(p.failure()).isInstanceOf(ConnectException.class));
        assertThat(down).anySatisfy(p -> assertThat(p.failure()).isInstanceOf(ConnectException.class));
        assertThat(sim.port()).isEqualTo(port);
        assertThat(sim.outcomes(FaultRates.Outcome.OUTAGE))
                .as("refused calls never arrive")
                .isZero();
    }

    @Test
    void shouldStartA503OutageOnDemandAndKeepOtherEndpointsUp() throws Exception {
        SimulatorServer sim = sims.start(SimulatorOptions.defaults());
        assertThat(probe(sim).status()).isEqualTo(200);

        sim.startOutage(Duration.ofSeconds(60), SimulatorOutage.Mode.HTTP_503);

        assertThat(sim.outageActive()).isTrue();
        try (Response r = HTTP.newCall(SimulatorFaultsTest.post(sim, "k")).execute()) {
            assertThat(r.code()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNull();
            assertThat(OpenAiJson.parse(r.body().string(), "e")
                            .path("error")
                            .path("type")
                            .asText())
                    .isEqualTo("server_error");
        }
        JsonNode stats = SimulatorFaultsTest.get(sim, "/stats");
        assertThat(stats.path("outage").path("active").asBoolean()).isTrue();
        assertThat(stats.path("outage").path("mode").asText()).isEqualTo("503");
        assertThat(stats.path("outcomes").path("outage").asLong()).isEqualTo(1);
        assertThat(SimulatorFaultsTest.get(sim, "/calls?key=k")
                        .path("calls")
                        .path(0)
                        .path("outcome")
                        .asText())
                .isEqualTo("outage");

        // A shorter outage replaces the long one; the simulator recovers when it ends.
        long replacedAt = System.currentTimeMillis();
        sim.startOutage(Duration.ofMillis(300), SimulatorOutage.Mode.HTTP_503);
        Probe up = awaitUp(sim);
        assertThat(up.receivedMs() - replacedAt).isGreaterThanOrEqualTo(300);
        assertThat(sim.outageActive()).isFalse();
    }

    @Test
    void shouldRefuseConnectionsOnDemandThenListenAgainOnTheSamePort() throws Exception {
        SimulatorServer sim = sims.start(SimulatorOptions.defaults());
        int port = sim.port();
        assertThat(probe(sim).status()).isEqualTo(200);

        sim.startOutage(Duration.ofSeconds(60), SimulatorOutage.Mode.REFUSE);

        assertThat(sim.outageActive()).isTrue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        assertThat(probe(sim).failure()).isInstanceOf(ConnectException.class);

        // A shorter outage replaces the long one; the simulator listens again when it ends.
        long replacedAt = System.currentTimeMillis();
        sim.startOutage(Duration.ofMillis(300), SimulatorOutage.Mode.REFUSE);
        Probe up = awaitUp(sim);
        assertThat(up.receivedMs() - replacedAt).isGreaterThanOrEqualTo(300);
        assertThat(sim.port()).isEqualTo(port);
        assertThat(sim.outageActive()).isFalse();
        assertThat(SimulatorFaultsTest.get(sim, "/stats")
                        .path("outage")
                        .path("started")
                        .asLong())
                .isEqualTo(2);
    }

    @Test
    void shouldCutCallsInFlightWhenConnectionsAreRefused() throws Exception {
        SimulatorServer sim = sims.start(SimulatorOptions.defaults().withLatency(Duration.ofSeconds(20)));
        CompletableFuture<SimulatorFaultsTest.Reply> inFlight =
                SimulatorFaultsTest.send(HTTP, SimulatorFaultsTest.post(sim, null));
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (sim.calls() == 0) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(5);
        }

        sim.startOutage(Duration.ofSeconds(60), SimulatorOutage.Mode.REFUSE);

        // Well before the 20 s latency: the connection was closed, as by a crashed provider.
        assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void shouldRejectABadOutage() {
        assertThatThrownBy(() ->
                        new SimulatorOutage(Duration.ofSeconds(-1), Duration.ofSeconds(1), SimulatorOutage.Mode.REFUSE))
                .hasMessageContaining("outage start");
        assertThatThrownBy(() -> new SimulatorOutage(Duration.ZERO, Duration.ZERO, SimulatorOutage.Mode.REFUSE))
                .hasMessageContaining("outage length");
        SimulatorServer sim = sims.start(SimulatorOptions.defaults());
        assertThatThrownBy(() -> sim.startOutage(Duration.ofMillis(-5), SimulatorOutage.Mode.HTTP_503))
                .hasMessageContaining("outage length");
        assertThat(SimulatorOutage.Mode.parse("Refuse")).isEqualTo(SimulatorOutage.Mode.REFUSE);
        assertThat(SimulatorOutage.Mode.parse("503")).isEqualTo(SimulatorOutage.Mode.HTTP_503);
        assertThatThrownBy(() -> SimulatorOutage.Mode.parse("down")).hasMessageContaining("503|refuse");
    }

    static Probe awaitUp(SimulatorServer sim) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (true) {
            Probe p = probe(sim);
            if (p.up()) {
                return p;
            }
            assertThat(System.currentTimeMillis()).as("recovered by now: %s", p).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
