package io.github.loadstar.core.metrics;

/**
 * The balance figures the metrics report, as plain functions of a sample.
 *
 * <p>Jain's fairness index (Jain, Chiu and Hawe, DEC-TR-301, 1984) is
 * {@code J = (Σx)² / (n·Σx²)}: 1 when every x is equal, {@code k/n} when k of n share equally and
 * the rest get nothing, never below {@code 1/n}. It is scale-invariant, and equals
 * {@code 1 / (1 + CoV²)} for the population coefficient of variation, so the original
 * specification's "load-balance efficiency" {@code 1 / (1 + variance)}, with the load expressed as
 * a fraction of its mean, is the same number.
 *
 * <p>Empty and all-zero samples are perfectly fair (J = 1, variance 0, CoV 0): nothing was shared
 * unequally. No function here divides by zero or returns NaN for finite input.
 */
public final class Fairness {
    private Fairness() {
    }

    /** Jain's index of {@code x}; 1.0 for an empty or all-zero sample. */
    public static double jainIndex(double[] x) {
        double sum = 0;
        double sumOfSquares = 0;
        for (double v : x) {
            sum += v;
            sumOfSquares += v * v;
        }
        if (x.length == 0 || sumOfSquares == 0) {
            return 1.0;
        }
        double j = (sum * sum) / (x.length * sumOfSquares);
        return Math.min(1.0, j);
    }

    /** The mean of {@code x}; 0 for an empty sample. */
    public static double mean(double[] x) {
        if (x.length == 0) {
            return 0;
        }
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    /** The population variance of {@code x}; 0 for an empty sample. */
    public static double variance(double[] x) {
        if (x.length == 0) {
            return 0;
        }
        double mean = mean(x);
        double sum = 0;
        for (double v : x) {
            double d = v - mean;
            sum += d * d;
        }
        return sum / x.length;
    }

    /** The population coefficient of variation σ/μ of {@code x}; 0 when the mean is 0. */
    public static double coefficientOfVariation(double[] x) {
        double mean = mean(x);
        if (mean == 0) {
            return 0;
        }
        return Math.sqrt(variance(x)) / Math.abs(mean);
    }
}
