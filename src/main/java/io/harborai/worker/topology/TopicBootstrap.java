package io.harborai.worker.topology;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the worker's topics when they are missing; existing topics are left as they are. */
public final class TopicBootstrap {
    private TopicBootstrap() {}

    /** How long replies stay: a client reads its reply within its request's deadline, or looks it up on the results topic. */
    static final String REPLIES_RETENTION_MS =
            String.valueOf(java.time.Duration.ofHours(1).toMillis());

    /**
     * When {@link TopicSettings#create()}: creates the missing ones of {@code topics}, compacted
     * those of {@code compacted}, the batch-control topic (compacted), the replies topic (kept one
     * hour) and the files topic (kept {@code topics.files-retention-ms}), with the configured
     * partitions and replication; else does nothing.
     *
     * @param adminProps the Kafka client properties (at least {@code bootstrap.servers})
     */
    public static void ensure(
            java.util.Map<String, Object> adminProps,
            TopicSettings settings,
            Collection<String> topics,
            Collection<String> compacted) {
        if (!settings.create()) {
            return;
        }
        try (Admin admin = Admin.create(adminProps)) {
            ensure(admin, topics, settings.partitions(), settings.replication());
            List<String> allCompacted = new java.util.ArrayList<>(compacted);
            allCompacted.add(settings.batchControl());
            ensureCompacted(admin, allCompacted, settings.partitions(), settings.replication());
            create(
                    admin,
                    List.of(settings.replies()),
                    settings.partitions(),
                    settings.replication(),
                    java.util.Map.of("retention.ms", REPLIES_RETENTION_MS));
            create(
                    admin,
                    List.of(settings.files()),
                    settings.partitions(),
                    settings.replication(),
                    java.util.Map.of("retention.ms", String.valueOf(settings.filesRetentionMs())));
        }
    }

    public static void ensure(Admin admin, Collection<String> topics, int partitions, short replication) {
        create(admin, topics, partitions, replication, java.util.Map.of());
    }

    /** As {@link #ensure}, for topics that keep the latest value per key ({@code cleanup.policy=compact}). */
    public static void ensureCompacted(Admin admin, Collection<String> topics, int partitions, short replication) {
        create(admin, topics, partitions, replication, java.util.Map.of("cleanup.policy", "compact"));
    }

    private static void create(
            Admin admin,
            Collection<String> topics,
            int partitions,
            short replication,
            java.util.Map<String, String> configs) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream()
                    .distinct()
                    .filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, partitions, replication).configs(configs))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var f : admin.createTopics(missing).values().values()) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Cannot create topics " + topics + ": " + describe(cause), cause);
        }
    }

    /** A reason a person can act on; a timeout's own message is empty. */
    private static String describe(Throwable cause) {
        if (cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "the Kafka cluster did not answer in time; is it up, and is bootstrap.servers right?"
                    + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")");
        }
        return cause.getMessage() != null
                ? cause.getMessage()
                : cause.getClass().getSimpleName();
    }
}
