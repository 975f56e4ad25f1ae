package io.github.loadstar.algorithms.breaker;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long a breaker stays OPEN: fixed, or growing exponentially with each consecutive opening
 * (reset when the breaker closes), with optional jitter and a cap.
 */
public abstract class OpenDuration {
    private OpenDuration() {
    }

    /** Always {@code duration}. */
    public static OpenDuration fixed(Duration duration) {
        long nanos = positive(duration, "openDuration");
        return new OpenDuration() {
            @Override
            public long nanos(int consecutiveOpens) {
                return nanos;
            }

            @Override
            public String toString() {
                return "fixed(" + duration + ")";
            }
        };
    }

    /**
     * {@code initial × multiplier^(n−1)} for the n-th consecutive opening, at most {@code max},
     * then spread by ±{@code jitter} (a fraction in [0, 1)): a jitter of 0.2 gives a value uniformly
     * in [0.8d, 1.2d], so breakers that opened together do not probe together. Jitter draws from
     * {@link ThreadLocalRandom}; see {@link #exponential(Duration, double, Duration, double, DoubleSupplier)}
     * to inject a source.
     */
    public static OpenDuration exponential(Duration initial, double multiplier, Duration max, double jitter) {
        return exponential(initial, multiplier, max, jitter, () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * As {@link #exponential(Duration, double, Duration, double)}, drawing jitter from
     * {@code random} (values in [0, 1)), so tests are reproducible.
     *
     * @throws IllegalArgumentException if a duration is not positive, max &lt; initial,
     *                                  multiplier &lt; 1 or not finite, or jitter outside [0, 1)
     */
    public static OpenDuration exponential(Duration initial, double multiplier, Duration max, double jitter,
                                           DoubleSupplier random) {
        long initialNanos = positive(initial, "initial");
        long maxNanos = positive(max, "max");
        if (maxNanos < initialNanos) {
            throw new IllegalArgumentException("max " + max + " is shorter than initial " + initial);
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be finite and at least 1: " + multiplier);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
        }
        Objects.requireNonNull(random, "random");
        return new OpenDuration() {
            @Override
            public long nanos(int consecutiveOpens) {
                double d = initialNanos * Math.pow(multiplier, Math.max(0, consecutiveOpens - 1));
                d = Math.min(d, maxNanos);
                if (jitter > 0) {
                    d *= 1 - jitter + 2 * jitter * random.getAsDouble();
                }
                return Math.max(1L, (long) d);
            }

            @Override
            public String toString() {
                return "exponential(" + initial + " x" + multiplier + " up to " + max + ", jitter " + jitter + ")";
            }
        };
    }

    /** The open duration for the n-th consecutive opening (n ≥ 1). */
    public abstract long nanos(int consecutiveOpens);

    private static long positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException(name + " must be positive and at most a year: " + d);
        }
        return d.toNanos();
    }
}
