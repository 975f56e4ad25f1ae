package io.github.loadstar.core.metrics;

/**
 * Percentiles of queue latency (from submission to the start of the task), in nanoseconds,
 * from HdrHistogram at two significant digits (1 % resolution).
 *
 * <p>Latency is sampled: one task in {@code samplingInterval} carries a submission timestamp
 * (reading the clock costs about as much as the rest of a task's path; see docs/architecture.md).
 * The sampled tasks are chosen independently of their latency, so the percentiles estimate those of
 * all tasks; {@code samples} says how many the estimate rests on. Under an ordering policy every
 * task is timed (the policy needs its submission time), and the interval is 1; in FIFO mode a
 * task with a deadline is timed besides the sample.
 *
 * @param samples          the number of tasks measured
 * @param samplingInterval one task in this many is measured (1: every task)
 * @param p50              median
 * @param p90              90th percentile
 * @param p99              99th percentile
 * @param p999             99.9th percentile
 * @param max              the largest measured value
 * @param mean             the mean
 */
public record LatencySummary(
        long samples,
        int samplingInterval,
        long p50,
        long p90,
        long p99,
        long p999,
        long max,
        double mean) {

    /** No samples yet. */
    public static LatencySummary empty(int samplingInterval) {
        return new LatencySummary(0, samplingInterval, 0, 0, 0, 0, 0, 0);
    }
}
