package io.harborai.worker.cli;

import io.harborai.worker.embedded.EmbeddedStack;
import io.harborai.worker.provider.SimulatorOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code harbor dev}: in-process Kafka, Redis, registry and simulator, printed as shell lines so
 * {@code eval "$(harbor dev | grep ^HARBOR_)"}-style wiring works; runs until interrupted.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Start in-process Kafka (KRaft), Redis, Schema Registry and the simulator; print their addresses.")
final class DevCommand implements Callable<Integer> {
    @Option(names = "--sim-latency-ms", defaultValue = "0", description = "Simulator latency (default: ${DEFAULT-VALUE}).")
    long simLatencyMs;

    @Override
    public Integer call() throws Exception {
        EmbeddedStack stack = EmbeddedStack.start(true,
            new SimulatorOptions("127.0.0.1", 0, Duration.ofMillis(simLatencyMs)));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "harbor-dev-shutdown"));
        System.out.print(stack.shellLines());
        System.out.flush();
        System.err.println("# harbor dev is up; export the lines above and run `bin/harbor run`. Ctrl-C to stop.");
        stopped.await();
        return 0;
    }
}
