package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadstar agents}: the agent list. */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = "The agents: state, capacity, queued tasks, completed tasks, utilization, breaker, where each runs"
                + " (local, or a remote agent's member address and its tasks out there).")
final class AgentsCommand extends SchedulerCommand {
    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    int run(SchedulerClient client, PrintWriter out) {
        List<Map<String, Object>> agents = client.agents();
        if (format == Format.json) {
            printJson(out, agents);
            return 0;
        }
        Table t = new Table(">AGENT", "STATE", ">CAPACITY", ">QUEUED", ">COMPLETED", ">UTIL%", "BREAKER", "WHERE");
        for (Map<String, Object> a : agents) {
            t.row(a.get("index"), a.get("state"), Table.num((Double) a.get("capacity"), 2), a.get("queued"),
                    a.get("completed"), Table.num(100 * (Double) a.get("utilization"), 1),
                    a.get("breaker") == null ? "-" : a.get("breaker"), where(a));
        }
        out.print(t.render());
        return 0;
    }

    /** "local", or a remote agent's member and its tasks in flight ({@code --format json} has every field). */
    private static String where(Map<String, Object> a) {
        Object location = a.get("location");
        if (location == null || "local".equals(location)) {
            return "local";
        }
        String address = location.toString();
        return address.substring(address.lastIndexOf(' ') + 1) + " (" + a.get("inFlight") + " out)";
    }
}
