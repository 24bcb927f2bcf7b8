package io.jspeed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jspeed command line: one entry point, one sub-command per job. */
@Command(name = "jspeed", mixinStandardHelpOptions = true, version = "jspeed 0.1.0",
        description = "Train, fine-tune and serve transformer language models on the JVM.",
        subcommands = {TrainCommand.class, GenerateCommand.class, ChatCommand.class, PerplexityCommand.class, BenchCommand.class, TokenizeCommand.class,
                QuantizeCommand.class, ConvertCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also what tests drive). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new ErrorReporter());
        return cli;
    }
}
