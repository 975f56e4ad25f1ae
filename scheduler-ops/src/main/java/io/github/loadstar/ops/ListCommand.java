package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code loadstar list}: the local JVMs that run Loadstar schedulers. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the local JVMs (of this OS user) that run Loadstar schedulers, with the schedulers' names.")
final class ListCommand implements Callable<Integer> {
    @Option(names = "--all", description = "Also list JVMs without a scheduler.")
    boolean all;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<LocalJvm> jvms = LocalJvms.list().stream().filter(j -> all || !j.schedulers().isEmpty()).toList();
        if (format == Format.json) {
            SchedulerCommand.printJson(out, jvms);
            return 0;
        }
        if (jvms.isEmpty()) {
            out.println(all ? "no other JVM of this user is running" : "no local JVM runs a Loadstar scheduler");
            return 0;
        }
        Table t = new Table(">PID", "SCHEDULERS", "MAIN");
        for (LocalJvm j : jvms) {
            t.row(j.pid(), j.schedulers().isEmpty() ? "-" : String.join(",", j.schedulers()), j.displayName());
        }
        out.print(t.render());
        return 0;
    }
}
