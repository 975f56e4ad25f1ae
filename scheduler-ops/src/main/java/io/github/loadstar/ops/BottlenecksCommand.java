package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/** {@code loadstar bottlenecks}: the findings, each with its evidence and what to do. */
@Command(name = "bottlenecks", mixinStandardHelpOptions = true,
        description = "The bottlenecks found in the snapshot and the window, each with the figures that show it and "
                + "a suggested action.")
final class BottlenecksCommand extends SchedulerCommand {
    enum Component { agents, tenants, queues, breakers }

    @Option(names = "--component", description = "Only findings about agents, tenants, queues or breakers.")
    Component component;

    @Option(names = "--window", defaultValue = "60s", converter = Durations.class,
            description = "The window of history to analyse (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    int run(SchedulerClient client, PrintWriter out) {
        ArrayNode chosen = SchedulerClient.JSON.createArrayNode();
        for (JsonNode f : client.bottlenecks(Durations.seconds(window))) {
            if (component == null || s(f, "component").startsWith(component.name())) {
                chosen.add(f);
            }
        }
        if (format == Format.json) {
            printJson(out, chosen);
            return 0;
        }
        if (chosen.isEmpty()) {
            out.println("no bottleneck found" + (component == null ? "" : " in " + component) + " over the last "
                    + Durations.seconds(window) + " s");
            return 0;
        }
        for (JsonNode f : chosen) {
            out.println(Severity.coloured(s(f, "severity")) + " " + s(f, "kind") + " (" + s(f, "component") + ")");
                out.print(Table.wrap(Table.evidence(f.get("evidence")), 80, "  evidence: ", "            "));
            out.print(Table.wrap(s(f, "action"), 80, "  action:   ", "            "));
        }
        return 0;
    }
}
