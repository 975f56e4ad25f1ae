package io.github.loadstar.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A goal the suite reports against (issue 12's targets), evaluated on a run's results — never
 * asserted: where Loadstar falls short, the table says by how much. Each target applies to the
 * row groups ({@link Comparison}) of one benchmark class that pass its filter, and yields one
 * {@link Verdict} per group that holds both subjects it compares.
 */
public abstract class Target {
    final String goal;
    final String className;
    final Predicate<Comparison> filter;

    private Target(String goal, String className, Predicate<Comparison> filter) {
        this.goal = goal;
        this.className = className;
        this.filter = filter;
    }

    /** One evaluated target: the goal, the configuration, what was measured, and whether it is met. */
    public record Verdict(String goal, String configuration, String measured, boolean met, String shortfall) {
    }

    /** The verdicts for every matching group of {@code results}. */
    public final List<Verdict> evaluate(List<BenchmarkResult> results) {
        List<Verdict> out = new ArrayList<>();
        for (Comparison c : Comparison.group(results)) {
            if (c.className().equals(className) && filter.test(c)) {
                verdict(c).ifPresent(out::add);
            }
        }
        return out;
    }

    abstract Optional<Verdict> verdict(Comparison c);

    /** Loadstar's {@code ours} at least {@code min} times as fast as {@code peer}. */
    public static Target speedAtLeast(String goal, String className, Predicate<Comparison> filter, String ours,
            String peer, double min) {
        return new Target(goal, className, filter) {
            @Override
            Optional<Verdict> verdict(Comparison c) {
                Optional<BenchmarkResult> a = c.of(ours);
                Optional<BenchmarkResult> b = c.of(peer);
                if (a.isEmpty() || b.isEmpty()) {
                    return Optional.empty();
                }
                double ratio = a.get().speed() / b.get().speed();
                boolean met = ratio >= min;
                return Optional.of(new Verdict(goal, c.label(),
                        String.format(Locale.ROOT, "%s ÷ %s = %.2f× (target ≥ %.2f×)", ours, peer, ratio, min),
                        met, met ? "" : percent(100 * (min - ratio) / min) + " short"));
            }
        };
    }

    /** A counter of {@code subject} at most {@code max}. */
    public static Target counterAtMost(String goal, String className, Predicate<Comparison> filter, String subject,
            String counter, double max) {
        return new Target(goal, className, filter) {
            @Override
            Optional<Verdict> verdict(Comparison c) {
                Optional<BenchmarkResult> a = c.of(subject);
                if (a.isEmpty() || Double.isNaN(a.get().counter(counter))) {
                    return Optional.empty();
                }
                double v = a.get().counter(counter);
                boolean met = v <= max;
                return Optional.of(new Verdict(goal, c.label(),
                        String.format(Locale.ROOT, "%s %s = %s (target ≤ %s)", subject, counter,
                                MarkdownTables.number(v), MarkdownTables.number(max)),
                        met, met ? "" : overBy(v, max)));
            }
        };
    }

    /** Each of {@code counters} of {@code ours} at most {@code peer}'s (latencies: lower is better). */
    public static Target countersNotAbove(String goal, String className, Predicate<Comparison> filter, String ours,
            String peer, String... counters) {
        return new Target(goal, className, filter) {
            @Override
            Optional<Verdict> verdict(Comparison c) {
                Optional<BenchmarkResult> a = c.of(ours);
                Optional<BenchmarkResult> b = c.of(peer);
                if (a.isEmpty() || b.isEmpty()) {
                    return Optional.empty();
                }
                StringBuilder measured = new StringBuilder();
                StringBuilder shortfall = new StringBuilder();
                for (String counter : counters) {
                    double x = a.get().counter(counter);
                    double y = b.get().counter(counter);
                    measured.append(measured.length() == 0 ? "" : "; ").append(counter).append(' ')
                            .append(MarkdownTables.number(x)).append(" vs ").append(MarkdownTables.number(y));
                    if (!(x <= y)) {
                        shortfall.append(shortfall.length() == 0 ? "" : "; ").append(counter).append(' ')
                                .append(overBy(x, y));
                    }
                }
                return Optional.of(new Verdict(goal, c.label(), ours + " vs " + peer + ": " + measured,
                        shortfall.length() == 0, shortfall.toString()));
            }
        };
    }

    /**
     * The per-call overhead of {@code ours} (its time per operation minus {@code baseline}'s) at
     * most {@code max} times {@code peer}'s.
     */
    public static Target overheadAtMost(String goal, String className, Predicate<Comparison> filter, String ours,
            String peer, String baseline, double max) {
        return new Target(goal, className, filter) {
            @Override
            Optional<Verdict> verdict(Comparison c) {
                Optional<BenchmarkResult> a = c.of(ours);
                Optional<BenchmarkResult> b = c.of(peer);
                Optional<BenchmarkResult> base = c.of(baseline);
                if (a.isEmpty() || b.isEmpty() || base.isEmpty()) {
                    return Optional.empty();
                }
                double zero = 1 / base.get().speed();
                double x = 1 / a.get().speed() - zero;
                double y = 1 / b.get().speed() - zero;
                double ratio = x / y;
                boolean met = ratio <= max;
                String unit = timeUnit(a.get());
                return Optional.of(new Verdict(goal, c.label(),
                        String.format(Locale.ROOT, "overhead %s %s vs %s %s = %.2f× (target ≤ %.2f×)",
                                MarkdownTables.number(x), unit, MarkdownTables.number(y), unit, ratio, max),
                        met, met ? "" : overBy(ratio, max)));
            }
        };
    }

    /** {@code subject} allocates at most {@code max} bytes per operation ({@code -prof gc}). */
    public static Target bytesAtMost(String goal, String className, Predicate<Comparison> filter, String subject,
            double max) {
        return new Target(goal, className, filter) {
            @Override
            Optional<Verdict> verdict(Comparison c) {
                Optional<BenchmarkResult> a = c.of(subject);
                if (a.isEmpty() || Double.isNaN(a.get().bytesPerOp())) {
                    return Optional.empty();
                }
                double v = a.get().bytesPerOp();
                boolean met = v <= max;
                return Optional.of(new Verdict(goal, c.label(),
                        String.format(Locale.ROOT, "%s %s B/op (target ≤ %s)", subject, MarkdownTables.number(v),
                                MarkdownTables.number(max)), met, met ? "" : overBy(v, max)));
            }
        };
    }

    private static String overBy(double value, double limit) {
        if (limit <= 0) {
            return "over by " + MarkdownTables.number(value - limit);
        }
        return percent(100 * (value - limit) / limit) + " over";
    }

    /** A shortfall in percent: whole percents, one decimal below 10 % (so 0.1 % never reads "0 %"). */
    private static String percent(double p) {
        return String.format(Locale.ROOT, p < 10 ? "%.1f %%" : "%.0f %%", p);
    }

    /** The time unit of 1 / speed: "us/op" for ops/us. */
    private static String timeUnit(BenchmarkResult r) {
        String unit = r.unit();
        if (r.higherIsBetter() && unit.startsWith("ops/")) {
            return unit.substring(4) + "/op";
        }
        return unit;
    }
}
