package io.harborai.worker.deploy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.harborai.worker.deploy.KedaModel.Generator;
import io.harborai.worker.deploy.KedaModel.Kustomization;
import io.harborai.worker.deploy.KedaModel.ScaledObject;
import io.harborai.worker.deploy.KedaModel.TriggerAuthentication;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every manifest that {@code deploy/kubernetes/kustomization.yaml} lists, each read into a typed
 * model: fabric8's for the built-in kinds and the Prometheus Operator's ServiceMonitor, {@link
 * KedaModel} for KEDA's. A field the model does not define is a problem: fabric8 keeps such
 * fields in {@code additionalProperties} (so the object graph is walked for them), the records
 * refuse them at parse time.
 *
 * @param byName each manifest by {@code Kind/name}
 * @param problems unknown kinds, unknown fields, unparsable files; empty when all is well
 */
record Manifests(Kustomization kustomization, Map<String, Object> byName, List<String> problems) {
    static final Path DIR = Path.of("deploy/kubernetes");
    static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();

    /** The typed model of each {@code apiVersion kind} the manifests may use. */
    private static final Map<String, Class<?>> KINDS = Map.of(
            "apps/v1 StatefulSet", StatefulSet.class,
            "apps/v1 Deployment", Deployment.class,
            "v1 Service", Service.class,
            "policy/v1 PodDisruptionBudget", PodDisruptionBudget.class,
            "monitoring.coreos.com/v1 ServiceMonitor", ServiceMonitor.class,
            "keda.sh/v1alpha1 ScaledObject", ScaledObject.class,
            "keda.sh/v1alpha1 TriggerAuthentication", TriggerAuthentication.class);

    static Manifests load() throws IOException {
        Kustomization k = YAML.readValue(DIR.resolve("kustomization.yaml").toFile(), Kustomization.class);
        Map<String, Object> byName = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String file : k.resources()) {
            Object parsed = parse(file, Files.readString(DIR.resolve(file)), problems);
            if (parsed != null) {
                byName.put(kindAndName(parsed), parsed);
            }
        }
        return new Manifests(k, byName, problems);
    }

    /** One manifest's text as its typed model, or null after adding why it is not one to {@code problems}. */
    static Object parse(String file, String text, List<String> problems) {
        try {
            if (text.contains("\n---")) {
                problems.add(file + ": one manifest per file");
                return null;
            }
            JsonNode tree = YAML.readTree(text);
            String kind =
                    tree.path("apiVersion").asText() + " " + tree.path("kind").asText();
            Class<?> type = KINDS.get(kind);
            if (type == null) {
                problems.add(file + ": no typed model for " + kind);
                return null;
            }
            Object parsed = KubernetesResource.class.isAssignableFrom(type)
                    ? FABRIC8.unmarshal(text, type)
                    : YAML.treeToValue(tree, type);
            unknownFields(parsed, file, problems);
            if (parsed instanceof ScaledObject so
                    && so.spec().advanced() != null
                    && so.spec().advanced().horizontalPodAutoscalerConfig() != null) {
                unknownFields(
                        FABRIC8.convertValue(
                                so.spec()
                                        .advanced()
                                        .horizontalPodAutoscalerConfig()
                                        .behavior(),
                                HorizontalPodAutoscalerBehavior.class),
                        file + ": spec.advanced.horizontalPodAutoscalerConfig.behavior",
                        problems);
            }
            if (parsed instanceof ScaledObject so) {
                for (KedaModel.Trigger t : so.spec().triggers()) {
                    if ("kafka".equals(t.type())) {
                        YAML.convertValue(t.metadata(), KedaModel.KafkaTrigger.class);
                    }
                }
            }
            return parsed;
        } catch (IOException | RuntimeException e) {
            problems.add(file + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            return null;
        }
    }

    <T> List<T> all(Class<T> type) {
        return byName.values().stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T> T one(Class<T> type) {
        List<T> all = all(type);
        if (all.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + all.size());
        }
        return all.get(0);
    }

    private static String kindAndName(Object parsed) {
        if (parsed instanceof HasMetadata h) {
            return h.getKind() + "/" + h.getMetadata().getName();
        }
        if (parsed instanceof ScaledObject so) {
            return so.kind() + "/" + so.metadata().getName();
        }
        TriggerAuthentication ta = (TriggerAuthentication) parsed;
        return ta.kind() + "/" + ta.metadata().getName();
    }

    /** A port by number, or by the name of one of the container's ports. */
    static int port(Container c, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()))
                .getContainerPort();
    }

    static String mountPath(Container c, String volume) {
        return c.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volume))
                .findFirst()
                .orElseThrow()
                .getMountPath();
    }

    /** The volume the container mounts at {@code path}. */
    static Volume volume(PodSpec pod, Container c, String path) {
        String name = c.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .map(VolumeMount::getName)
                .findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " mounts nothing at " + path));
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** A generator's entries as key -> file (a bare file is keyed by its name). */
    static Map<String, String> generatorKeys(Generator g) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String f : g.files()) {
            int eq = f.indexOf('=');
            keys.put(eq < 0 ? Path.of(f).getFileName().toString() : f.substring(0, eq), f.substring(eq + 1));
        }
        return keys;
    }

    /**
     * Adds a problem for every non-empty {@code additionalProperties} in the object graph of a
     * fabric8 model (or of a record holding one): the fields the model does not define.
     */
    static void unknownFields(Object o, String path, List<String> problems) {
        if (o == null) {
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
        } else if (o instanceof Collection<?> list) {
            int i = 0;
            for (Object e : list) {
                unknownFields(e, path + "[" + i++ + "]", problems);
            }
        } else if (o instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                unknownFields(invoke(c.getAccessor(), o), path + "." + c.getName(), problems);
            }
        } else if (o.getClass().getName().startsWith("io.fabric8.")) {
            for (Method m : o.getClass().getMethods()) {
                if (m.getParameterCount() != 0
                        || !m.getName().startsWith("get")
                        || m.isDefault()
                        || Modifier.isStatic(m.getModifiers())
                        || m.getDeclaringClass() == Object.class
                        // computed getters; additionalProperties is @JsonIgnore too (an any-getter)
                        || (m.isAnnotationPresent(JsonIgnore.class)
                                && !m.getName().equals("getAdditionalProperties"))) {
                    continue;
                }
                Object value = invoke(m, o);
                if (m.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet());
                    }
                } else {
                    String name = m.getName().substring(3);
                    unknownFields(
                            value, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1), problems);
                }
            }
        }
    }

    private static Object invoke(Method m, Object target) {
        try {
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(m + " on " + target.getClass(), e);
        }
    }
}
