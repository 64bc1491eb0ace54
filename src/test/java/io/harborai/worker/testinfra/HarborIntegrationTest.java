package io.harborai.worker.testinfra;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that uses the shared infrastructure: it can take an {@link Infra} parameter
 * and is tagged {@code integration}. Name such classes {@code *IT} so failsafe runs them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(HarborInfraExtension.class)
@Tag("integration")
public @interface HarborIntegrationTest {}
