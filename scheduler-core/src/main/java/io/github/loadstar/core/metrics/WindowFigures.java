package io.github.loadstar.core.metrics;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The scheduler's figures over a stretch of its history: the difference between two snapshots
 * ({@code from}, {@code to}) for what is counted, and the average over the snapshots after
 * {@code from} up to {@code to} for what is a level (the spread of queued load). Unlike the
 * cumulative figures of a {@link SchedulerMetrics}, these say what the scheduler is doing lately,
 * and unlike its load figures they do not read 0 once the queues drain.
 *
 * @param seconds                  the stretch's length, in seconds (0 if {@code from} and {@code to} are one snapshot)
 * @param completed                tasks that ran in the stretch
 * @param throughputPerSecond      {@code completed} per second of the stretch; 0 for an empty stretch
 * @param utilization              the agents' mean busy time over the stretch, in [0, 1]
 * @param migrations               tasks moved between agents in the stretch ({@link SchedulerMetrics#migrations()})
 * @param migrationRate            {@code migrations} per task that ran in the stretch; 0 if none ran
 * @param steals                   steal operations in the stretch
 * @param meanLoadVariance         the mean, over the snapshots in the stretch, of the population variance
 *                                 of per-agent queued cost per unit of capacity
 * @param meanLoadCoefficientOfVariation the same mean of its coefficient of variation
 * @param tenantFairness           <em>demand-aware</em> tenant fairness: for each pair of consecutive
 *                                 snapshots, Jain's index over the service per unit of weight that the
 *                                 tenants <em>backlogged</em> over it received — those with tasks waiting
 *                                 or running at both of its ends, and only when there are at least two
 *                                 — averaged over such pairs, weighted by their length; 1 when no two
 *                                 tenants competed (a tenant that ran out of work is not treated unfairly)
 * @param contendedSeconds         the length of the pairs that index rests on
 * @param samples                  how many snapshots the means rest on
 */
public record WindowFigures(
        double seconds,
        long completed,
        double throughputPerSecond,
        double utilization,
        long migrations,
        double migrationRate,
        long steals,
        double meanLoadVariance,
        double meanLoadCoefficientOfVariation,
        double tenantFairness,
        double contendedSeconds,
        int samples) {

    /** The figures of no stretch at all: a history without snapshots (all 0, fairness 1, 0 samples). */
    public static WindowFigures none() {
        return new WindowFigures(0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0, 0, 0);
    }

    /**
     * The figures between the first and the last of {@code snapshots} (oldest first, of one
     * scheduler, at least one).
     *
     * Agents added or removed within the window count, for utilization, as present for all of it
     * (an added agent's share is underestimated, a removed one's overestimated, by their absence).
     *
     * @throws IllegalArgumentException if {@code snapshots} is empty
     */
    public static WindowFigures of(List<SchedulerMetrics> snapshots) {
        Objects.requireNonNull(snapshots, "snapshots");
        if (snapshots.isEmpty()) {
            throw new IllegalArgumentException("snapshots is empty");
        }
        SchedulerMetrics from = snapshots.get(0);
        SchedulerMetrics to = snapshots.get(snapshots.size() - 1);
        long nanos = Math.max(0, to.uptimeNanos() - from.uptimeNanos());
        long completed = Math.max(0, to.completed() - from.completed());
        double busy = 0;
        int n = 0;      // agents present at either end
        for (AgentMetrics a : to.agents()) {
            AgentMetrics before = from.agent(a.index());
            boolean present = a.state() != AgentState.REMOVED
                    || (before != null && before.state() != AgentState.REMOVED);
            if (present) {
                n++;
                busy += Math.max(0, a.busyNanos() - (before == null ? 0 : before.busyNanos()));
            }
        }
        double utilization = nanos == 0 || n == 0 ? 0 : Math.min(1.0, busy / n / nanos);
        long migrations = Math.max(0, to.migrations() - from.migrations());
        long steals = Math.max(0, to.steals() - from.steals());
        double variance = 0;
        double cov = 0;
        int samples = snapshots.size() == 1 ? 1 : snapshots.size() - 1;
        for (int i = snapshots.size() == 1 ? 0 : 1; i < snapshots.size(); i++) {
            variance += snapshots.get(i).loadVariance();
            cov += snapshots.get(i).loadCoefficientOfVariation();
        }
        double fairnessSum = 0;
        long contended = 0;
        for (int i = 1; i < snapshots.size(); i++) {
            SchedulerMetrics a = snapshots.get(i - 1);
            SchedulerMetrics b = snapshots.get(i);
            double index = backloggedFairness(a, b);
            long length = Math.max(0, b.uptimeNanos() - a.uptimeNanos());
            if (!Double.isNaN(index) && length > 0) {
                fairnessSum += index * length;
                contended += length;
            }
        }
        return new WindowFigures(nanos / 1e9, completed, nanos == 0 ? 0 : completed * 1e9 / nanos, utilization,
                migrations, completed == 0 ? 0 : (double) migrations / completed, steals,
                variance / samples, cov / samples, contended == 0 ? 1.0 : fairnessSum / contended,
                contended / 1e9, samples);
    }

    /** Jain's index between {@code a} and {@code b} over the tenants backlogged at both; NaN if fewer than two. */
    private static double backloggedFairness(SchedulerMetrics a, SchedulerMetrics b) {
        Map<String, Double> served = Contention.between(a, b);
        if (served.size() < 2) {
            return Double.NaN;
        }
        return Fairness.jainIndex(served.values().stream().mapToDouble(Double::doubleValue).toArray());
    }
}
