package io.harborai.worker.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.provider.OpenAiJson;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.provider.capability.ModelGlob;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The models the worker's router serves, as configured ({@code providers.*.models}): exact names and
 * globs. With no provider configured (the simulator serves every model) every name is served.
 */
final class ModelCatalog {
    private record Entry(String model, String provider, Pattern glob) {}

    private final List<Entry> entries = new ArrayList<>();
    private final boolean servesAll;

    ModelCatalog(List<ProviderSpec> providers) {
        for (ProviderSpec p : providers) {
            for (String m : p.models()) {
                entries.add(new Entry(m, p.name(), ModelGlob.isGlob(m) ? ModelGlob.compile(m) : null));
            }
        }
        servesAll = providers.isEmpty();
    }

    boolean serves(String model) {
        return servesAll
                || entries.stream()
                        .anyMatch(e -> e.glob() == null
                                ? e.model().equals(model)
                                : e.glob().matcher(model).matches());
    }

    /** The body of {@code GET /v1/models}: one entry per configured name or glob, owned by its provider. */
    String listBody() {
        ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        if (servesAll) {
            data.addObject()
                    .put("id", "*")
                    .put("object", "model")
                    .put("created", 0)
                    .put("owned_by", "simulator");
        }
        for (Entry e : entries) {
            data.addObject()
                    .put("id", e.model())
                    .put("object", "model")
                    .put("created", 0)
                    .put("owned_by", e.provider());
        }
        return root.toString();
    }
}
