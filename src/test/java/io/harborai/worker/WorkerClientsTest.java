package io.harborai.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.WorkerSettings;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class WorkerClientsTest {

    @Test
    void shouldTurnTaskIdlingOffUnlessTheUserSetsIt() {
        Properties defaults = WorkerClients.streamsProperties(WorkerSettings.from(
                HarborConfig.fromMap(Map.of("kafka.bootstrap.servers", "localhost:9092", "simulator.enabled", true))));
        assertThat(defaults.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG))
                .isEqualTo(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);

        Properties overridden = WorkerClients.streamsProperties(WorkerSettings.from(HarborConfig.fromMap(Map.of(
                "kafka.bootstrap.servers", "localhost:9092",
                "kafka.max.task.idle.ms", "250",
                "simulator.enabled", true))));
        assertThat(overridden.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo("250");
    }
}
