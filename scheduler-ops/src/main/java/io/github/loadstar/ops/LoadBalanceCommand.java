package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
        Map<String, Object> result = RebalancePass.loadBalance(client, strategy, now, wait,
                SchedulerClient.actor("loadstar load-balance"));
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
}
