package io.harborai.worker.provider;

import io.harborai.worker.provider.capability.CapabilityTable;
import io.harborai.worker.provider.capability.ModelGlob;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;

/**
 * Chooses the provider for a model name.
 *
 * <p>Rules: an exact model name listed by any provider wins over every glob (if two providers
 * list the same exact name, the first declared wins); otherwise globs are tried in declaration
 * order (providers in list order, then each provider's models in order) and the first match wins.
 * An unknown model gives {@link Optional#empty()}: the caller answers UNKNOWN_MODEL and never
 * guesses. One {@link OpenAiCompatibleClient} is created per provider at construction.
 *
 * <p>Threading: immutable after construction; {@link #route} is safe from any thread.
 */
public final class ProviderRouter {

    /** Where a model's calls go. */
    public record Route(String providerName, OpenAiCompatibleClient client) {
        public Route {
            Objects.requireNonNull(providerName, "providerName");
            Objects.requireNonNull(client, "client");
        }
    }

    private record GlobRoute(String glob, Pattern pattern, Route route) {}

    private final Map<String, Route> exact = new HashMap<>();
    private final List<GlobRoute> globs = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, List<String>> modelsByProvider = new HashMap<>();

    /**
     * @param specs providers in priority order; names must be unique
     * @param clientFactory builds the client for each spec (called once per spec)
     * @throws IllegalArgumentException on duplicate provider names
     */
    public ProviderRouter(List<ProviderSpec> specs, Function<ProviderSpec, OpenAiCompatibleClient> clientFactory) {
        Set<String> names = new HashSet<>();
        for (ProviderSpec spec : specs) {
            if (!names.add(spec.name())) {
                throw new IllegalArgumentException("duplicate provider name '" + spec.name() + "'");
            }
            Route route = new Route(spec.name(), clientFactory.apply(spec));
            routes.add(route);
            modelsByProvider.put(spec.name(), List.copyOf(spec.models()));
            for (String model : spec.models()) {
                if (ModelGlob.isGlob(model)) {
                    globs.add(new GlobRoute(model, ModelGlob.compile(model), route));
                } else {
                    exact.putIfAbsent(model, route);
                }
            }
        }
    }

    /**
     * A router whose clients derive from {@code shared} and read keys from {@code env}.
     *
     * @throws IllegalArgumentException if a provider's key variable is unset
     */
    public static ProviderRouter create(List<ProviderSpec> specs, OkHttpClient shared, Map<String, String> env) {
        return create(specs, shared, env, CapabilityTable.builtIns());
    }

    /**
     * As above, fitting every request to its model with {@code capabilities}.
     *
     * @throws IllegalArgumentException if a provider's key variable is unset
     */
    public static ProviderRouter create(
            List<ProviderSpec> specs, OkHttpClient shared, Map<String, String> env, CapabilityTable capabilities) {
        return new ProviderRouter(
                specs,
                spec -> new OpenAiCompatibleClient(
                        shared, spec, OpenAiCompatibleClient.resolveKey(spec, env), Clock.systemUTC(), capabilities));
    }

    /** The route for {@code model}, or empty when no provider serves it. */
    public Optional<Route> route(String model) {
        if (model == null) {
            return Optional.empty();
        }
        Route r = exact.get(model);
        if (r != null) {
            return Optional.of(r);
        }
        for (GlobRoute g : globs) {
            if (g.pattern().matcher(model).matches()) {
                return Optional.of(g.route());
            }
        }
        return Optional.empty();
    }

    /**
     * The configured name that routes {@code model}: the model itself when a provider lists it
     * exactly, else the first matching glob (e.g. {@code gpt-*}), else {@code "unknown"}. Bounded by
     * the configuration, so usable as a metric tag where the requested name is not.
     */
    public String configuredName(String model) {
        if (model == null) {
            return "unknown";
        }
        if (exact.containsKey(model)) {
            return model;
        }
        for (GlobRoute g : globs) {
            if (g.pattern().matcher(model).matches()) {
                return g.glob();
            }
        }
        return "unknown";
    }

    /** The model names and globs {@code provider} is configured with (empty for an unknown one). */
    public List<String> configuredModels(String provider) {
        return modelsByProvider.getOrDefault(provider, List.of());
    }

    /** All routes, one per provider, in declaration order. */
    public List<Route> routes() {
        return List.copyOf(routes);
    }
}
