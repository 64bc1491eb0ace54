package io.harborai.worker.deploy;

import static io.harborai.worker.config.HarborConfigDef.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.deploy.KedaModel.Generator;
import io.harborai.worker.deploy.KedaModel.KafkaTrigger;
import io.harborai.worker.deploy.KedaModel.ScaledObject;
import io.harborai.worker.deploy.KedaModel.TriggerAuthentication;
import io.harborai.worker.gateway.GatewayServer;
import io.harborai.worker.metrics.endpoint.MetricsServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/kubernetes}: every manifest parses into a typed model with no unknown field, and
 * what the manifests say matches the code and the ConfigMap's {@code harbor.yaml}: ports, probe
 * paths, the state directory, the KEDA triggers' groups, topics and cap, the secret files, the
 * image's user, and the labels that tie Services, budgets and monitors to their pods.
 */
class DeployManifestsTest {
    /** HarborWorker.start: the batch application's id (and consumer group) is application-id + this. */
    private static final String BATCH_GROUP_SUFFIX = "-batch";

    /** KEDA's names of Kafka's sasl.mechanism values. */
    private static final Map<String, String> KEDA_SASL =
            Map.of("PLAIN", "plaintext", "SCRAM-SHA-256", "scram_sha256", "SCRAM-SHA-512", "scram_sha512");

    private static final Pattern KAFKA_DIR_REF = Pattern.compile("\\$\\{dir:([^:}]+):([^}]+)}");

    private static Manifests manifests;
    private static HarborConfig config;
    private static JsonNode rawConfig;

    @BeforeAll
    static void load(@TempDir Path tmp) throws IOException {
        manifests = Manifests.load();
        Path file =
                Manifests.DIR.resolve(Manifests.generatorKeys(configGenerator()).get("harbor.yaml"));
        rawConfig = Manifests.YAML.readTree(file.toFile());
        ObjectNode withStandIns = rawConfig.deepCopy();
        plantSecretFiles(withStandIns, tmp);
        Path copy = tmp.resolve("harbor.yaml");
        Manifests.YAML.writeValue(copy.toFile(), withStandIns);
        config = HarborConfig.load(copy, Map.of(), Map.of());
    }

    @Test
    void shouldParseEveryManifestIntoATypedModelWithNoUnknownField() {
        assertThat(manifests.problems()).isEmpty();
        assertThat(manifests.byName())
                .hasSize(manifests.kustomization().resources().size());
    }

    @Test
    void shouldReportMisspeltFieldsOfBuiltInAndKedaKinds() throws IOException {
        assertThat(problemsAfter("worker-statefulset.yaml", "readOnlyRootFilesystem:", "readOnlyRootFileSystem:"))
                .contains("unknown field(s) [readOnlyRootFileSystem]");
        assertThat(problemsAfter("worker-statefulset.yaml", "terminationGracePeriodSeconds:", "gracePeriodSeconds:"))
                .contains("unknown field(s) [gracePeriodSeconds]");
        assertThat(problemsAfter("worker-scaledobject.yaml", "maxReplicaCount:", "maxReplicas:"))
                .contains("\"maxReplicas\"");
        assertThat(problemsAfter("worker-scaledobject.yaml", "lagThreshold: \"1000\"", "lagTreshold: \"1000\""))
                .contains("\"lagTreshold\"");
        assertThat(problemsAfter("worker-scaledobject.yaml", "stabilizationWindowSeconds: 300", "stabilisation: 300"))
                .contains("unknown field(s) [stabilisation]");
        assertThat(problemsAfter("gateway-servicemonitor.yaml", "interval:", "scrapeInterval:"))
                .contains("unknown field(s) [scrapeInterval]");
    }

    @Test
    void shouldListExactlyTheManifestsInTheFolder() throws IOException {
        Set<String> generated = Stream.concat(
                        manifests.kustomization().configMapGenerator().stream(),
                        manifests.kustomization().secretGenerator().stream())
                .flatMap(g -> Manifests.generatorKeys(g).values().stream())
                .collect(Collectors.toSet());
        Set<String> present;
        try (Stream<Path> files = Files.list(Manifests.DIR)) {
            present = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml") && !generated.contains(n))
                    .collect(Collectors.toSet());
        }
        assertThat(manifests.kustomization().resources())
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(present);
        for (Generator g : manifests.kustomization().secretGenerator()) {
            for (String file : Manifests.generatorKeys(g).values()) {
                Path ignore = Manifests.DIR.resolve(file).getParent().resolve(".gitignore");
                assertThat(Files.readAllLines(ignore))
                        .as("%s keeps %s out of git", ignore, file)
                        .contains("*");
            }
        }
    }

    @Test
    void shouldProbeAndScrapeThePortsAndPathsTheCodeServes() {
        int metrics = config.intValue(METRICS_PORT);
        PodSpec worker = statefulSet().getSpec().getTemplate().getSpec();
        Container w = worker.getContainers().get(0);
        assertThat(w.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(metrics);
        assertThat(Manifests.port(w, w.getStartupProbe().getHttpGet().getPort()))
                .isEqualTo(metrics);
        assertThat(w.getStartupProbe().getHttpGet().getPath()).isEqualTo(MetricsServer.HEALTH_PATH);
        assertThat(Manifests.port(w, w.getLivenessProbe().getHttpGet().getPort()))
                .isEqualTo(metrics);
        assertThat(w.getLivenessProbe().getHttpGet().getPath()).isEqualTo(MetricsServer.HEALTH_PATH);
        assertThat(Manifests.port(w, w.getReadinessProbe().getHttpGet().getPort()))
                .isEqualTo(metrics);
        assertThat(w.getReadinessProbe().getHttpGet().getPath()).isEqualTo(MetricsServer.READY_PATH);
        assertScraped(statefulSet().getSpec().getTemplate(), w, metrics);

        int gatewayPort = config.intValue(GATEWAY_PORT);
        Container g =
                deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(g.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(gatewayPort);
        assertThat(Manifests.port(g, g.getReadinessProbe().getHttpGet().getPort()))
                .isEqualTo(gatewayPort);
        assertThat(g.getReadinessProbe().getHttpGet().getPath()).isEqualTo(GatewayServer.HEALTH_PATH);
        assertThat(Manifests.port(g, g.getLivenessProbe().getTcpSocket().getPort()))
                .isEqualTo(gatewayPort);
        assertScraped(deployment().getSpec().getTemplate(), g, gatewayPort);
    }

    @Test
    void shouldScaleOnTheLagOfBothRequestTopicsUpToThePartitionCount() {
        ScaledObject so = manifests.one(ScaledObject.class);
        assertThat(so.spec().scaleTargetRef())
                .isEqualTo(new KedaModel.ScaleTargetRef(
                        "apps/v1", "StatefulSet", statefulSet().getMetadata().getName(), null));
        assertThat(statefulSet().getSpec().getReplicas())
                .as("KEDA owns the replica count")
                .isNull();
        assertThat(so.spec().maxReplicaCount()).isEqualTo(config.intValue(TOPICS_PARTITIONS));
        assertThat(so.spec().minReplicaCount()).isPositive();
        String app = config.string(APPLICATION_ID);
        Map<String, String> topicByGroup = new HashMap<>();
        Map<String, Generator> secrets = byName(manifests.kustomization().secretGenerator());
        for (KedaModel.Trigger t : so.spec().triggers()) {
            assertThat(t.type()).isEqualTo("kafka");
            KafkaTrigger k = Manifests.YAML.convertValue(t.metadata(), KafkaTrigger.class);
            topicByGroup.put(k.consumerGroup(), k.topic());
            assertThat(k.bootstrapServers()).isEqualTo(config.kafkaBootstrap());
            assertThat(k.allowIdleConsumers())
                    .as("no pod beyond the partitions")
                    .isEqualTo("false");
            boolean ssl = config.kafka().get("security.protocol").toString().endsWith("SSL");
            assertThat(k.tls()).isEqualTo(ssl ? "enable" : null);
            assertThat(k.sasl()).isEqualTo(KEDA_SASL.get(config.kafka().get("sasl.mechanism")));
            TriggerAuthentication auth = manifests.all(TriggerAuthentication.class).stream()
                    .filter(a ->
                            a.metadata().getName().equals(t.authenticationRef().name()))
                    .findFirst()
                    .orElseThrow();
            for (KedaModel.SecretTargetRef ref : auth.spec().secretTargetRef()) {
                assertThat(secrets).containsKey(ref.name());
                assertThat(Manifests.generatorKeys(secrets.get(ref.name()))).containsKey(ref.key());
                assertThat(secrets.get(ref.name()).options().disableNameSuffixHash())
                        .as("kustomize does not rewrite the Secret's name inside KEDA's resources")
                        .isTrue();
            }
        }
        assertThat(topicByGroup)
                .isEqualTo(Map.of(
                        app,
                        config.string(TOPIC_REQUESTS),
                        app + BATCH_GROUP_SUFFIX,
                        config.string(TOPIC_REQUESTS_BATCH)));
    }

    @Test
    void shouldKeepStateInItsVolumeAndRunAsTheImagesUser() throws IOException {
        StatefulSet sts = statefulSet();
        Container w = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        String claim =
                sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
        assertThat(Manifests.mountPath(w, claim)).isEqualTo(config.string(STATE_DIR));
        Service headless = manifests.all(Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals(sts.getSpec().getServiceName()))
                .findFirst()
                .orElseThrow();
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(sts.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("two Kafka Streams closes of up to 30 s each")
                .isGreaterThanOrEqualTo(60L);
        assertThat(deployment().getSpec().getReplicas())
                .isEqualTo(config.intValue(GATEWAY_INSTANCES))
                .isLessThanOrEqualTo(config.intValue(TOPICS_PARTITIONS));

        String[] user = Dockerfile.parse(Files.readString(DockerfileTest.DOCKERFILE))
                .last()
                .last("USER")
                .orElseThrow()
                .args()
                .split(":");
        Set<String> images = manifests.kustomization().images().stream()
                .map(KedaModel.Image::name)
                .collect(Collectors.toSet());
        for (PodSpec pod : List.of(
                sts.getSpec().getTemplate().getSpec(),
                deployment().getSpec().getTemplate().getSpec())) {
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(Long.parseLong(user[0]));
            assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(Long.parseLong(user[1]));
            assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(Long.parseLong(user[1]));
            Container c = pod.getContainers().get(0);
            assertThat(images).contains(c.getImage());
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(Manifests.volume(pod, c, "/tmp").getEmptyDir())
                    .as("java.io.tmpdir writable")
                    .isNotNull();
            assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits().get("memory"))
                    .isEqualTo(c.getResources().getRequests().get("memory"));
        }
    }

    @Test
    void shouldMountTheConfigAndEverySecretFileItNames() {
        Generator configMap = configGenerator();
        Generator secret = manifests.kustomization().secretGenerator().get(0);
        List<String> files = new ArrayList<>();
        secretFiles(rawConfig, "", files);
        assertThat(files).isNotEmpty();
        for (PodSpec pod : List.of(
                statefulSet().getSpec().getTemplate().getSpec(),
                deployment().getSpec().getTemplate().getSpec())) {
            Container c = pod.getContainers().get(0);
            String harborConfig = c.getEnv().stream()
                    .filter(e -> e.getName().equals("HARBOR_CONFIG"))
                    .findFirst()
                    .orElseThrow()
                    .getValue();
            Path cfg = Path.of(harborConfig);
            Volume cv = Manifests.volume(pod, c, cfg.getParent().toString());
            assertThat(cv.getConfigMap().getName()).isEqualTo(configMap.name());
            assertThat(Manifests.generatorKeys(configMap))
                    .containsKey(cfg.getFileName().toString());
            for (String file : files) {
                Path p = Path.of(file);
                Volume v = Manifests.volume(pod, c, p.getParent().toString());
                assertThat(v.getSecret().getSecretName()).as(file).isEqualTo(secret.name());
                String key = v.getSecret().getItems() == null
                        ? p.getFileName().toString()
                        : v.getSecret().getItems().stream()
                                .filter(i -> i.getPath().equals(p.getFileName().toString()))
                                .findFirst()
                                .orElseThrow(() -> new AssertionError("no item for " + file))
                                .getKey();
                assertThat(Manifests.generatorKeys(secret)).as(file).containsKey(key);
            }
        }
    }

    @Test
    void shouldSelectThePodsOfTheirOwnWorkload() {
        Map<String, PodTemplateSpec> templates = Map.of(
                "worker", statefulSet().getSpec().getTemplate(),
                "gateway", deployment().getSpec().getTemplate());
        assertThat(templates.get("worker").getMetadata().getLabels())
                .containsAllEntriesOf(statefulSet().getSpec().getSelector().getMatchLabels());
        assertThat(templates.get("gateway").getMetadata().getLabels())
                .containsAllEntriesOf(deployment().getSpec().getSelector().getMatchLabels());
        List<Map<String, String>> selectors = new ArrayList<>();
        manifests.all(Service.class).forEach(s -> selectors.add(s.getSpec().getSelector()));
        manifests.all(PodDisruptionBudget.class).forEach(p -> {
            assertThat(p.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
            selectors.add(p.getSpec().getSelector().getMatchLabels());
        });
        for (Map<String, String> selector : selectors) {
            assertThat(templates.values().stream()
                            .filter(t -> t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())))
                    .as("pod templates selected by %s", selector)
                    .hasSize(1);
        }
        for (ServiceMonitor sm : manifests.all(ServiceMonitor.class)) {
            assertThat(servicesOf(sm)).as(sm.getMetadata().getName()).hasSize(1);
        }
    }

    private static void assertScraped(PodTemplateSpec template, Container c, int port) {
        Map<String, String> annotations = template.getMetadata().getAnnotations();
        assertThat(annotations.get("prometheus.io/port")).isEqualTo(String.valueOf(port));
        assertThat(annotations.get("prometheus.io/path")).isEqualTo(MetricsServer.METRICS_PATH);
        ServiceMonitor sm = manifests.all(ServiceMonitor.class).stream()
                .filter(m -> servicesOf(m).stream()
                        .anyMatch(s -> template.getMetadata()
                                .getLabels()
                                .entrySet()
                                .containsAll(s.getSpec().getSelector().entrySet())))
                .findFirst()
                .orElseThrow();
        Service service = servicesOf(sm).get(0);
        for (var endpoint : sm.getSpec().getEndpoints()) {
            assertThat(endpoint.getPath()).isEqualTo(MetricsServer.METRICS_PATH);
            ServicePort sp = service.getSpec().getPorts().stream()
                    .filter(p -> p.getName().equals(endpoint.getPort()))
                    .findFirst()
                    .orElseThrow();
            assertThat(Manifests.port(c, sp.getTargetPort())).isEqualTo(port);
        }
    }

    private static List<Service> servicesOf(ServiceMonitor sm) {
        Map<String, String> selector = sm.getSpec().getSelector().getMatchLabels();
        return manifests.all(Service.class).stream()
                .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .toList();
    }

    /** The files a config names: every {@code *-file} value and every Kafka {@code ${dir:DIR:KEY}}. */
    private static void secretFiles(JsonNode node, String key, List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> secretFiles(e.getValue(), e.getKey(), out));
        } else if (node.isTextual()) {
            if (key.endsWith("-file")) {
                out.add(node.asText());
            }
            Matcher m = KAFKA_DIR_REF.matcher(node.asText());
            while (m.find()) {
                out.add(m.group(1) + "/" + m.group(2));
            }
        }
    }

    private static Generator configGenerator() {
        return manifests.kustomization().configMapGenerator().get(0);
    }

    private static Map<String, Generator> byName(List<Generator> generators) {
        return generators.stream().collect(Collectors.toMap(Generator::name, g -> g));
    }

    private static StatefulSet statefulSet() {
        return manifests.one(StatefulSet.class);
    }

    private static Deployment deployment() {
        return manifests.one(Deployment.class);
    }

    private static String problemsAfter(String file, String from, String to) throws IOException {
        String text = Files.readString(Manifests.DIR.resolve(file));
        assertThat(text).as(file).contains(from);
        List<String> problems = new ArrayList<>();
        Manifests.parse(file, text.replace(from, to), problems);
        return String.join("\n", problems);
    }

    /**
     * Points every {@code *-file} key at a stand-in file under {@code tmp}: start-up reads those
     * files (the mounted Secret), and the config must validate with every key the cluster uses.
     */
    private static void plantSecretFiles(JsonNode node, Path tmp) throws IOException {
        if (!(node instanceof ObjectNode obj)) {
            return;
        }
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode child = obj.get(name);
            if (name.endsWith("-file") && child.isTextual()) {
                Path standIn = tmp.resolve(Path.of(child.asText()).getFileName().toString());
                Files.writeString(standIn, "stand-in-" + name);
                obj.put(name, standIn.toString());
            } else {
                plantSecretFiles(child, tmp);
            }
        }
    }
}
