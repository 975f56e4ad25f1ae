package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/** {@code loadstar agent-metrics}: every figure of every agent, or of one. */
@Command(name = "agent-metrics", mixinStandardHelpOptions = true,
        description = "Every figure of the agents (or of one): tasks, steals, migrations, parks, busy and CPU time, "
                + "deadlines, breaker.")
final class AgentMetricsCommand extends SchedulerCommand {
    @Option(names = "--agent", paramLabel = "N", description = "Only this agent.")
    Integer agent;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    int run(SchedulerClient client, PrintWriter out) {
        JsonNode agents = client.metrics().get("agents");
        ArrayNode chosen = SchedulerClient.JSON.createArrayNode();
        for (JsonNode a : agents) {
            if (agent == null || a.get("index").asInt() == agent) {
                chosen.add(a);
            }
        }
        if (agent != null && chosen.isEmpty()) {
            StringBuilder have = new StringBuilder();
            for (JsonNode a : agents) {
                have.append(have.length() == 0 ? "" : ", ").append(a.get("index").asInt());
            }
            throw OpsException.refused("--agent: no agent " + agent + " (the agents are " + have + ")", null);
        }
        if (format == Format.json) {
            printJson(out, agent != null ? chosen.get(0) : chosen);
            return 0;
        }
        boolean first = true;
        for (JsonNode a : chosen) {
            if (!first) {
                out.println();
            }
            first = false;
            out.println("agent " + a.get("index").asInt());
            Iterator<Map.Entry<String, JsonNode>> fields = a.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!f.getKey().equals("index")) {
                    out.printf("  %-20s %s%n", f.getKey(), show(f.getKey(), f.getValue()));
                }
            }
        }
        return 0;
    }

    private static String show(String name, JsonNode v) {
        if (v.isNull()) {
            return "-";
        }
        if (name.endsWith("Nanos")) {
            return Table.nanos(v.asDouble());
        }
        if (v.isFloatingPointNumber()) {
            return Table.num(v.asDouble(), 4);
        }
        return v.asString();
    }
}
