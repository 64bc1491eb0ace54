package io.harborai.worker.cli;

import io.harborai.worker.provider.SimulatorOptions;
import io.harborai.worker.provider.SimulatorServer;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code harbor simulator}: the built-in OpenAI-compatible simulator, standalone. */
@Command(name = "simulator", mixinStandardHelpOptions = true,
    description = "Run the OpenAI-compatible simulator provider.")
final class SimulatorCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8090", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--latency-ms", defaultValue = "0", description = "Fixed latency per call (default: ${DEFAULT-VALUE}).")
    long latencyMs;

    @Override
    public Integer call() throws Exception {
        SimulatorServer server = SimulatorServer.start(new SimulatorOptions(host, port, Duration.ofMillis(latencyMs)));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "harbor-simulator-shutdown"));
        System.out.println("HARBOR_SIMULATOR_URL=" + server.baseUrl());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
