package io.harborai.worker.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code -o OUT.jsonl [--errors ERR.jsonl]} pair of {@code harbor batch} and {@code harbor
 * collect}: where the OpenAI Batch output lines go, and the one rule the two files share.
 */
final class OutputFiles {
    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "OUT.jsonl",
            description = "Output lines (appended to when it exists). Without --errors, failed lines go here too, "
                    + "as in OpenAI's single output file.")
    Path output;

    @Option(names = "--errors", paramLabel = "ERR.jsonl", description = "Failed lines (OpenAI's error file).")
    Path errors;

    /** True (and says so) when {@code --errors} names the output file: the two must differ. */
    boolean sameFile() {
        if (errors != null
                && errors.toAbsolutePath()
                        .normalize()
                        .equals(output.toAbsolutePath().normalize())) {
            System.err.println("harbor: --errors must name a different file than -o");
            return true;
        }
        return false;
    }
}
