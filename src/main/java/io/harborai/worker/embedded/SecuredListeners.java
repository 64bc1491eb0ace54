package io.harborai.worker.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
 * <p>The certificate is made by the JDK's {@code keytool} (a child process) in the broker's temp
 * directory: nothing on the class path signs certificates (Bouncy Castle is not a dependency and
 * the JDK's own X.509 builder is internal), and tests always run on a full JDK.
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
    private final Path truststore;
    private final String storePassword;
    private final Map<String, String> brokerConfig = new LinkedHashMap<>();

    private SecuredListeners(Options options, Path truststore, String storePassword) {
        this.options = options;
        this.saslPort = options.sasl() ? FreePorts.find() : 0;
        this.sslPort = options.ssl() ? FreePorts.find() : 0;
        this.truststore = truststore;
        this.storePassword = storePassword;
    }

    /** Picks the ports and, for SSL, makes the key and trust stores under {@code dir}. */
    static SecuredListeners prepare(Options options, Path dir) throws IOException, InterruptedException {
        String storePassword = UUID.randomUUID().toString();
        Path truststore = null;
        Path keystore = null;
        if (options.ssl()) {
            Path tls = Files.createDirectories(dir.resolve("tls"));
            keystore = tls.resolve("broker.p12");
            truststore = tls.resolve("truststore.p12");
            selfSignedStores(keystore, truststore, storePassword);
        }
        SecuredListeners s = new SecuredListeners(options, truststore, storePassword);
        if (options.sasl()) {
            String prefix = "listener.name." + SASL.toLowerCase(java.util.Locale.ROOT) + ".";
            s.brokerConfig.put(prefix + "sasl.enabled.mechanisms", "SCRAM-SHA-512");
            s.brokerConfig.put(prefix + "scram-sha-512.sasl.jaas.config", SCRAM_MODULE + " required;");
        }
        if (options.ssl()) {
            String prefix = "listener.name." + SSL.toLowerCase(java.util.Locale.ROOT) + ".";
            s.brokerConfig.put(prefix + "ssl.keystore.type", "PKCS12");
            s.brokerConfig.put(prefix + "ssl.keystore.location", keystore.toString());
            s.brokerConfig.put(prefix + "ssl.keystore.password", storePassword);
            s.brokerConfig.put(prefix + "ssl.key.password", storePassword);
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
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
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
                truststore.toString(),
                "ssl.truststore.password",
                storePassword);
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

    /**
     * A key pair for CN=localhost (SAN localhost and 127.0.0.1) in {@code keystore} (keytool), its
     * certificate as the one trusted entry of {@code truststore} (the JDK's KeyStore API).
     */
    private static void selfSignedStores(Path keystore, Path truststore, String password)
            throws IOException, InterruptedException {
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-keypass",
                password);
        try {
            java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(keystore)) {
                keys.load(in, password.toCharArray());
            }
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("broker", keys.getCertificate("broker"));
            try (var out = Files.newOutputStream(truststore)) {
                trust.store(out, password.toCharArray());
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot write the truststore: " + e.getMessage(), e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8).trim());
        }
    }
}
