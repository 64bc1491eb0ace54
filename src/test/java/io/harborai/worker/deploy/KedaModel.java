package io.harborai.worker.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * Typed models of the custom resources fabric8 has no model for: KEDA's {@code ScaledObject} and
 * {@code TriggerAuthentication} ({@code keda.sh/v1alpha1}), the fields of the Kafka scaler's
 * metadata, and kustomize's {@code Kustomization}. Only the fields KEDA's and kustomize's
 * documentation define (KEDA 2.x "Scaling Deployments, StatefulSets & Custom Resources" and
 * "Apache Kafka" scaler pages); {@link Manifests} reads them with unknown fields failing, so a
 * misspelt key is an error here, as fabric8's own models make it one for the built-in kinds.
 */
final class KedaModel {
    private KedaModel() {}

    record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec) {}

    record ScaledObjectSpec(
            ScaleTargetRef scaleTargetRef,
            Integer pollingInterval,
            Integer cooldownPeriod,
            Integer initialCooldownPeriod,
            Integer idleReplicaCount,
            Integer minReplicaCount,
            Integer maxReplicaCount,
            Fallback fallback,
            Advanced advanced,
            List<Trigger> triggers) {}

    record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {}

    record Fallback(Integer failureThreshold, Integer replicas, String behavior) {}

    /** {@code behavior} is Kubernetes' HorizontalPodAutoscalerBehavior: checked by fabric8's model. */
    record Advanced(Boolean restoreToOriginalReplicaCount, HpaConfig horizontalPodAutoscalerConfig) {}

    record HpaConfig(String name, Map<String, Object> behavior) {}

    record Trigger(
            String type,
            String name,
            Map<String, String> metadata,
            AuthenticationRef authenticationRef,
            String metricType,
            Boolean useCachedMetrics) {}

    record AuthenticationRef(String name, String kind) {}

    /** The {@code metadata} of a {@code kafka} trigger. */
    record KafkaTrigger(
            String bootstrapServers,
            String consumerGroup,
            String topic,
            String lagThreshold,
            String activationLagThreshold,
            String offsetResetPolicy,
            String allowIdleConsumers,
            String scaleToZeroOnInvalidOffset,
            String excludePersistentLag,
            String limitToPartitionsWithLag,
            String version,
            String partitionLimitation,
            String sasl,
            String tls,
            String unsafeSsl) {}

    record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, TriggerAuthenticationSpec spec) {}

    record TriggerAuthenticationSpec(List<SecretTargetRef> secretTargetRef, List<EnvRef> env) {}

    record SecretTargetRef(String parameter, String name, String key) {}

    record EnvRef(String parameter, String name, String containerName) {}

    record Kustomization(
            String apiVersion,
            String kind,
            List<String> resources,
            List<Image> images,
            List<Generator> configMapGenerator,
            List<Generator> secretGenerator) {}

    record Image(String name, String newName, String newTag, String digest) {}

    record Generator(String name, List<String> files, List<String> literals, GeneratorOptions options) {}

    record GeneratorOptions(
            Boolean disableNameSuffixHash, Map<String, String> labels, Map<String, String> annotations) {}
}
