package io.harborai.worker.embedded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node Kafka broker in KRaft combined mode (one process is both broker and
 * controller), built on Kafka's own {@link KafkaClusterTestKit}.
 *
 * <p>Contract: after {@link #start()} returns, the broker accepts PLAINTEXT connections on
 * {@link #bootstrapServers()} and supports everything a Kafka Streams application with {@code
 * processing.guarantee=exactly_once_v2} needs: internal topics ({@code __consumer_offsets},
 * {@code __transaction_state}) are created with replication factor 1 and min ISR 1, and consumer
 * groups start without the initial rebalance delay. Topic auto-creation stays on (the broker
 * default), so tests should still create their topics explicitly to choose partition counts.
 *
 * <p>Limits: one node, data only in a temp directory that {@link #close()} deletes; it is for
 * {@code harbor dev}, the embedded batch job and tests, never for production traffic. The broker
 * listens on {@code localhost}. With a fixed port, the broker has an extra listener on that port
 * (the TestKit always binds its own listeners to random ports, see {@link #start(int)}). Security
 * is opt-in and for tests of secured clients: {@link #start(SecuredListeners.Options)} adds a
 * SASL_PLAINTEXT (SCRAM-SHA-512) and an SSL listener beside the PLAINTEXT one, which stays for the
 * broker's own traffic and for set-up; no ACLs, no client certificates.
 *
 * <p>Threading: {@link #start()} and {@link #close()} may be called from any thread; {@code
 * close()} is idempotent and safe to race with itself. The broker runs its own threads.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Broker settings that make a one-node cluster behave for transactions and fast tests. */
    public static final Map<String, String> SINGLE_NODE_CONFIG = Map.ofEntries(
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "5"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            // The first transactional producer creates this topic: 5 partitions, not 50, to create.
            Map.entry("transaction.state.log.num.partitions", "5"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("min.insync.replicas", "1"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            // The TestKit turns unstable API and feature versions on; a real 4.3 broker has them off.
            Map.entry("unstable.api.versions.enable", "false"),
            Map.entry("unstable.feature.versions.enable", "false"));

    private static final String FIXED_LISTENER = "HARBOR";

    private final KafkaClusterTestKit cluster;
    private final Path baseDir;
    private final String bootstrapServers;
    private volatile SecuredListeners secured;
    private volatile boolean closed;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path baseDir, int port) {
        this.cluster = cluster;
        this.baseDir = baseDir;
        this.bootstrapServers = port == 0 ? cluster.bootstrapServers() : "localhost:" + port;
    }

    /**
     * Starts a broker on a random PLAINTEXT port with the secured listeners of {@code options}
     * besides it, the SCRAM user created and accepted; their addresses and client settings are in
     * {@link #secured()}. Needs the JDK's {@code keytool} for the SSL listener.
     *
     * @throws IllegalStateException if the broker cannot start
     */
    public static EmbeddedKafka start(SecuredListeners.Options options) {
        return start(0, Objects.requireNonNull(options, "options"));
    }

    /** The secured listeners of {@link #start(SecuredListeners.Options)}. */
    public SecuredListeners secured() {
        if (secured == null) {
            throw new IllegalStateException("this broker was started without secured listeners");
        }
        return secured;
    }

    /** Starts a broker whose client listener takes a random free port. */
    public static EmbeddedKafka start() {
        return start(0);
    }

    /**
     * Starts a broker whose client listener binds {@code port} on localhost ({@code 0} for a
     * random port). A fixed port lets {@code harbor dev} print a stable address.
     *
     * @throws IllegalStateException if the broker cannot start (e.g. the port is taken)
     */
    public static EmbeddedKafka start(int port) {
        return start(port, null);
    }

    private static EmbeddedKafka start(int port, SecuredListeners.Options securedOptions) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
        }
        long t0 = System.nanoTime();
        Path baseDir = TempDirs.create("harbor-kafka-");
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(baseDir)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
            SINGLE_NODE_CONFIG.forEach(builder::setConfigProp);
            SecuredListeners secured =
                    securedOptions == null ? null : SecuredListeners.prepare(securedOptions, baseDir);
            if (port != 0 || secured != null) {
                addListeners(builder, nodes, port, secured);
            }
            cluster = builder.build();
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafka kafka = new EmbeddedKafka(cluster, baseDir, port);
            if (secured != null) {
                secured.setUp(kafka.bootstrapServers);
                kafka.secured = secured;
            }
            log.info(
                    "Embedded Kafka ready at {} in {} ms",
                    kafka.bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return kafka;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(cluster);
            TempDirs.deleteRecursively(baseDir);
            throw new IllegalStateException(
                    "embedded Kafka failed to start" + (port != 0 ? " on port " + port : "") + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * The TestKit pre-binds a random port for its broker listener and hands that socket to the
     * broker whatever port "listeners" names, so a fixed port needs a listener of its own. Clients
     * that bootstrap through it are told about that listener only, so they stay on the fixed port.
     * The secured listeners are more listeners of that kind, each with its own protocol.
     */
    private static void addListeners(
            KafkaClusterTestKit.Builder builder, TestKitNodes nodes, int port, SecuredListeners secured) {
        String broker = nodes.brokerListenerName().value();
        String controller = nodes.controllerListenerName().value();
        List<String> listeners = new ArrayList<>(List.of(broker + "://localhost:0", controller + "://localhost:0"));
        List<String> protocols = new ArrayList<>(List.of(
                broker + ":" + nodes.brokerListenerProtocol().name,
                controller + ":" + nodes.controllerListenerProtocol().name));
        if (port != 0) {
            listeners.add(FIXED_LISTENER + "://localhost:" + port);
            protocols.add(FIXED_LISTENER + ":PLAINTEXT");
        }
        if (secured != null) {
            listeners.addAll(secured.listeners());
            protocols.addAll(secured.protocols());
            secured.brokerConfig().forEach(builder::setConfigProp);
        }
        builder.setConfigProp("listeners", String.join(",", listeners));
        builder.setConfigProp("listener.security.protocol.map", String.join(",", protocols));
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code localhost:41234}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops the broker and deletes its data directories. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeQuietly(cluster);
        if (!TempDirs.deleteRecursively(baseDir)) {
            log.warn("Could not fully delete embedded Kafka directory {}", baseDir);
        }
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Embedded Kafka did not shut down cleanly: {}", e.toString());
        }
    }

    /**
     * The TestKit prints its bootstrap metadata to System.out while formatting; stdout belongs to
     * the command ({@code harbor dev} prints shell lines there) and the console to the job, so that
     * text goes to the log like the broker's own lines.
     */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        synchronized (EmbeddedKafka.class) {
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                cluster.format();
            } finally {
                System.setOut(out);
            }
        }
        printed.toString(java.nio.charset.StandardCharsets.UTF_8).lines().forEach(line -> log.info("{}", line));
    }
}
