package io.harborai.worker.startup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * The first contact with the Kafka cluster at start-up (worker, gateway and every command that
 * talks to a cluster): one Admin call that fails fast with one message a person can act on when
 * the cluster refuses the credentials, does not trust or is not trusted over TLS, or does not
 * answer. Without it a wrong password shows as a client that logs and retries, or a stream thread
 * that dies later, far from the cause.
 *
 * <p>Messages name the component (Kafka), the mechanism, the user and the {@code kafka.*} key to
 * check, never a password: Kafka's own messages carry none, and any configured secret value that
 * still appears in one is replaced before it is shown.
 *
 * <p>Stateless; safe from any thread.
 */
public final class KafkaAccess {
    /** How long the cluster has to answer the first call. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern PASSWORD = Pattern.compile("password\\s*=\\s*\"([^\"]*)\"");

    private KafkaAccess() {}

    /** Start-up could not reach or log in to the cluster; the message says why and what to check. */
    public static final class RefusedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Asks the cluster of {@code clientProps} for its id, within {@link #TIMEOUT}.
     *
     * @throws RefusedException when it refuses the credentials, fails the TLS handshake, or does not answer
     */
    public static void check(Map<String, Object> clientProps) {
        check(clientProps, TIMEOUT);
    }

    static void check(Map<String, Object> clientProps, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.putIfAbsent("client.id", "harbor-startup-check");
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (KafkaException e) {
            throw new RefusedException(describe(e, clientProps, timeout), e);
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .clusterId()
                    .get();
        } catch (ExecutionException e) {
            throw new RefusedException(describe(e.getCause(), clientProps, timeout), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to Kafka", e);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    /** True when {@code failure} or one of its causes is Kafka refusing a login or a TLS handshake. */
    public static boolean isAuthenticationFailure(Throwable failure) {
        return find(failure, AuthenticationException.class) != null;
    }

    /**
     * One line for a person: why the client of {@code clientProps} (any {@code kafka.*} map, may be
     * empty) could not use the cluster, starting with "Kafka: ".
     */
    public static String describe(Throwable failure, Map<String, ?> clientProps) {
        return describe(failure, clientProps, TIMEOUT);
    }

    private static String describe(Throwable failure, Map<String, ?> clientProps, Duration timeout) {
        String bootstrap = setting(clientProps, "bootstrap.servers", "the cluster");
        String protocol = setting(clientProps, "security.protocol", "PLAINTEXT");
        String message;
        if (find(failure, SslAuthenticationException.class) != null) {
            message = "Kafka: TLS handshake with " + bootstrap + " failed (" + tlsReason(failure)
                    + "): check kafka.ssl.truststore.location and kafka.ssl.truststore.password";
        } else if (find(failure, AuthenticationException.class) != null) {
            String mechanism = setting(clientProps, "sasl.mechanism", "GSSAPI");
            String user = user(clientProps);
            message = "Kafka: authentication failed (" + (protocol.startsWith("SASL") ? "SASL " : "") + mechanism
                    + (user != null ? " as user " + user : "") + " at " + bootstrap
                    + "): check kafka.sasl.jaas.config (user and password) and kafka.sasl.mechanism";
        } else if (find(failure, org.apache.kafka.common.errors.TimeoutException.class) != null
                || find(failure, java.util.concurrent.TimeoutException.class) != null) {
            message = "Kafka: no answer from " + bootstrap + " within " + timeout.toSeconds()
                    + " s: is the cluster up, and does kafka.security.protocol (" + protocol
                    + ") match the listener of kafka.bootstrap.servers?";
        } else {
            message = "Kafka: cannot use the cluster at " + bootstrap + ": " + rootMessage(failure)
                    + " (check the kafka.* settings)";
        }
        return redact(message, clientProps);
    }

    private static String setting(Map<String, ?> clientProps, String key, String otherwise) {
        Object v = clientProps.get(key);
        return v == null ? otherwise : v.toString();
    }

    private static String tlsReason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof java.security.cert.CertPathBuilderException
                    || t instanceof java.security.cert.CertPathValidatorException
                    || m.contains("PKIX")) {
                return "the broker's certificate is not trusted";
            }
            if (t instanceof java.security.cert.CertificateException
                    && m.toLowerCase(Locale.ROOT).contains("subject alternative")) {
                return "the broker's certificate does not name the host of bootstrap.servers";
            }
        }
        return rootMessage(failure);
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The SCRAM/PLAIN user named in {@code sasl.jaas.config}; a user name is not a secret. */
    private static String user(Map<String, ?> clientProps) {
        Object jaas = clientProps.get("sasl.jaas.config");
        if (!(jaas instanceof String s)) {
            return null;
        }
        Matcher m = USERNAME.matcher(s);
        return m.find() ? m.group(1) : null;
    }

    /** Replaces every configured secret value (and the password inside a JAAS line) that appears in {@code message}. */
    static String redact(String message, Map<String, ?> clientProps) {
        List<String> secrets = new ArrayList<>();
        clientProps.forEach((key, value) -> {
            String k = key.toLowerCase(Locale.ROOT);
            if (value instanceof String s && (k.contains("password") || k.contains("jaas") || k.contains("secret"))) {
                secrets.add(s);
                Matcher m = PASSWORD.matcher(s);
                while (m.find()) {
                    secrets.add(m.group(1));
                }
            }
        });
        String shown = message;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                shown = shown.replace(secret, "[hidden]");
            }
        }
        return shown;
    }
}
