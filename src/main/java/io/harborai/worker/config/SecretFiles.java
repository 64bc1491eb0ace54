package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import org.apache.kafka.common.config.types.Password;

/**
 * Secrets read from files (the form Kubernetes mounts a Secret in), and the connection URLs they
 * complete: {@code redis.username} + {@code redis.password-file} go into the Redis URL's user info,
 * {@code schema-registry.username} + {@code schema-registry.password-file} into the registry URL's,
 * so each client keeps its one way of taking credentials (user info, handed on out of band and
 * never logged) whichever form the file uses.
 *
 * <p>A file is read once, at load: a rotated secret is picked up by a restart. Its content is
 * stripped of surrounding whitespace (the trailing newline of {@code echo > file}). Problems name
 * the key and the path, never the content. Stateless.
 */
final class SecretFiles {
    private SecretFiles() {}

    /**
     * The connection secrets of one configuration, each a {@link Password} so no {@code toString}
     * shows it.
     *
     * @param redisUrl the Redis URL with the file's credentials in its user info
     * @param schemaRegistryUrl the registry URL with the file's credentials in its user info
     * @param metricsBearerToken the token {@code /metrics} asks for, or null for none
     */
    record Resolved(Password redisUrl, Password schemaRegistryUrl, Password metricsBearerToken) {}

    /** Reads the {@code *-file} keys of {@code own} (raw values by key) and completes the URLs. */
    static Resolved resolve(Map<String, String> own, List<String> problems) {
        String redisUrl = own.containsKey(REDIS_URL) ? own.get(REDIS_URL) : defaultOf(REDIS_URL);
        String registryUrl =
                own.containsKey(SCHEMA_REGISTRY_URL) ? own.get(SCHEMA_REGISTRY_URL) : defaultOf(SCHEMA_REGISTRY_URL);
        String redisUser = blankToNull(own.get(REDIS_USERNAME));
        String redisPassword = read(REDIS_PASSWORD_FILE, own, problems);
        if (redisUser != null && own.get(REDIS_PASSWORD_FILE) == null) {
            problems.add(REDIS_USERNAME + ": needs " + REDIS_PASSWORD_FILE + " (the user's password)");
        } else if (redisPassword != null && redisUrl != null) {
            redisUrl = redisWithCredentials(redisUrl, redisUser, redisPassword, problems);
        }
        String registryUser = blankToNull(own.get(SCHEMA_REGISTRY_USERNAME));
        String registryPassword = read(SCHEMA_REGISTRY_PASSWORD_FILE, own, problems);
        if ((registryUser == null) != (own.get(SCHEMA_REGISTRY_PASSWORD_FILE) == null)) {
            problems.add(SCHEMA_REGISTRY_USERNAME + " and " + SCHEMA_REGISTRY_PASSWORD_FILE
                    + ": basic auth needs both, or neither");
        } else if (registryPassword != null && registryUrl != null) {
            registryUrl = registryWithCredentials(registryUrl, registryUser, registryPassword, problems);
        }
        String token = read(METRICS_BEARER_TOKEN_FILE, own, problems);
        return new Resolved(
                new Password(redisUrl), new Password(registryUrl), token == null ? null : new Password(token));
    }

    /**
     * The stripped content of the file named by {@code key}, or null when the key is unset or the
     * file cannot be used (then a problem naming the key and the path is added).
     */
    private static String read(String key, Map<String, String> own, List<String> problems) {
        String path = blankToNull(own.get(key));
        if (path == null) {
            if (own.get(key) != null) {
                problems.add(key + ": must be the path of a file");
            }
            return null;
        }
        return check(key, path, problems).map(Password::value).orElse(null);
    }

    /** The stripped content of {@code path}; empty, with a problem naming {@code key} and the path, when unusable. */
    static Optional<Password> check(String key, String path, List<String> problems) {
        String content;
        try {
            content = Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // The exception's own message may quote a path only; the class says missing/unreadable.
            problems.add(key + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
        if (content.isBlank()) {
            problems.add(key + ": file " + path + " is empty");
            return Optional.empty();
        }
        return Optional.of(new Password(content.strip()));
    }

    private static String redisWithCredentials(String url, String user, String password, List<String> problems) {
        try {
            URI u = new URI(url.trim());
            if (u.getRawUserInfo() != null) {
                problems.add(REDIS_PASSWORD_FILE + ": " + REDIS_URL
                        + " carries credentials too; give them in the URL or in the file, not both");
                return url;
            }
            // The multi-argument constructor percent-encodes what the user info may not hold.
            return new URI(
                            u.getScheme(),
                            (user == null ? "" : user) + ":" + password,
                            u.getHost(),
                            u.getPort(),
                            u.getPath(),
                            null,
                            null)
                    .toString();
        } catch (URISyntaxException e) {
            return url; // RedisClients reports a malformed URL without quoting it
        }
    }

    private static String registryWithCredentials(String url, String user, String password, List<String> problems) {
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            return url; // SchemaRegistryClient reports it
        }
        if (!parsed.username().isEmpty()) {
            problems.add(SCHEMA_REGISTRY_PASSWORD_FILE + ": " + SCHEMA_REGISTRY_URL
                    + " carries credentials too; give them in the URL or in the file, not both");
            return url;
        }
        return parsed.newBuilder().username(user).password(password).build().toString();
    }

    /** The URL without user info, for messages and {@code toString}. */
    static String withoutUserInfo(String url) {
        HttpUrl parsed = url == null ? null : HttpUrl.parse(url);
        return parsed == null
                ? "[hidden]"
                : parsed.newBuilder().username("").password("").build().toString();
    }

    private static String defaultOf(String key) {
        Object d = HarborConfigDef.DEF.configKeys().get(key).defaultValue;
        return d instanceof Password p ? p.value() : (String) d;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
