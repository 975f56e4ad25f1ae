package io.github.loadstar.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders runs of the suite as markdown: per run, a header (JDK, date, machine, command), the
 * targets with their verdicts, and per benchmark class one table whose rows are grouped by
 * {@link Comparison} (same method, parameters and threads).
 *
 * <p>Columns: the configuration, the implementation ({@code executor}), JMH's score ± error (the
 * half-width of its 99.9 % confidence interval; "n/a" with too few iterations), the unit, the
 * row's speed relative to the group's primary peer ({@code ÷ peer}: above 1, faster than the peer;
 * speed is the score for throughput and its inverse for a time), Loadstar's speed relative to the
 * row ({@code Loadstar ÷}: above 1, Loadstar's reference result is faster than this row), bytes
 * allocated per operation ({@code -prof gc}) and the benchmark's own counters (means per
 * measurement, see {@link JmhJson}). A class with a {@code size} parameter in average-time mode
 * gets a growth table too: time per operation divided by log₂ of the size, which stays flat when
 * the cost grows as O(log n).
 */
public final class MarkdownTables {

    /** One run: its results and where and how it was made. */
    public record Run(String jdk, RunInfo info, List<BenchmarkResult> results) {
    }

    private MarkdownTables() {
    }

    /** The markdown for {@code runs}, in order. */
    public static String render(List<Run> runs, List<Target> targets) {
        StringBuilder out = new StringBuilder();
        for (Run run : runs) {
            renderRun(out, run, targets);
        }
        return out.toString();
    }

    private static void renderRun(StringBuilder out, Run run, List<Target> targets) {
        RunInfo info = run.info();
        out.append("### JDK ").append(run.jdk()).append("\n\n");
        out.append("- Date: ").append(info.date()).append('\n');
        out.append("- Machine: ").append(info.recorded() ? info.cores() + " cores, " + info.cpu() + ", "
                + info.memory() + ", " + info.os() : info.cores()).append('\n');
        out.append("- Command: `").append(info.command()).append("`\n\n");

        List<Target.Verdict> verdicts = new ArrayList<>();
        for (Target t : targets) {
            verdicts.addAll(t.evaluate(run.results()));
        }
        if (!verdicts.isEmpty()) {
            long met = verdicts.stream().filter(Target.Verdict::met).count();
            out.append("#### Targets: ").append(met).append(" of ").append(verdicts.size()).append(" met\n\n");
            out.append("| target | configuration | measured | verdict |\n|---|---|---|---|\n");
            for (Target.Verdict v : verdicts) {
                out.append("| ").append(v.goal()).append(" | ").append(v.configuration()).append(" | ")
                        .append(v.measured()).append(" | ").append(v.met() ? "met" : "**not met: " + v.shortfall() + "**")
                        .append(" |\n");
            }
            out.append('\n');
        }

        Map<String, List<BenchmarkResult>> byClass = new LinkedHashMap<>();
        for (BenchmarkResult r : run.results()) {
            byClass.computeIfAbsent(r.className(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<BenchmarkResult>> e : byClass.entrySet()) {
            renderClass(out, e.getKey(), e.getValue());
        }
    }

    private static void renderClass(StringBuilder out, String className, List<BenchmarkResult> results) {
        boolean bytes = results.stream().anyMatch(r -> !Double.isNaN(r.bytesPerOp()));
        boolean counters = results.stream().anyMatch(r -> !r.counters().isEmpty());
        out.append("#### ").append(className).append("\n\n");
        out.append("| configuration | executor | score | unit | ÷ peer | Loadstar ÷ |");
        out.append(bytes ? " B/op |" : "").append(counters ? " counters |" : "").append('\n');
        out.append("|---|---|--:|---|--:|--:|").append(bytes ? "--:|" : "").append(counters ? "---|" : "")
                .append('\n');
        for (Comparison c : Comparison.group(results)) {
            BenchmarkResult peer = c.primaryPeer().orElse(null);
            BenchmarkResult ref = c.reference().orElse(null);
            boolean first = true;
            for (BenchmarkResult r : c.results()) {
                out.append("| ").append(first ? c.label() : "").append(" | ").append(r.executor()).append(" | ")
                        .append(number(r.score())).append(" ± ").append(number(r.error())).append(" | ")
                        .append(r.unit()).append(" | ");
                out.append(peer == null ? "" : ratio(r.speed() / peer.speed())
                        + (r == peer ? " (" + peer.executor() + ")" : "")).append(" | ");
                out.append(ref == null || r.isLoadstar() ? "" : ratio(ref.speed() / r.speed())).append(" |");
                if (bytes) {
                    out.append(' ').append(number(r.bytesPerOp())).append(" |");
                }
                if (counters) {
                    out.append(' ').append(countersText(r)).append(" |");
                }
                out.append('\n');
                first = false;
            }
        }
        out.append('\n');
        renderGrowth(out, results);
    }

    /** ns/op ÷ log₂(size) per executor and size, for average-time benchmarks with a size parameter. */
    private static void renderGrowth(StringBuilder out, List<BenchmarkResult> results) {
        Set<String> sizes = new LinkedHashSet<>();
        Map<String, Map<String, BenchmarkResult>> byExecutor = new LinkedHashMap<>();
        for (BenchmarkResult r : results) {
            String size = r.params().get("size");
            if (size == null || !r.mode().equals("avgt")) {
                continue;
            }
            sizes.add(size);
            byExecutor.computeIfAbsent(r.method() + " " + r.executor(), k -> new LinkedHashMap<>()).put(size, r);
        }
        if (sizes.size() < 2) {
            return;
        }
        out.append("Growth with size: time per operation ÷ log₂(size) (flat for O(log n))\n\n| method executor |");
        for (String s : sizes) {
            out.append(" size ").append(s).append(" |");
        }
        out.append("\n|---|").append("--:|".repeat(sizes.size())).append('\n');
        for (Map.Entry<String, Map<String, BenchmarkResult>> e : byExecutor.entrySet()) {
            out.append("| ").append(e.getKey()).append(" |");
            for (String s : sizes) {
                BenchmarkResult r = e.getValue().get(s);
                double log = Math.log(Double.parseDouble(s)) / Math.log(2);
                out.append(' ').append(r == null ? "" : number(r.score()) + " ÷ " + number(log) + " = "
                        + number(r.score() / log)).append(" |");
            }
            out.append('\n');
        }
        out.append('\n');
    }

    private static String countersText(BenchmarkResult r) {
        StringBuilder b = new StringBuilder();
        r.counters().forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(number(v)));
        return b.toString();
    }

    static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "n/a" : String.format(Locale.ROOT, "%.2f", r);
    }

    /** Three significant digits, plain notation down to 0.001. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a >= 0.001) {
            return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
