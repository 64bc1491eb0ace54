package io.harborai.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourcesTest {
    private final List<String> closed = new ArrayList<>();

    @Test
    void shouldCloseInReverseOrderOfRegistration() {
        Resources r = new Resources();
        r.add(() -> closed.add("redis"));
        r.add("http", closed::add);
        r.add(() -> closed.add("apps"));

        assertThat(r.closeAll()).isEmpty();
        assertThat(closed).containsExactly("apps", "http", "redis");
    }

    @Test
    void shouldCloseEverythingWhenOneCloseFailsAndReportEachFailure() {
        Resources r = new Resources();
        r.add(() -> closed.add("first"));
        r.add(() -> {
            throw new IllegalStateException("second");
        });
        r.add(() -> {
            throw new java.io.IOException("third");
        });

        List<Exception> failures = r.closeAll();

        assertThat(closed).containsExactly("first");
        assertThat(failures).extracting(Exception::getMessage).containsExactly("third", "second");
    }

    @Test
    void shouldCloseOnceAndIgnoreNull() {
        Resources r = new Resources();
        AutoCloseable none = r.add(null);
        assertThat(none).isNull();
        r.add(() -> closed.add("once"));

        r.closeAll();
        r.closeAll();

        assertThat(closed).containsExactly("once");
    }

    @Test
    void shouldAttachCloseFailuresToTheFailureOfAStart() {
        Resources r = new Resources();
        r.add(() -> closed.add("opened"));
        r.add(() -> {
            throw new IllegalStateException("close failed");
        });
        RuntimeException start = new IllegalArgumentException("start failed");

        assertThat(r.closeAfterFailure(start)).isSameAs(start);
        assertThat(start.getSuppressed()).extracting(Throwable::getMessage).containsExactly("close failed");
        assertThat(closed).containsExactly("opened");
    }
}
