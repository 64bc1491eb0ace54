package io.harborai.worker.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * The secured client listeners an {@link EmbeddedKafka} can have besides its PLAINTEXT one: a
 * {@code SASL_PLAINTEXT} listener that takes SCRAM-SHA-512 logins, and an {@code SSL} listener with
 * a self-signed certificate for {@code localhost} and a truststore that holds it. Both are for
 * tests of the client side of secured clusters; the broker's own traffic stays on PLAINTEXT.
 *
 * <p>The certificate is a {@link SelfSignedTls} in the broker's temp directory.
 *
 * <p>Threading: built and set up by the thread that starts the broker; the getters are then
 * read-only and safe from any thread.
 */
public final class SecuredListeners {
    /** Listener names on the broker (upper case in {@code listeners}, lower case in their prefixes). */
    static final String SASL = "HARBOR_SASL";

    static final String SSL = "HARBOR_SSL";

    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Which secured listeners to add.
     *
     * @param scramUser user of the SASL listener, null for none
     * @param scramPassword that user's password
     * @param ssl whether to add the SSL listener
     */
    public record Options(String scramUser, String scramPassword, boolean ssl) {
        /** A SASL_PLAINTEXT listener for {@code user}, and an SSL listener. */
        public static Options both(String user, String password) {
            return new Options(user, password, true);
        }

        boolean sasl() {
            return scramUser != null;
        }
    }

    private final Options options;
    private final int saslPort;
    private final int sslPort;
    /** The SSL listener's certificate, or null without it. */
    private final SelfSignedTls tls;

    private final Map<String, String> brokerConfig = new LinkedHashMap<>();

    private SecuredListeners(Options options, SelfSignedTls tls) {
        this.options = options;
        this.saslPort = options.sasl() ? FreePorts.find() : 0;
        this.sslPort = options.ssl() ? FreePorts.find() : 0;
        this.tls = tls;
    }

    /** Picks the ports and, for SSL, makes the certificate and its stores under {@code dir}. */
    static SecuredListeners prepare(Options options, Path dir) throws IOException {
        SelfSignedTls tls = options.ssl() ? SelfSignedTls.create(Files.createDirectories(dir.resolve("tls"))) : null;
        SecuredListeners s = new SecuredListeners(options, tls);
        if (options.sasl()) {
            String prefix = "listener.name." + SASL.toLowerCase(Locale.ROOT) + ".";
            s.brokerConfig.put(prefix + "sasl.enabled.mechanisms", "SCRAM-SHA-512");
            s.brokerConfig.put(prefix + "scram-sha-512.sasl.jaas.config", SCRAM_MODULE + " required;");
        }
        if (options.ssl()) {
            String prefix = "listener.name." + SSL.toLowerCase(Locale.ROOT) + ".";
            s.brokerConfig.put(prefix + "ssl.keystore.type", "PKCS12");
            s.brokerConfig.put(prefix + "ssl.keystore.location", tls.keystore().toString());
            s.brokerConfig.put(prefix + "ssl.keystore.password", SelfSignedTls.KEYSTORE_PASSWORD);
            s.brokerConfig.put(prefix + "ssl.key.password", SelfSignedTls.KEYSTORE_PASSWORD);
        }
        return s;
    }

    /** {@code NAME://localhost:PORT} entries for the broker's {@code listeners}. */
    List<String> listeners() {
        List<String> l = new ArrayList<>();
        if (options.sasl()) {
            l.add(SASL + "://localhost:" + saslPort);
        }
        if (options.ssl()) {
            l.add(SSL + "://localhost:" + sslPort);
        }
        return l;
    }

    /** {@code NAME:PROTOCOL} entries for the broker's {@code listener.security.protocol.map}. */
    List<String> protocols() {
        List<String> l = new ArrayList<>();
        if (options.sasl()) {
            l.add(SASL + ":SASL_PLAINTEXT");
        }
        if (options.ssl()) {
            l.add(SSL + ":SSL");
        }
        return l;
    }

    /** The listener-prefixed broker settings (mechanisms, JAAS, key store). */
    Map<String, String> brokerConfig() {
        return brokerConfig;
    }

    /**
     * Creates the SCRAM user through {@code plaintextBootstrap} (KRaft keeps SCRAM credentials in
     * its metadata) and waits until the SASL listener accepts it, and until the SSL listener answers.
     */
    void setUp(String plaintextBootstrap) throws ExecutionException, InterruptedException {
        if (options.sasl()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", plaintextBootstrap))) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                                options.scramUser(),
                                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                                options.scramPassword())))
                        .all()
                        .get();
            }
            awaitAccepted(saslBootstrap(), saslClientProperties());
        }
        if (options.ssl()) {
            awaitAccepted(sslBootstrap(), sslClientProperties());
        }
    }

    /** Retries until a client of {@code props} is let in: the new credential reaches the broker shortly after it commits. */
    private static void awaitAccepted(String bootstrap, Map<String, Object> props) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> p = new LinkedHashMap<>(props);
        p.put("bootstrap.servers", bootstrap);
        while (true) {
            try (Admin admin = Admin.create(p)) {
                admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline || !(e.getCause() instanceof AuthenticationException)) {
                    throw new IllegalStateException("secured listener " + bootstrap + " not ready: " + e, e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** {@code bootstrap.servers} of the SASL_PLAINTEXT listener. */
    public String saslBootstrap() {
        requireSasl();
        return "localhost:" + saslPort;
    }

    /**
     * What a client needs besides {@code bootstrap.servers} to log in on the SASL listener as the
     * configured user: {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}.
     */
    public Map<String, Object> saslClientProperties() {
        requireSasl();
        return Map.of(
                "security.protocol",
                "SASL_PLAINTEXT",
                "sasl.mechanism",
                "SCRAM-SHA-512",
                "sasl.jaas.config",
                jaasConfig(options.scramUser(), options.scramPassword()));
    }

    /** The client JAAS line for a SCRAM login; {@code password} may be a {@code ${provider:path:key}} reference. */
    public static String jaasConfig(String user, String password) {
        return SCRAM_MODULE + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** {@code bootstrap.servers} of the SSL listener. */
    public String sslBootstrap() {
        requireSsl();
        return "localhost:" + sslPort;
    }

    /** What a client needs besides {@code bootstrap.servers} on the SSL listener: the protocol and the truststore. */
    public Map<String, Object> sslClientProperties() {
        requireSsl();
        return Map.of(
                "security.protocol",
                "SSL",
                "ssl.truststore.type",
                "PKCS12",
                "ssl.truststore.location",
                tls.truststore().toString(),
                "ssl.truststore.password",
                SelfSignedTls.TRUSTSTORE_PASSWORD);
    }

    private void requireSasl() {
        if (!options.sasl()) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
    }

    private void requireSsl() {
        if (!options.ssl()) {
            throw new IllegalStateException("this broker has no SSL listener");
        }
    }
}
