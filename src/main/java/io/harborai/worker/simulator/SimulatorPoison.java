package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.provider.OpenAiJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which requests the simulator's poison rate breaks: a request is poisoned when the SHA-256 of its
 * messages' contents, joined by {@code '\n'} (UTF-8), read as an unsigned fraction of its first 8
 * bytes (to a double's 53 bits), falls below the rate. So the same requests are poisoned in every run, whatever the seed
 * or arrival order, and a test can tell in advance which ones will fail (like a real provider
 * that always chokes on the same content). A poisoned call is answered 500 after the latency.
 *
 * <p>Only contents count: model, role and parameters do not. A {@code null} content is the empty
 * string; content parts (an array) count as their compact JSON text. Stateless and thread-safe.
 */
public final class SimulatorPoison {
    /** The error message of a poisoned call's 500. */
    static final String MESSAGE = "Simulated poison request: this content always fails on this provider.";

    private SimulatorPoison() {}

    /**
     * Whether the simulator answers a request with these message contents 500 at this poison rate.
     *
     * @param messageContents the {@code content} of each message, in order ({@code null} = empty)
     * @param rate the poison rate in {@code [0, 1]}; {@code 0} poisons nothing, {@code 1} everything
     * @throws IllegalArgumentException if the rate is outside {@code [0, 1]}
     */
    public static boolean poisoned(List<String> messageContents, double rate) {
        checkRate(rate);
        return rate > 0 && fraction(messageContents) < rate;
    }

    /** The same decision for a chat-completion body (already validated). */
    static boolean poisoned(JsonNode body, double rate) {
        if (rate <= 0) {
            return false; // no hashing on the common path
        }
        List<String> contents = new ArrayList<>();
        for (JsonNode m : body.path("messages")) {
            JsonNode content = m.path("content");
            contents.add(
                    content.isTextual()
                            ? content.asText()
                            : content.isMissingNode() || content.isNull() ? "" : OpenAiJson.json(content));
        }
        return poisoned(contents, rate);
    }

    /** The contents' hash as a uniform fraction in {@code [0, 1)}. */
    static double fraction(List<String> messageContents) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
        for (int i = 0; i < messageContents.size(); i++) {
            if (i > 0) {
                sha.update((byte) '\n');
            }
            String content = messageContents.get(i);
            if (content != null) {
                sha.update(content.getBytes(StandardCharsets.UTF_8));
            }
        }
        long bits = ByteBuffer.wrap(sha.digest()).getLong(); // the first 8 bytes, big-endian
        // Unsigned, truncated to the 53 bits a double holds exactly: in [0, 1), never rounded up to 1.
        return (bits >>> 11) * 0x1p-53;
    }

    static void checkRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("simulator poison rate must be in [0, 1], got " + rate);
        }
    }
}
