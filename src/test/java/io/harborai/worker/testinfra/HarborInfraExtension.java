package io.harborai.worker.testinfra;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the shared {@link Infra}: declare a parameter of type {@code Infra} on a test
 * method, a lifecycle method ({@code @BeforeAll} included) or the test class constructor.
 *
 * <p>The instance lives in the root {@link ExtensionContext.Store}, so one broker and one Redis
 * serve every test class of the run (one failsafe JVM); JUnit closes it, as an {@link
 * AutoCloseable}, when the run ends. Nothing starts until a test asks for a resource.
 */
public final class HarborInfraExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(HarborInfraExtension.class);

    /** The run-wide {@link Infra}, created on first call; usable from other extensions too. */
    public static Infra infra(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Infra.class, key -> new Infra(), Infra.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Infra.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return infra(extensionContext);
    }
}
