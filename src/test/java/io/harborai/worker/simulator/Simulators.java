package io.harborai.worker.simulator;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Simulators started by one test and closed after it, whatever the test did:
 * {@code @RegisterExtension final Simulators sims = new Simulators();}, then {@code sims.start(...)}.
 */
final class Simulators implements AfterEachCallback {
    private final List<SimulatorServer> started = new ArrayList<>();

    SimulatorServer start(SimulatorOptions options) {
        SimulatorServer sim = SimulatorServer.start(options);
        started.add(sim);
        return sim;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(SimulatorServer::close);
        started.clear();
    }
}
