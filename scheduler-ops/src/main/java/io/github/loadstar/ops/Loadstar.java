package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code loadstar} command line: operates a scheduler running in another JVM through its
 * management bean. Exit codes: 0 done; 1 the target could not be reached or found, or the operation
 * failed; 2 a usage error or a request the scheduler refused (nothing changed).
 */
@Command(name = "loadstar", mixinStandardHelpOptions = true, versionProvider = Loadstar.Version.class,
        description = "Operate a running Loadstar scheduler: attach to its JVM by process id (--pid), by JMX address "
                + "(--jmx) or by application name (--app), then read its agents, metrics, report and bottlenecks, "
                + "or change its settings.",
        subcommands = {ListCommand.class, AgentsCommand.class, AgentMetricsCommand.class, ReportCommand.class,
                BottlenecksCommand.class, LoadBalanceCommand.class, ConfigCommand.class, MetricsCollectCommand.class, TopologyCommand.class, WatchCommand.class, McpCommand.class,
                CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 done, 1 failed (target unreachable or not found), 2 usage error or change refused."})
public final class Loadstar implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }

    /** Runs the command line with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Loadstar());
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        cl.setExecutionExceptionHandler(Loadstar::failed);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return CommandLine.ExitCode.USAGE;
        });
        return cl;
    }

    /** One clear line (the stack trace too with --verbose); the exit code the failure calls for. */
    private static int failed(Exception e, CommandLine cl, ParseResult parsed) {
        boolean verbose = false;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("--verbose");
        }
        PrintWriter err = cl.getErr();
        String message = e instanceof OpsException ? e.getMessage() : "failed: " + e;
        err.println(cl.getCommandSpec().qualifiedName() + ": " + String.valueOf(message).replaceAll("\\s*\\R\\s*", " "));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof OpsException ? ((OpsException) e).exitCode() : 1;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    /** The version from the jar's manifest (or "development" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"loadstar " + McpServers.version() + " (JDK " + Runtime.version() + ")"};
        }
    }
}
