package io.github.loadstar.bench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One JMH result as the tables show it: which benchmark, which implementation ({@code executor}),
 * under which other parameters, its score, and its secondary results.
 *
 * <p>{@link #speed()} turns every mode into "higher is better" (throughput as is; a time per
 * operation inverted), so that a ratio of two speeds always reads the same way: above 1.0, the
 * numerator is faster.
 *
 * @param className  the benchmark class's simple name
 * @param method     the benchmark method
 * @param mode       JMH's mode name: {@code thrpt}, {@code avgt}, {@code ss} or {@code sample}
 * @param threads    JMH threads running the method
 * @param executor   the {@code executor} parameter (the implementation measured), or "" if none
 * @param params     the other parameters, in JMH's order
 * @param score      the primary score
 * @param error      the half-width of JMH's 99.9 % confidence interval, NaN when too few iterations
 * @param unit       the primary score's unit
 * @param counters   the benchmark's own auxiliary counters, each divided by its {@code samples}
 *                   counter when there is one (JMH sums {@code EVENTS} counters over iterations)
 * @param bytesPerOp {@code gc.alloc.rate.norm} from {@code -prof gc}, NaN when not profiled
 */
public record BenchmarkResult(String className, String method, String mode, int threads, String executor,
        Map<String, String> params, double score, double error, String unit, Map<String, Double> counters,
        double bytesPerOp) {

    public BenchmarkResult {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(executor, "executor");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
        Objects.requireNonNull(unit, "unit");
    }

    /** Whether this result is Loadstar's: its {@code executor} starts with {@code loadstar}. */
    public boolean isLoadstar() {
        return executor.startsWith("loadstar");
    }

    /** The score as a speed: higher is better in every mode. */
    public double speed() {
        return mode.equals("thrpt") ? score : 1.0 / score;
    }

    /** Whether a higher score is better (throughput) rather than lower (a time). */
    public boolean higherIsBetter() {
        return mode.equals("thrpt");
    }

    /** A counter, or NaN when the benchmark has none of that name. */
    public double counter(String name) {
        Double v = counters.get(name);
        return v == null ? Double.NaN : v;
    }
}
