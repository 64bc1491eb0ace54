package io.harborai.worker.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertPathBuilderException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class KafkaAccessTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"harbor\" password=\"pw-Secret-91\";";
    private static final Map<String, Object> SCRAM = Map.of(
            "bootstrap.servers", "broker:9094",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", JAAS);

    @Test
    void shouldNameKafkaTheMechanismTheUserAndTheKeyWhenTheLoginIsRefused() {
        Throwable refused = new ExecutionException(
                new SaslAuthenticationException(
                        "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"));

        assertThat(KafkaAccess.isAuthenticationFailure(refused)).isTrue();
        assertThat(KafkaAccess.describe(refused, SCRAM))
                .isEqualTo("Kafka: authentication failed (SASL SCRAM-SHA-512 as user harbor at broker:9094): "
                        + "check kafka.sasl.jaas.config (user and password) and kafka.sasl.mechanism");
    }

    @Test
    void shouldSayTheBrokerIsNotTrustedWhenTheCertificatePathFails() {
        Throwable untrusted = new KafkaException(new SslAuthenticationException(
                "SSL handshake failed",
                new SSLHandshakeException("PKIX path building failed: unable to find valid certification path")));

        assertThat(KafkaAccess.describe(untrusted, Map.of("bootstrap.servers", "broker:9093")))
                .isEqualTo("Kafka: TLS handshake with broker:9093 failed (the broker's certificate is not trusted): "
                        + "check kafka.ssl.truststore.location and kafka.ssl.truststore.password");
        Throwable path = new SslAuthenticationException("SSL handshake failed", new CertPathBuilderException("x"));
        assertThat(KafkaAccess.describe(path, Map.of())).contains("(the broker's certificate is not trusted)");
    }

    @Test
    void shouldAskWhetherTheProtocolMatchesTheListenerWhenNothingAnswers() {
        assertThat(KafkaAccess.describe(new TimeoutException("Timed out waiting for a node assignment."), SCRAM))
                .isEqualTo("Kafka: no answer from broker:9094 within 30 s: is the cluster up, and does "
                        + "kafka.security.protocol (SASL_SSL) match the listener of kafka.bootstrap.servers?");
    }

    @Test
    void shouldNeverShowAConfiguredSecretEvenWhenKafkaQuotesIt() {
        Throwable odd = new KafkaException("bad login", new IllegalArgumentException("near pw-Secret-91 in " + JAAS));

        assertThat(KafkaAccess.describe(odd, SCRAM))
                .startsWith("Kafka: cannot use the cluster at broker:9094: near [hidden] in [hidden]")
                .doesNotContain("pw-Secret-91");
    }

    @Test
    void shouldFailFastWithOneMessageWhenTheClientCannotBeBuilt() {
        // A SCRAM mechanism without a JAAS line: the Admin refuses to start, before any connection.
        assertThatThrownBy(() -> KafkaAccess.check(
                        Map.of(
                                "bootstrap.servers", "127.0.0.1:1",
                                "security.protocol", "SASL_PLAINTEXT",
                                "sasl.mechanism", "SCRAM-SHA-512"),
                        Duration.ofSeconds(2)))
                .isInstanceOf(KafkaAccess.RefusedException.class)
                .hasMessageStartingWith("Kafka: cannot use the cluster at 127.0.0.1:1: ");
    }

    @Test
    void shouldGiveUpWithinTheTimeoutWhenNothingListens() {
        assertThatThrownBy(() -> KafkaAccess.check(Map.of("bootstrap.servers", "127.0.0.1:1"), Duration.ofSeconds(1)))
                .isInstanceOf(KafkaAccess.RefusedException.class)
                .hasMessageStartingWith("Kafka: no answer from 127.0.0.1:1 within");
    }
}
