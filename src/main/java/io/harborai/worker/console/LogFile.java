package io.harborai.worker.console;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * While open, this JVM's log events go to a file instead of the console, so a command-line job's
 * terminal shows the job (progress, summary, real errors) rather than Kafka's internals.
 *
 * <p>Loggers and levels stay as the logback configuration sets them: only the root logger's
 * appenders (the console) are swapped for one file appender with the same pattern. The worker's own
 * ERROR events ({@value #OWN_LOGGERS}) still reach stderr as well, since a person must act on them;
 * Kafka's ERRORs do not, as the in-process stack logs harmless ones (retried metadata look-ups).
 * {@link #close()} puts the console appenders back.
 *
 * <p>Opened and closed by one thread (the CLI's main thread); logback's appender lists are safe
 * to change while other threads log. {@link #current()} may be read from any thread.
 */
public final class LogFile implements AutoCloseable {
    /** The worker's own loggers, whose ERROR events stay on the console. */
    static final String OWN_LOGGERS = "io.harborai";
    /** Used only when the configuration's console appender has no pattern to copy. */
    private static final String FALLBACK_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    /** The file events go to while one is open, for child processes that should log there too. */
    private static volatile Path active;

    private final Path path;
    private final Logger root;
    private final Logger own;
    private final List<Appender<ILoggingEvent>> console;
    private final FileAppender<ILoggingEvent> file;
    private final ConsoleAppender<ILoggingEvent> errors;
    private boolean closed;

    private LogFile(
            Path path,
            Logger root,
            Logger own,
            List<Appender<ILoggingEvent>> console,
            FileAppender<ILoggingEvent> file,
            ConsoleAppender<ILoggingEvent> errors) {
        this.path = path;
        this.root = root;
        this.own = own;
        this.console = console;
        this.file = file;
        this.errors = errors;
    }

    /** Sends every log event to {@code path} (appended) until {@link #close()}. */
    public static LogFile divert(Path path) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> console = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(console::add);
        String pattern = console.stream()
                .map(LogFile::patternOf)
                .filter(p -> p != null)
                .findFirst()
                .orElse(FALLBACK_PATTERN);

        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(ctx);
        file.setName("harbor-log-file");
        file.setFile(path.toString());
        file.setAppend(true);
        file.setEncoder(encoder(ctx, pattern));
        file.start();

        ConsoleAppender<ILoggingEvent> errors = new ConsoleAppender<>();
        errors.setContext(ctx);
        errors.setName("harbor-console-errors");
        errors.setTarget("System.err");
        errors.setEncoder(encoder(ctx, pattern));
        ThresholdFilter onlyErrors = new ThresholdFilter();
        onlyErrors.setLevel(Level.ERROR.levelStr);
        onlyErrors.start();
        errors.addFilter(onlyErrors);
        errors.start();

        // The file first, so no event is lost between the two steps.
        root.addAppender(file);
        console.forEach(root::detachAppender);
        Logger own = ctx.getLogger(OWN_LOGGERS);
        own.addAppender(errors);
        active = path;
        return new LogFile(path, root, own, console, file, errors);
    }

    public Path path() {
        return path;
    }

    /** The file this JVM's log events go to now, or null while they go to the console. */
    public static Path current() {
        return active;
    }

    /** Puts the console appenders back and closes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        active = null;
        console.forEach(root::addAppender);
        root.detachAppender(file);
        own.detachAppender(errors);
        file.stop();
        errors.stop();
    }

    private static String patternOf(Appender<ILoggingEvent> appender) {
        return appender instanceof OutputStreamAppender<ILoggingEvent> out
                        && out.getEncoder() instanceof PatternLayoutEncoder encoder
                ? encoder.getPattern()
                : null;
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }
}
