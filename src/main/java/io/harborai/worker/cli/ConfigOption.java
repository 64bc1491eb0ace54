package io.harborai.worker.cli;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.startup.KafkaAccess;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The {@code --config} option shared by commands that read the worker configuration. */
final class ConfigOption {
    /** What a cluster-only command says without a cluster; {@code %s} is the command's name. */
    private static final String NO_CLUSTER = "harbor %s needs a Kafka cluster and none is configured: start one with "
            + "`harbor dev` and export the HARBOR_* lines it prints, or set HARBOR_KAFKA_BOOTSTRAP "
            + "(or kafka.bootstrap.servers in --config).";

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML configuration file (default: $HARBOR_CONFIG, else built-in defaults).")
    Path file;

    Path resolve() {
        if (file != null) {
            return file;
        }
        String env = System.getenv("HARBOR_CONFIG");
        return env == null || env.isBlank() ? null : Path.of(env);
    }

    /** Loads the file, then the process environment, then {@code overrides}. */
    HarborConfig load(Map<String, String> extraEnv, Map<String, ?> overrides) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(extraEnv);
        return HarborConfig.load(resolve(), env, overrides);
    }

    /**
     * Loads the configuration of a command that only works against a running cluster ({@code
     * harbor <command>}); null, after telling {@code err} how to configure one, when none is.
     */
    HarborConfig loadCluster(String command, Consumer<String> err) {
        return loadCluster(command, err, Map.of());
    }

    /**
     * As {@link #loadCluster(String, Consumer)}, with {@code overrides} over the file and environment.
     * Checks that the cluster answers and takes the configured credentials.
     *
     * @throws KafkaAccess.RefusedException when it does not (one message, printed by {@link HarborCli})
     */
    HarborConfig loadCluster(String command, Consumer<String> err, Map<String, ?> overrides) {
        HarborConfig cfg = load(Map.of(), overrides);
        if (!clusterConfigured(cfg)) {
            err.accept(NO_CLUSTER.formatted(command));
            return null;
        }
        checkCluster(cfg);
        return cfg;
    }

    /**
     * Asks the configured cluster for its id, then the schema registry for its subjects: the first
     * contact of every command with them, so a refused password is one clear message at start-up.
     *
     * @throws KafkaAccess.RefusedException when Kafka refuses the credentials or does not answer (one
     *     message, printed by {@link HarborCli})
     * @throws IllegalStateException when the registry refuses the credentials (one message naming
     *     the registry and the keys to check)
     */
    static void checkCluster(HarborConfig cfg) {
        KafkaAccess.check(StageSettings.kafkaClients(cfg));
        SchemaRegistryClient.create(cfg.schemaRegistryUrl()).checkAccess(HarborWorker.START_UP_CHECK);
    }

    /**
     * True when {@code loaded} (from {@link #load}) names a Kafka cluster: the file's
     * {@code kafka.bootstrap.servers}, or {@code HARBOR_KAFKA_BOOTSTRAP}, which load() maps onto it.
     */
    static boolean clusterConfigured(HarborConfig loaded) {
        return loaded.kafka().containsKey("bootstrap.servers");
    }
}
