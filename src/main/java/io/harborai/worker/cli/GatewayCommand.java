package io.harborai.worker.cli;

import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.HarborConfigDef;
import io.harborai.worker.gateway.GatewayServer;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code harbor gateway [--port P] [--config F]}: serves the OpenAI REST API ({@code POST
 * /v1/chat/completions}, {@code GET /v1/models}) in front of a running cluster's workers, until
 * stopped. Any OpenAI SDK pointed at {@code http://host:P/v1} drives the Kafka pipeline.
 */
@Command(
        name = "gateway",
        mixinStandardHelpOptions = true,
        description = "Serve the OpenAI chat-completions API in front of the cluster's workers.")
final class GatewayCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--port", description = "HTTP port (default: gateway.port, 8080).")
    Integer port;

    @Override
    public Integer call() throws Exception {
        HarborConfig cfg = config.loadCluster(
                "gateway", System.err::println, port == null ? Map.of() : Map.of(HarborConfigDef.GATEWAY_PORT, port));
        if (cfg == null) {
            return 2;
        }
        GatewayServer gateway = GatewayServer.start(cfg);
        System.err.printf("harbor gateway: OpenAI API on http://localhost:%d/v1 (Ctrl-C stops)%n", gateway.port());
        UntilStopped.await("gateway", gateway);
        return 0;
    }
}
