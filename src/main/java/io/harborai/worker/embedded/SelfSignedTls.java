package io.harborai.worker.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, for in-process servers that speak TLS
 * (the embedded Redis and the embedded broker's SSL listener): the key and certificate as PEM
 * files and as a PKCS12 keystore for the server, and a PKCS12 truststore holding the certificate
 * for Java clients.
 *
 * <p>Written by hand because the JDK has no public API to create a certificate and no library on
 * the class path does it: the JDK's own {@code keytool} (always beside {@code java}, nothing to
 * install) makes the key pair in a child process, and {@link KeyStore} exports it as PEM.
 *
 * @param certPem the certificate (PEM), also the CA a client trusts
 * @param keyPem the private key (PKCS#8 PEM)
 * @param truststore a PKCS12 store with the certificate, password {@link #TRUSTSTORE_PASSWORD}
 * @param keystore a PKCS12 store with the key pair, store and key password {@link #KEYSTORE_PASSWORD}
 */
public record SelfSignedTls(Path certPem, Path keyPem, Path truststore, Path keystore) {
    /** Password of {@link #truststore()} (a truststore holds no secret). */
    public static final String TRUSTSTORE_PASSWORD = "changeit";

    /** Password of {@link #keystore()} and of its key: guards nothing, the store is deleted with its directory. */
    public static final String KEYSTORE_PASSWORD = "harbor-embedded";

    /** Creates the files in {@code dir}. */
    public static SelfSignedTls create(Path dir) {
        Path keystore = dir.resolve("tls-key.p12");
        String pass = KEYSTORE_PASSWORD;
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "30",
                "-dname",
                "CN=localhost",
                "-ext",
                "san=ip:127.0.0.1,dns:localhost",
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                pass,
                "-keypass",
                pass);
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("keytool.log").toFile())
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "keytool failed to create a certificate (see " + dir.resolve("keytool.log") + ")");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, pass.toCharArray());
            }
            Key key = ks.getKey("server", pass.toCharArray());
            Certificate cert = ks.getCertificate("server");
            SelfSignedTls tls = new SelfSignedTls(
                    dir.resolve("tls-cert.pem"), dir.resolve("tls-key.pem"), dir.resolve("trust.p12"), keystore);
            Files.writeString(tls.certPem(), pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(tls.keyPem(), pem("PRIVATE KEY", key.getEncoded()));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", cert);
            try (OutputStream out = Files.newOutputStream(tls.truststore())) {
                trust.store(out, TRUSTSTORE_PASSWORD.toCharArray());
            }
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a self-signed certificate: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating a self-signed certificate", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
