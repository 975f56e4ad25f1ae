package io.github.loadstar.ops;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code loadstar topology}: the topology optimiser's decisions, or — with {@code --optimize} — its
 * rule run now over the newest window: the prediction, and the change if applied ({@code --dry-run}
 * makes none).
 */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = "The topology optimiser: its decisions so far, or with --optimize its rule run now (add an agent, "
                + "recalibrate capacities, remove one, or nothing) with the evidence and the prediction; --dry-run "
                + "changes nothing.")
final class TopologyCommand extends SchedulerCommand {
    enum Objective { throughput, queue_latency_p99 }

    @Option(names = "--optimize", description = "Run the optimiser's rule now (applies its change unless --dry-run).")
    boolean optimize;

    @Option(names = "--dry-run", description = "With --optimize: predict only, change nothing.")
    boolean dryRun;

    @Option(names = "--objective", description = "throughput or queue_latency_p99 (default: the configured topology.objective).")
    Objective objective;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    int run(SchedulerClient client, PrintWriter out) {
        if (!optimize && (dryRun || objective != null)) {
            throw OpsException.refused("--dry-run and --objective go with --optimize", null);
        }
        if (!optimize) {
            JsonNode decisions = client.topologyDecisionsJson();
            if (format == Format.json) {
                printJson(out, decisions);
            } else if (decisions.isEmpty()) {
                out.println("no topology decision yet (the optimiser is off, or has not completed a window)");
            } else {
                for (JsonNode d : decisions) {
                    print(out, d);
                }
            }
            return 0;
        }
        JsonNode d = client.optimizeTopology(objective == null ? null : objective.name(), !dryRun);
        if (format == Format.json) {
            printJson(out, d);
        } else {
            print(out, d);
        }
        return 0;
    }

    private static void print(PrintWriter out, JsonNode d) {
        out.printf(java.util.Locale.ROOT, "%.1f s  %s  %s  %s%n", d(d, "atSeconds"), s(d, "action"),
                d.get("applied").asBoolean() ? "applied" : "not applied", s(d, "objective"));
        out.printf(java.util.Locale.ROOT, "  predicted: %s -> %s (%+.1f %%) with %d agents before%n",
                Table.num(d(d, "current"), 2), Table.num(d(d, "predicted"), 2), 100 * d(d, "predictedImprovement"),
                l(d, "agentsBefore"));
        out.print(Table.wrap(s(d, "reason"), 80, "  reason:   ", "            "));
        out.print(Table.wrap(Table.evidence(d.get("evidence")), 80, "  evidence: ", "            "));
        if (d.get("checked").asBoolean()) {
            out.printf(java.util.Locale.ROOT, "  measured: %s -> %s (%+.1f %%)%n", Table.num(d(d, "measuredBefore"), 2),
                    Table.num(d(d, "measuredAfter"), 2), 100 * d(d, "measuredImprovement"));
        }
    }
}
