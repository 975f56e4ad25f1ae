package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code loadstar watch}: a live view, redrawn in place on a terminal (one frame after another
 * otherwise): throughput, utilization, backlog and queue latency; a bar per agent for its backlog and
 * its utilization; the findings. Fits 80 columns.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "A live view redrawn in place: rates, latency, a load bar per agent, the findings (Ctrl-C to stop).")
final class WatchCommand extends SchedulerCommand {
    private static final int BAR = 24;

    @Option(names = "--interval", defaultValue = "1s", converter = Durations.class,
            description = "Time between frames (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N frames (default: until interrupted).")
    Long count;

    @Override
    int run(SchedulerClient client, PrintWriter out) throws InterruptedException {
        if (count != null && count < 1) {
            throw OpsException.refused("--count must be positive: " + count, null);
        }
        boolean terminal = System.console() != null && Ansi.AUTO.enabled();
        JsonNode previous = null;
        for (long k = 0; count == null || k < count; k++) {
            if (k > 0) {
                Thread.sleep(interval.toMillis());
            }
            JsonNode m = client.metrics();
            JsonNode findings = client.bottlenecks(60);
            String frame = frame(client.name(), client.state(), m, previous, findings);
            if (terminal) {
                out.print("\033[H\033[2J");
            } else if (k > 0) {
                out.println();
            }
            out.print(frame);
            out.flush();
            previous = m;
        }
        return 0;
    }

    static String frame(String name, String state, JsonNode m, JsonNode previous, JsonNode findings) {
        StringBuilder s = new StringBuilder();
        double seconds = previous == null ? Double.NaN : (l(m, "uptimeNanos") - l(previous, "uptimeNanos")) / 1e9;
        double rate = previous == null ? d(m, "throughputPerSecond") : (l(m, "completed") - l(previous, "completed")) / seconds;
        JsonNode lat = m.get("queueLatency");
        line(s, String.format(java.util.Locale.ROOT, "%s  %s  up %s", name, state, Table.nanos(l(m, "uptimeNanos"))));
        line(s, String.format(java.util.Locale.ROOT, "tasks/s %s  util %s%%  queued %d  steals %d  migrations %d",
                Table.num(rate, 1), Table.num(100 * d(m, "utilization"), 1), l(m, "queued"), l(m, "steals"),
                l(m, "migrations")));
        line(s, "queue latency p50 " + Table.nanos(d(lat, "p50")) + "  p99 " + Table.nanos(d(lat, "p99")) + "  max "
                + Table.nanos(d(lat, "max")) + "  load CoV " + Table.num(d(m, "loadCoefficientOfVariation"), 2));
        s.append(System.lineSeparator());
        long most = 1;
        for (JsonNode a : m.get("agents")) {
            most = Math.max(most, l(a, "queued"));
        }
        line(s, String.format("%-5s %-9s %-" + BAR + "s %-" + BAR + "s", "AGENT", "STATE", "QUEUED", "UTILIZATION"));
        for (JsonNode a : m.get("agents")) {
            long q = l(a, "queued");
            double u = d(a, "utilization");
            line(s, String.format(java.util.Locale.ROOT, "%5d %-9s %s %s", a.get("index").asInt(),
                    abbreviate(s(a, "state"), 9), bar((double) q / most, Long.toString(q)),
                    bar(Double.isNaN(u) ? 0 : u, Table.num(100 * u, 0) + "%")));
        }
        s.append(System.lineSeparator());
        if (findings.isEmpty()) {
            line(s, "no bottleneck found");
        }
        int shown = 0;
        for (JsonNode f : findings) {
            if (shown++ == 4) {
                line(s, "… " + (findings.size() - 4) + " more (loadstar bottlenecks)");
                break;
            }
            line(s, Severity.coloured(s(f, "severity")) + " " + s(f, "kind") + " (" + s(f, "component") + ")");
        }
        return s.toString();
    }

    /** A bar of {@value #BAR} characters, filled to {@code fraction}, with its label at the end. */
    private static String bar(double fraction, String label) {
        int width = BAR - label.length() - 1;
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "#".repeat(filled) + ".".repeat(width - filled) + " " + label;
    }

    private static String abbreviate(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width);
    }

    private static void line(StringBuilder s, String text) {
        s.append((text.length() > 80 ? text.substring(0, 79) + "…" : text).stripTrailing()).append(System.lineSeparator());
    }
}
