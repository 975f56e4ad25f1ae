package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code loadstar metrics-collect}: samples the figures every interval and prints them as a stream —
 * CSV (one header, then a row per component and sample) or JSON lines (one object per sample) —
 * that can be piped into a file. Rates are per second over the interval before each sample.
 */
@Command(name = "metrics-collect", mixinStandardHelpOptions = true,
        description = "Sample agents, tenants and queues every interval and print CSV rows or JSON lines "
                + "(pipe into a file; Ctrl-C or --count to stop).")
final class MetricsCollectCommand extends SchedulerCommand {
    enum Component { agents, tenants, queues }

    enum CollectFormat { csv, json }

    private static final String HEADER = "time_s,component,id,state,queued,completed,rate_per_s,utilization,"
            + "steals_in,migrated_in,waiting,service_s,latency_p50_ns,latency_p99_ns";

    @Option(names = "--components", split = ",", defaultValue = "agents,tenants,queues",
            description = "Any of agents, tenants, queues, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Component> components;

    @Option(names = "--interval", defaultValue = "1s", converter = Durations.class,
            description = "Time between samples (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N samples (default: until interrupted).")
    Long count;

    @Option(names = "--format", defaultValue = "csv", description = "csv or json (default: ${DEFAULT-VALUE}).")
    CollectFormat format;

    @Override
    int run(SchedulerClient client, PrintWriter out) throws InterruptedException {
        if (count != null && count < 1) {
            throw OpsException.refused("--count must be positive: " + count, null);
        }
        EnumSet<Component> chosen = EnumSet.copyOf(components);
        if (format == CollectFormat.csv) {
            out.println(HEADER);
        }
        Map<String, Long> previous = new HashMap<>();
        double previousTime = Double.NaN;
        long next = System.nanoTime();
        for (long k = 0; count == null || k < count; k++) {
            if (k > 0) {
                next += interval.toNanos();
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            JsonNode m = client.metrics();
            double time = l(m, "uptimeNanos") / 1e9;
            double elapsed = time - previousTime;
            if (format == CollectFormat.json) {
                out.println(SchedulerClient.JSON.writeValueAsString(MetricsSample.of(m, chosen)));
            } else {
                for (String row : csv(m, chosen, time, elapsed, previous)) {
                    out.println(row);
                }
            }
            out.flush();
            previousTime = time;
            remember(m, previous);
        }
        return 0;
    }

    private static List<String> csv(JsonNode m, EnumSet<Component> chosen, double time, double elapsed,
                                    Map<String, Long> previous) {
        List<String> rows = new ArrayList<>();
        String t = String.format(Locale.ROOT, "%.3f", time);
        if (chosen.contains(Component.agents)) {
            for (JsonNode a : m.get("agents")) {
                String id = a.get("index").asString();
                rows.add(String.join(",", t, "agent", id, s(a, "state"), Long.toString(l(a, "queued")),
                        Long.toString(l(a, "completed")), rate(l(a, "completed"), previous.get("agent:" + id), elapsed),
                        fmt(d(a, "utilization")), Long.toString(l(a, "stealsIn")), Long.toString(l(a, "migratedIn")),
                        "", "", "", ""));
            }
        }
        if (chosen.contains(Component.tenants)) {
            for (JsonNode x : m.get("tenants")) {
                String id = s(x, "tenant");
                rows.add(String.join(",", t, "tenant", quote(id), "", "", Long.toString(l(x, "completed")),
                        rate(l(x, "completed"), previous.get("tenant:" + id), elapsed), "", "", "",
                        Long.toString(l(x, "waiting")), fmt(l(x, "serviceNanos") / 1e9), "", ""));
            }
        }
        if (chosen.contains(Component.queues)) {
            JsonNode lat = m.get("queueLatency");
            rows.add(String.join(",", t, "queues", "all", "", Long.toString(l(m, "queued")),
                    Long.toString(l(m, "completed")), rate(l(m, "completed"), previous.get("all"), elapsed), "", "", "",
                    Long.toString(l(m, "sharedQueued")), "", whole(d(lat, "p50")), whole(d(lat, "p99"))));
        }
        return rows;
    }

    private static void remember(JsonNode m, Map<String, Long> previous) {
        previous.put("all", l(m, "completed"));
        for (JsonNode a : m.get("agents")) {
            previous.put("agent:" + a.get("index").asString(), l(a, "completed"));
        }
        for (JsonNode x : m.get("tenants")) {
            previous.put("tenant:" + s(x, "tenant"), l(x, "completed"));
        }
    }

    private static String rate(long now, Long before, double elapsed) {
        return before == null || !(elapsed > 0) ? "" : fmt((now - before) / elapsed);
    }

    private static String whole(double v) {
        return Double.isNaN(v) ? "" : Long.toString(Math.round(v));
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
    static String quote(String v) {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}
