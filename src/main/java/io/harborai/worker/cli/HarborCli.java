package io.harborai.worker.cli;

import io.harborai.worker.config.ConfigException;
import io.harborai.worker.console.LogFile;
import io.harborai.worker.startup.KafkaAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** Entry point of {@code bin/harbor}: one subcommand per way people use the worker. */
@Command(
        name = "harbor",
        mixinStandardHelpOptions = true,
        version = "harbor 0.1.0",
        description = "HarborAI Worker: LLM chat completions at scale over Kafka.",
        subcommands = {
            RunCommand.class,
            DevCommand.class,
            BatchCommand.class,
            SubmitCommand.class,
            GatewayCommand.class,
            CollectCommand.class,
            StatusCommand.class,
            BatchesCommand.class,
            CancelCommand.class,
            TopCommand.class,
            BenchCommand.class,
            SimulatorCommand.class,
            CommandLine.HelpCommand.class
        })
public final class HarborCli {
    static final String VERBOSE = "--verbose";

    // Read from the parse result (it may be given before or after the subcommand), not this field.
    @Option(
            names = VERBOSE,
            scope = ScopeType.INHERIT,
            description =
                    "Show Kafka's and the worker's logs on the console; batch, bench, dev and simulator otherwise "
                            + "write them to a file named on stderr.")
    boolean verbose;

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        cl.setExecutionStrategy(HarborCli::executeWithLogsInFile);
        System.exit(cl.execute(args));
    }

    /** The configured command line, shared by main and the tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HarborCli());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException ce) {
                cmd.getErr().println(ce.getMessage());
                return 2;
            }
            if (e instanceof KafkaAccess.RefusedException) {
                cmd.getErr().println("harbor " + cmd.getCommandName() + ": " + e.getMessage());
                return 1;
            }
            if (KafkaAccess.isAuthenticationFailure(e)) { // refused later than the start-up check
                cmd.getErr().println("harbor " + cmd.getCommandName() + ": " + KafkaAccess.describe(e, Map.of()));
                return 1;
            }
            cmd.getErr().println("harbor: " + e.getMessage());
            return 1;
        });
        return cl;
    }

    /**
     * Runs the chosen command; for a {@link LogsToFile} command without {@code --verbose}, with this
     * JVM's logs in a new file under the temp directory (one per run, so runs never interleave, the
     * working directory stays the user's, and the file outlives the run for a look after an error).
     * Only main does this, so in-process tests keep their logs on the console.
     */
    private static int executeWithLogsInFile(ParseResult parsed) {
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine leaf = chain.get(chain.size() - 1);
        boolean verbose = false;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption(VERBOSE);
        }
        boolean help = chain.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested());
        if (verbose || help || !(leaf.getCommand() instanceof LogsToFile)) {
            return new CommandLine.RunLast().execute(parsed);
        }
        Path path;
        try {
            path = Files.createTempFile("harbor-" + leaf.getCommandName() + "-", ".log");
        } catch (IOException e) {
            System.err.println("harbor: cannot create a log file (" + e.getMessage() + "); logging to the console");
            return new CommandLine.RunLast().execute(parsed);
        }
        System.err.println("logs: " + path + " (" + VERBOSE + " shows them here)");
        LogFile logFile = LogFile.divert(path);
        try {
            return new CommandLine.RunLast().execute(parsed);
        } finally {
            logFile.close();
        }
    }
}
