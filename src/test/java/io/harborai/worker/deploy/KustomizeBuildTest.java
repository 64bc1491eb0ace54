package io.harborai.worker.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.harborai.worker.deploy.KedaModel.Generator;
import io.harborai.worker.deploy.KedaModel.Image;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl kustomize deploy/kubernetes} (no cluster needed), when kubectl is installed: the
 * kustomization builds, with stand-in secret files, and kustomize rewrites what the manifests leave
 * to it: the hash-suffixed ConfigMap name in every pod's volume and the image of every container.
 */
class KustomizeBuildTest {
    @Test
    void shouldBuildAndRewriteTheConfigMapNameAndTheImage(@TempDir Path tmp) throws Exception {
        String kubectl = ComposeFileTest.onPath("kubectl");
        assumeTrue(kubectl != null, "kubectl is not installed");
        Path dir = tmp.resolve("kubernetes");
        copy(Manifests.DIR, dir);
        KedaModel.Kustomization k = Manifests.YAML.readValue(
                Manifests.DIR.resolve("kustomization.yaml").toFile(), KedaModel.Kustomization.class);
        for (Generator g : k.secretGenerator()) {
            for (String file : Manifests.generatorKeys(g).values()) {
                Files.writeString(dir.resolve(file), "stand-in"); // never a real key
            }
        }
        Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        Map<String, List<JsonNode>> byKind = new HashMap<>();
        try (MappingIterator<JsonNode> docs =
                Manifests.YAML.readerFor(JsonNode.class).readValues(out)) {
            docs.forEachRemaining(d -> byKind.computeIfAbsent(d.path("kind").asText(), x -> new ArrayList<>())
                    .add(d));
        }
        String configMap = byKind.get("ConfigMap").get(0).at("/metadata/name").asText();
        assertThat(configMap).startsWith(k.configMapGenerator().get(0).name() + "-");
        Image image = k.images().get(0);
        List<JsonNode> workloads = new ArrayList<>(byKind.get("StatefulSet"));
        workloads.addAll(byKind.get("Deployment"));
        for (JsonNode w : workloads) {
            JsonNode pod = w.at("/spec/template/spec");
            List<String> configMaps = new ArrayList<>();
            pod.path("volumes").forEach(v -> {
                if (v.has("configMap")) {
                    configMaps.add(v.at("/configMap/name").asText());
                }
            });
            assertThat(configMaps).containsExactly(configMap);
            pod.path("containers")
                    .forEach(c ->
                            assertThat(c.path("image").asText()).isEqualTo(image.newName() + ":" + image.newTag()));
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
