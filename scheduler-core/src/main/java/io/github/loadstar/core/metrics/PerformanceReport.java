package io.github.loadstar.core.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The performance report: the original specification's KPIs — load distribution variance, task
 * migration rate, queue latency percentiles, utilization efficiency, fairness index — plus
 * throughput and deadline figures, each both cumulative (from the snapshot) and over a recent
 * window of the history; the per-agent and per-tenant rows and breaker states; and the trend over
 * the window (its second half against its first), and the {@link LoadPatterns patterns} in the
 * window's history. As text for people ({@link #toText()},
 * {@link #toDetailedText()}) and JSON for machines ({@link #toJson()}).
 *
 * <p>A trend is {@code rising} when the second half's figure is more than 10 % above the first's,
 * {@code falling} when more than 10 % below, {@code steady} otherwise, and {@code unknown} when the
 * window holds fewer than four snapshots.
 */
public final class PerformanceReport {
    private final String scheduler;
    private final SchedulerMetrics now;
    private final WindowFigures window;
    private final WindowFigures firstHalf;
    private final WindowFigures secondHalf;
    private final List<LoadPattern> patterns;

    private PerformanceReport(String scheduler, SchedulerMetrics now, WindowFigures window, WindowFigures firstHalf,
                              WindowFigures secondHalf, List<LoadPattern> patterns) {
        this.scheduler = scheduler;
        this.now = now;
        this.window = window;
        this.firstHalf = firstHalf;
        this.secondHalf = secondHalf;
        this.patterns = List.copyOf(patterns);
    }

    /**
     * The report on {@code now} and the newest {@code span} of {@code history}.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code span} is negative
     */
    public static PerformanceReport of(String scheduler, SchedulerMetrics now, SchedulerHistory history, Duration span) {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(history, "history");
        WindowFigures window = history.window(span);
        WindowFigures first = null;
        WindowFigures second = null;
        List<SchedulerMetrics> samples = history.samples();
        int n = window.samples() + (window.samples() > 1 ? 1 : 0);    // snapshots in the window
        if (n >= 4) {
            List<SchedulerMetrics> in = samples.subList(samples.size() - n, samples.size());
            int mid = n / 2;
            first = WindowFigures.of(in.subList(0, mid + 1));
            second = WindowFigures.of(in.subList(mid, n));
        }
        return new PerformanceReport(scheduler, now, window, first, second, history.patterns(span));
    }

    /** The patterns in the window's history ({@link LoadPatterns}). */
    public List<LoadPattern> patterns() {
        return patterns;
    }

    /** The snapshot the report rests on. */
    public SchedulerMetrics now() {
        return now;
    }

    /** The figures over the window. */
    public WindowFigures window() {
        return window;
    }

    /** The trend of the throughput over the window. */
    public String throughputTrend() {
        return firstHalf == null ? "unknown" : trend(firstHalf.throughputPerSecond(), secondHalf.throughputPerSecond());
    }

    /** The trend of the utilization over the window. */
    public String utilizationTrend() {
        return firstHalf == null ? "unknown" : trend(firstHalf.utilization(), secondHalf.utilization());
    }

    /** The trend of the mean load variance over the window. */
    public String loadVarianceTrend() {
        return firstHalf == null ? "unknown" : trend(firstHalf.meanLoadVariance(), secondHalf.meanLoadVariance());
    }

    private static String trend(double before, double after) {
        if (before == 0 && after == 0) {
            return "steady";
        }
        if (after > before * 1.1) {
            return "rising";
        }
        return after < before * 0.9 ? "falling" : "steady";
    }

    /** The KPIs in a few lines. */
    public String toText() {
        LatencySummary l = now.queueLatency();
        return String.format(Locale.ROOT,
                "Loadstar performance report: %s (%d agents), window %.1f s (%d samples)%n"
                        + "  throughput            %,.0f tasks/s (window %,.0f, %s)%n"
                        + "  utilization           %.1f %% (window %.1f %%, %s)%n"
                        + "  load variance         %.4f now, %.4f mean over the window (%s); CoV %.4f now%n"
                        + "  migration rate        %.4f per task (window %.4f; %,d steals, %,d migrations)%n"
                        + "  queue latency         p50 %s  p90 %s  p99 %s  p99.9 %s  max %s (%,d samples, 1 in %d)%n"
                        + "  fairness              work (Jain) %.4f; tenants (Jain) %.4f cumulative, %.4f demand-aware"
                        + " over %.1f s of contention%n"
                        + "  deadlines             %,d missed, %,d started late; %,d failed, %,d rejected%n"
                        + "  allocation            %s%n"
                        + "  patterns              %s%n",
                scheduler, now.agents().size(), window.seconds(), window.samples(),
                now.throughputPerSecond(), window.throughputPerSecond(), throughputTrend(),
                now.utilization() * 100, window.utilization() * 100, utilizationTrend(),
                now.loadVariance(), window.meanLoadVariance(), loadVarianceTrend(), now.loadCoefficientOfVariation(),
                now.migrationRate(), window.migrationRate(), now.steals(), now.migrations(),
                SchedulerMetrics.nanos(l.p50()), SchedulerMetrics.nanos(l.p90()), SchedulerMetrics.nanos(l.p99()),
                SchedulerMetrics.nanos(l.p999()), SchedulerMetrics.nanos(l.max()), l.samples(), l.samplingInterval(),
                now.workFairness(), now.tenantFairness(), window.tenantFairness(), window.contendedSeconds(),
                now.deadlineMisses(), now.lateStarts(), now.failed(), now.rejected(), now.allocations().describe(),
                patternLines());
    }

    private String patternLines() {
        if (patterns.isEmpty()) {
            return "none in the window";
        }
        StringBuilder s = new StringBuilder();
        for (LoadPattern p : patterns) {
            s.append(s.length() == 0 ? "" : String.format("%n                        ")).append(p);
        }
        return s.toString();
    }

    /** The KPIs, then every agent and tenant row (with breaker states) of the snapshot. */
    public String toDetailedText() {
        return toText() + now;
    }

    /**
     * The report as one JSON object: {@code scheduler}, {@code kpis}, {@code trend}, {@code window},
     * {@code patterns} (kind, subject, description, evidence), {@code now}.
     */
    public String toJson() {
        LatencySummary l = now.queueLatency();
        StringBuilder s = new StringBuilder(2048);
        s.append('{');
        Json.field(s, "scheduler", scheduler).append(",\"kpis\":{");
        Json.field(s, "throughputPerSecond", now.throughputPerSecond()).append(',');
        Json.field(s, "windowThroughputPerSecond", window.throughputPerSecond()).append(',');
        Json.field(s, "utilization", now.utilization()).append(',');
        Json.field(s, "windowUtilization", window.utilization()).append(',');
        Json.field(s, "loadVariance", now.loadVariance()).append(',');
        Json.field(s, "windowMeanLoadVariance", window.meanLoadVariance()).append(',');
        Json.field(s, "loadCoefficientOfVariation", now.loadCoefficientOfVariation()).append(',');
        Json.field(s, "migrationRate", now.migrationRate()).append(',');
        Json.field(s, "windowMigrationRate", window.migrationRate()).append(',');
        Json.field(s, "queueLatencyP50Nanos", l.p50()).append(',');
        Json.field(s, "queueLatencyP90Nanos", l.p90()).append(',');
        Json.field(s, "queueLatencyP99Nanos", l.p99()).append(',');
        Json.field(s, "queueLatencyP999Nanos", l.p999()).append(',');
        Json.field(s, "queueLatencyMaxNanos", l.max()).append(',');
        Json.field(s, "workFairness", now.workFairness()).append(',');
        Json.field(s, "tenantFairness", now.tenantFairness()).append(',');
        Json.field(s, "demandAwareTenantFairness", window.tenantFairness()).append(',');
        Json.field(s, "deadlineMisses", now.deadlineMisses()).append(',');
        Json.field(s, "lateStarts", now.lateStarts()).append("},\"trend\":{");
        Json.field(s, "throughput", throughputTrend()).append(',');
        Json.field(s, "utilization", utilizationTrend()).append(',');
        Json.field(s, "loadVariance", loadVarianceTrend()).append("},\"window\":{");
        Json.field(s, "seconds", window.seconds()).append(',');
        Json.field(s, "samples", window.samples()).append(',');
        Json.field(s, "completed", window.completed()).append(',');
        Json.field(s, "migrations", window.migrations()).append(',');
        Json.field(s, "steals", window.steals()).append(',');
        Json.field(s, "meanLoadCoefficientOfVariation", window.meanLoadCoefficientOfVariation()).append(',');
        Json.field(s, "contendedSeconds", window.contendedSeconds()).append("},\"patterns\":[");
        for (int i = 0; i < patterns.size(); i++) {
            LoadPattern p = patterns.get(i);
            s.append(i == 0 ? "{" : ",{");
            Json.field(s, "kind", p.kind().name()).append(',');
            Json.field(s, "subject", p.subject()).append(',');
            Json.field(s, "description", p.description()).append(",\"evidence\":");
            Json.numbers(s, p.evidence()).append('}');
        }
        s.append("],\"now\":");
        return s.append(now.toJson()).append('}').toString();
    }

    @Override
    public String toString() {
        return toText();
    }
}
