package io.harborai.worker.cli;

import io.harborai.worker.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/harbor}: one subcommand per way people use the worker. */
@Command(name = "harbor", mixinStandardHelpOptions = true, version = "harbor 0.1.0",
    description = "HarborAI Worker: LLM chat completions at scale over Kafka.",
    subcommands = {RunCommand.class, DevCommand.class, BatchCommand.class, SubmitCommand.class,
        CollectCommand.class, StatusCommand.class, TopCommand.class, BenchCommand.class, SimulatorCommand.class,
        CommandLine.HelpCommand.class})
public final class HarborCli {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and the tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HarborCli());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException ce) {
                cmd.getErr().println(ce.getMessage());
                return 2;
            }
            cmd.getErr().println("harbor: " + e.getMessage());
            return 1;
        });
        return cl;
    }
}
