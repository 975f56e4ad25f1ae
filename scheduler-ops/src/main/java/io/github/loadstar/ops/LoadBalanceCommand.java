package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code loadstar load-balance}: choose the rebalancing strategy, run a pass, show what moved. */
@Command(name = "load-balance", mixinStandardHelpOptions = true,
        description = "Choose the rebalancing strategy and/or run one rebalancing pass now and print what moved. "
                + "With neither option, print the strategy in force.")
final class LoadBalanceCommand extends SchedulerCommand {
    @Option(names = "--strategy", paramLabel = "STRATEGY",
            description = "threshold, adaptive or off; threshold:<tolerance> or adaptive:<tolerance> to set the tolerance.")
    String strategy;

    @Option(names = "--now", description = "Run one rebalancing pass now and print the tasks it moved.")
    boolean now;

    @Option(names = "--wait", defaultValue = "1s", converter = Durations.class,
            description = "How long to watch the moves of a pass complete (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    int run(SchedulerClient client, PrintWriter out) throws InterruptedException {
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        if (strategy != null) {
            List<String> changed = client.updateSettings(Map.of("rebalancePolicy", strategy));
            result.put("changed", changed);
            result.put("settingsVersion", client.settingsVersion());
        }
        result.put("rebalancePolicy", client.rebalancePolicy());
        if (now) {
            JsonNode before = client.metrics();
            client.rebalance();
            JsonNode after = settle(client);
            result.put("migrated", l(after, "migrations") - l(before, "migrations"));
            List<Map<String, Object>> agents = new java.util.ArrayList<>();
            for (JsonNode a : after.get("agents")) {
                JsonNode b = agent(before, a.get("index").asInt());
                Map<String, Object> row = new java.util.LinkedHashMap<>();
                row.put("agent", a.get("index").asInt());
                row.put("queuedBefore", b == null ? 0 : l(b, "queued"));
                row.put("queuedAfter", l(a, "queued"));
                row.put("migratedIn", l(a, "migratedIn") - (b == null ? 0 : l(b, "migratedIn")));
                row.put("migratedOut", l(a, "migratedOut") - (b == null ? 0 : l(b, "migratedOut")));
                agents.add(row);
            }
            result.put("agents", agents);
        }
        if (format == Format.json) {
            printJson(out, result);
            return 0;
        }
        if (strategy != null) {
            out.println("rebalancing strategy set: " + result.get("rebalancePolicy") + " (settings version "
                    + result.get("settingsVersion") + (((List<?>) result.get("changed")).isEmpty() ? ", unchanged" : "")
                    + ")");
        } else {
            out.println("rebalancing strategy: " + result.get("rebalancePolicy"));
        }
        if (now) {
            out.println("rebalancing pass: " + result.get("migrated") + " tasks moved");
            Table t = new Table(">AGENT", ">QUEUED BEFORE", ">QUEUED AFTER", ">MOVED IN", ">MOVED OUT");
            for (Object o : (List<?>) result.get("agents")) {
                Map<?, ?> r = (Map<?, ?>) o;
                t.row(r.get("agent"), r.get("queuedBefore"), r.get("queuedAfter"), r.get("migratedIn"), r.get("migratedOut"));
            }
            out.print(t.render());
        }
        return 0;
    }

    /**
     * The figures once the pass's moves are done: the receiving agents carry the moves out between
     * their tasks, so the migration count is read until it holds for 100 ms or {@code wait} passes.
     */
    private JsonNode settle(SchedulerClient client) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode last = client.metrics();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
            JsonNode next = client.metrics();
            if (l(next, "migrations") != l(last, "migrations")) {
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 100_000_000L) {
                return next;
            }
            last = next;
        }
        return last;
    }

    private static JsonNode agent(JsonNode metrics, int index) {
        for (JsonNode a : metrics.get("agents")) {
            if (a.get("index").asInt() == index) {
                return a;
            }
        }
        return null;
    }
}
