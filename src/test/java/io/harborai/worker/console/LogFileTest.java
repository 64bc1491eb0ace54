package io.harborai.worker.console;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldSendLogsToTheFileKeepOnlyTheWorkersErrorsOnStderrAndRestoreTheConsole() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> console = new ListAppender<>();
        console.setContext(ctx);
        console.start();
        root.addAppender(console);
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path path = dir.resolve("harbor.log");
        org.slf4j.Logger kafka = LoggerFactory.getLogger("org.apache.kafka.streams.StreamsConfig");
        org.slf4j.Logger worker = LoggerFactory.getLogger("io.harborai.worker.HarborWorker");
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try (LogFile log = LogFile.divert(path)) {
                assertThat(log.path()).isEqualTo(path);
                assertThat(LogFile.current())
                        .as("where child processes should log")
                        .isEqualTo(path);
                kafka.warn("kafka warning");
                kafka.error("kafka error");
                worker.info("worker info");
                worker.error("worker error");
            }
            worker.warn("after close");
            assertThat(LogFile.current()).isNull();
        } finally {
            System.setErr(stderr);
            root.detachAppender(console);
        }
        assertThat(Files.readString(path))
                .contains("WARN", "StreamsConfig - kafka warning", "kafka error", "worker info", "worker error")
                .doesNotContain("after close");
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("worker error")
                .doesNotContain("kafka warning", "kafka error", "worker info");
        assertThat(console.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("after close");
    }
}
