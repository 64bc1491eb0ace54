package io.harborai.worker.cli;

import io.harborai.worker.simulator.SimulatorServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code harbor simulator}: the built-in OpenAI-compatible simulator, standalone. */
@Command(
        name = "simulator",
        mixinStandardHelpOptions = true,
        description = "Run the OpenAI-compatible simulator provider.")
final class SimulatorCommand implements Callable<Integer>, LogsToFile {
    @Option(
            names = "--port",
            defaultValue = "8090",
            description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--latency-ms",
            paramLabel = "MS",
            description = "Latency per call (default: 0); --sim-latency-ms wins when both are given.")
    Long latencyMs;

    @Mixin
    SimulatorMixin sim;

    @Override
    public Integer call() throws Exception {
        SimulatorServer server = SimulatorServer.start(sim.options(host, port, latencyMs == null ? 0 : latencyMs));
        System.out.println("HARBOR_SIMULATOR_URL=" + server.baseUrl());
        System.out.flush();
        System.err.println(
                "# simulator: latency " + server.options().latencyModel().describe()
                        + ", faults " + server.options().faults() + ", seed "
                        + server.options().seed()
                        + ", dialect " + server.options().dialect().id()
                        + ", strict params " + server.options().strictParams()
                        + ", invalid-json rate " + server.options().invalidJsonRate()
                        + server.options().describePoisonAndOutage());
        UntilStopped.await("simulator", server);
        return 0;
    }
}
