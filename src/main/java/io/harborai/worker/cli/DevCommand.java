package io.harborai.worker.cli;

import io.harborai.worker.embedded.EmbeddedStack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code harbor dev}: in-process Kafka, Redis, registry and simulator, printed as shell lines so
 * {@code eval "$(harbor dev | grep ^HARBOR_)"}-style wiring works; runs until interrupted.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Start in-process Kafka (KRaft), Redis, Schema Registry and the simulator; print their addresses.")
final class DevCommand implements Callable<Integer> {
    @Mixin
    SimulatorMixin sim;

    @Override
    public Integer call() throws Exception {
        EmbeddedStack stack = EmbeddedStack.start(true, sim.options(0));
        System.out.print(stack.shellLines());
        System.out.flush();
        System.err.println("# harbor dev is up; export the lines above and run `bin/harbor run`. Ctrl-C to stop.");
        UntilStopped.await("dev", stack);
        return 0;
    }
}
