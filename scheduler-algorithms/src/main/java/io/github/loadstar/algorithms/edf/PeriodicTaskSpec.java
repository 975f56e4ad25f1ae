package io.github.loadstar.algorithms.edf;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;

/**
 * A periodic real-time task: it releases a job every {@code period}; each job needs at most
 * {@code executionTime} of processor time and must finish within the period (implicit deadline,
 * D = T).
 *
 * @param name          a name, for rejections and reports
 * @param executionTime the worst-case execution time C of one job
 * @param period        the period T, which is also the relative deadline
 */
public record PeriodicTaskSpec(String name, Duration executionTime, Duration period) {

    /**
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a duration is not positive, or C exceeds T
     */
    public PeriodicTaskSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(executionTime, "executionTime");
        Objects.requireNonNull(period, "period");
        if (executionTime.isNegative() || executionTime.isZero()) {
            throw new IllegalArgumentException("executionTime must be positive: " + executionTime);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        if (executionTime.compareTo(period) > 0) {
            throw new IllegalArgumentException("executionTime " + executionTime + " exceeds period " + period
                    + " (utilization above 1 on its own)");
        }
        if (period.compareTo(Duration.ofNanos(Long.MAX_VALUE / 2)) > 0) {
            throw new IllegalArgumentException("period is too long: " + period);
        }
    }

    /** The utilization C/T as an exact fraction. */
    Fraction utilization() {
        return Fraction.of(BigInteger.valueOf(executionTime.toNanos()), BigInteger.valueOf(period.toNanos()));
    }

    /** The utilization C/T, rounded, for reports. */
    public double utilizationEstimate() {
        return (double) executionTime.toNanos() / period.toNanos();
    }
}
