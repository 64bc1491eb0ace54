package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

class TopicBootstrapTest {

    @Test
    void shouldSayWhatToCheckWhenNoClusterAnswers() {
        // A real admin client against a port nobody listens on, with short timeouts.
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 1500,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000))) {
            assertThatThrownBy(() -> TopicBootstrap.ensure(admin, List.of("t"), 1, (short) 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Cannot create topics [t]: the Kafka cluster did not answer in time")
                    .hasMessageNotContaining("null");
        }
    }
}
