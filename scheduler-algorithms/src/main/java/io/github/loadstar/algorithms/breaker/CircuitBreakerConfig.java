package io.github.loadstar.algorithms.breaker;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The immutable configuration of a {@link CircuitBreaker}, built with a validating builder.
 *
 * <table>
 *   <caption>Trip rules and defaults</caption>
 *   <tr><th>rule</th><th>trips when</th><th>default</th></tr>
 *   <tr><td>consecutive failures</td><td>this many recorded failures in a row (the original
 *       specification's rule; 0 turns it off)</td><td>5</td></tr>
 *   <tr><td>failure rate</td><td>failures ≥ this percentage of the calls in the window, once the
 *       window holds at least {@code minimumNumberOfCalls}</td><td>50 %</td></tr>
 *   <tr><td>slow-call rate</td><td>calls slower than {@code slowCallDuration} ≥ this percentage,
 *       likewise</td><td>100 % at 60 s</td></tr>
 * </table>
 * The window is count-based (the last N calls; default 100) or time-based (the last D, in a fixed
 * number of buckets; bounded memory); {@code minimumNumberOfCalls} defaults to 20. An open breaker
 * stays open for {@link OpenDuration} (default fixed 60 s, the original specification's timeout),
 * then half-opens on the next call. Half-open admits at most {@code halfOpenMaxTrials} trial calls
 * in total (default 10) and {@code halfOpenMaxConcurrentTrials} at once (default 3); after
 * {@code halfOpenSuccessThreshold} successes (default 3) it closes, after one failure or one slow
 * trial it reopens, and if that has not happened within {@code halfOpenTimeout} (default 60 s) it
 * reopens.
 *
 * <p>The rates are checked after every recorded call, success or failure, once the window holds
 * {@code minimumNumberOfCalls}. A call is slow when it lasts strictly longer than
 * {@code slowCallDuration}; an open breaker lets a trial through once strictly more than its open
 * duration has passed. These boundaries are Resilience4j's.
 */
public final class CircuitBreakerConfig {
    /** The largest count-based window. */
    public static final int MAX_WINDOW_CALLS = 1_000_000;
    /** The most buckets a time-based window may have. */
    public static final int MAX_BUCKETS = 64;

    /** The kind of sliding window. */
    public enum WindowType {
        /** The last {@code windowSize} calls. */
        COUNT_BASED,
        /** The calls of the last {@code windowDuration}, in {@code windowBuckets} buckets. */
        TIME_BASED
    }

    private static final CircuitBreakerConfig DEFAULTS = builder().build();

    private final int consecutiveFailureThreshold;
    private final float failureRateThreshold;
    private final float slowCallRateThreshold;
    private final long slowCallDurationNanos;
    private final WindowType windowType;
    private final int windowSize;
    private final long windowDurationNanos;
    private final int windowBuckets;
    private final int minimumNumberOfCalls;
    private final OpenDuration openDuration;
    private final int halfOpenMaxTrials;
    private final int halfOpenMaxConcurrentTrials;
    private final int halfOpenSuccessThreshold;
    private final long halfOpenTimeoutNanos;
    private final Predicate<Throwable> recordException;
    private final Predicate<Throwable> ignoreException;
    private final Predicate<Object> recordResult;
    private final NanoClock clock;

    private CircuitBreakerConfig(Builder b) {
        this.consecutiveFailureThreshold = b.consecutiveFailureThreshold;
        this.failureRateThreshold = b.failureRateThreshold;
        this.slowCallRateThreshold = b.slowCallRateThreshold;
        this.slowCallDurationNanos = b.slowCallDurationNanos;
        this.windowType = b.windowType;
        this.windowSize = b.windowSize;
        this.windowDurationNanos = b.windowDurationNanos;
        this.windowBuckets = b.windowBuckets;
        this.minimumNumberOfCalls = b.minimumNumberOfCalls;
        this.openDuration = b.openDuration;
        this.halfOpenMaxTrials = b.halfOpenMaxTrials;
        this.halfOpenMaxConcurrentTrials = b.halfOpenMaxConcurrentTrials;
        this.halfOpenSuccessThreshold = b.halfOpenSuccessThreshold;
        this.halfOpenTimeoutNanos = b.halfOpenTimeoutNanos;
        this.recordException = b.recordException;
        this.ignoreException = b.ignoreException;
        this.recordResult = b.recordResult;
        this.clock = b.clock;
    }

    /** The defaults. */
    public static CircuitBreakerConfig defaults() {
        return DEFAULTS;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.consecutiveFailureThreshold = consecutiveFailureThreshold;
        b.failureRateThreshold = failureRateThreshold;
        b.slowCallRateThreshold = slowCallRateThreshold;
        b.slowCallDurationNanos = slowCallDurationNanos;
        b.windowType = windowType;
        b.windowSize = windowSize;
        b.windowDurationNanos = windowDurationNanos;
        b.windowBuckets = windowBuckets;
        b.minimumNumberOfCalls = minimumNumberOfCalls;
        b.openDuration = openDuration;
        b.halfOpenMaxTrials = halfOpenMaxTrials;
        b.halfOpenMaxConcurrentTrials = halfOpenMaxConcurrentTrials;
        b.halfOpenSuccessThreshold = halfOpenSuccessThreshold;
        b.halfOpenTimeoutNanos = halfOpenTimeoutNanos;
        b.recordException = recordException;
        b.ignoreException = ignoreException;
        b.recordResult = recordResult;
        b.clock = clock;
        return b;
    }

    public int consecutiveFailureThreshold() {
        return consecutiveFailureThreshold;
    }

    public float failureRateThreshold() {
        return failureRateThreshold;
    }

    public float slowCallRateThreshold() {
        return slowCallRateThreshold;
    }

    public Duration slowCallDuration() {
        return Duration.ofNanos(slowCallDurationNanos);
    }

    public WindowType windowType() {
        return windowType;
    }

    /** The count-based window's size, in calls. */
    public int windowSize() {
        return windowSize;
    }

    /** The time-based window's length. */
    public Duration windowDuration() {
        return Duration.ofNanos(windowDurationNanos);
    }

    /** The time-based window's number of buckets. */
    public int windowBuckets() {
        return windowBuckets;
    }

    public int minimumNumberOfCalls() {
        return minimumNumberOfCalls;
    }

    public OpenDuration openDuration() {
        return openDuration;
    }

    public int halfOpenMaxTrials() {
        return halfOpenMaxTrials;
    }

    public int halfOpenMaxConcurrentTrials() {
        return halfOpenMaxConcurrentTrials;
    }

    public int halfOpenSuccessThreshold() {
        return halfOpenSuccessThreshold;
    }

    public Duration halfOpenTimeout() {
        return Duration.ofNanos(halfOpenTimeoutNanos);
    }

    public NanoClock clock() {
        return clock;
    }

    long slowCallDurationNanos() {
        return slowCallDurationNanos;
    }

    long windowDurationNanos() {
        return windowDurationNanos;
    }

    long halfOpenTimeoutNanos() {
        return halfOpenTimeoutNanos;
    }

    /** Whether {@code error} counts as a failure: not ignored, and recorded (ignore wins). */
    boolean recordsAsFailure(Throwable error) {
        return !ignoreException.test(error) && recordException.test(error);
    }

    /** Whether {@code error} is ignored: the call counts neither way. */
    boolean ignores(Throwable error) {
        return ignoreException.test(error);
    }

    /** Whether a returned {@code result} counts as a failure. */
    boolean recordsResultAsFailure(Object result) {
        return recordResult.test(result);
    }

    @Override
    public String toString() {
        return "CircuitBreakerConfig{consecutiveFailures=" + consecutiveFailureThreshold
                + ", failureRate=" + failureRateThreshold + "%, slowCallRate=" + slowCallRateThreshold
                + "% at " + slowCallDuration() + ", window=" + (windowType == WindowType.COUNT_BASED
                ? windowSize + " calls" : windowDuration() + " in " + windowBuckets + " buckets")
                + ", minimumCalls=" + minimumNumberOfCalls + ", open=" + openDuration
                + ", halfOpen={trials " + halfOpenMaxTrials + ", concurrent " + halfOpenMaxConcurrentTrials
                + ", successes " + halfOpenSuccessThreshold + ", timeout " + halfOpenTimeout() + "}}";
    }

    /**
     * Builds a {@link CircuitBreakerConfig}. Every setter validates its argument at once and names
     * it in the exception; {@link #build()} checks the combinations.
     */
    public static final class Builder {
        private int consecutiveFailureThreshold = 5;
        private float failureRateThreshold = 50;
        private float slowCallRateThreshold = 100;
        private long slowCallDurationNanos = Duration.ofSeconds(60).toNanos();
        private WindowType windowType = WindowType.COUNT_BASED;
        private int windowSize = 100;
        private long windowDurationNanos = Duration.ofSeconds(60).toNanos();
        private int windowBuckets = 10;
        private int minimumNumberOfCalls = 20;
        private OpenDuration openDuration = OpenDuration.fixed(Duration.ofSeconds(60));
        private int halfOpenMaxTrials = 10;
        private int halfOpenMaxConcurrentTrials = 3;
        private int halfOpenSuccessThreshold = 3;
        private long halfOpenTimeoutNanos = Duration.ofSeconds(60).toNanos();
        private Predicate<Throwable> recordException = e -> true;
        private Predicate<Throwable> ignoreException = e -> false;
        private Predicate<Object> recordResult = r -> false;
        private NanoClock clock = NanoClock.SYSTEM;

        private Builder() {
        }

        /**
         * Trips after this many recorded failures in a row; 0 turns the rule off.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder consecutiveFailureThreshold(int failures) {
            if (failures < 0) {
                throw new IllegalArgumentException("consecutiveFailureThreshold must not be negative: " + failures);
            }
            this.consecutiveFailureThreshold = failures;
            return this;
        }

        /**
         * @throws IllegalArgumentException if not in (0, 100]
         */
        public Builder failureRateThreshold(float percent) {
            this.failureRateThreshold = percent(percent, "failureRateThreshold");
            return this;
        }

        /**
         * @throws IllegalArgumentException if not in (0, 100]
         */
        public Builder slowCallRateThreshold(float percent) {
            this.slowCallRateThreshold = percent(percent, "slowCallRateThreshold");
            return this;
        }

        /**
         * Calls that take longer than this are slow (a call of exactly this duration is not).
         *
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if not positive or longer than a day
         */
        public Builder slowCallDuration(Duration duration) {
            this.slowCallDurationNanos = positive(duration, "slowCallDuration", Duration.ofDays(1));
            return this;
        }

        /**
         * A count-based window of the last {@code calls} calls.
         *
         * @throws IllegalArgumentException if not in [1, {@value CircuitBreakerConfig#MAX_WINDOW_CALLS}]
         */
        public Builder countBasedWindow(int calls) {
            if (calls < 1 || calls > MAX_WINDOW_CALLS) {
                throw new IllegalArgumentException("windowSize must be between 1 and " + MAX_WINDOW_CALLS + ": " + calls);
            }
            this.windowType = WindowType.COUNT_BASED;
            this.windowSize = calls;
            return this;
        }

        /**
         * A time-based window of the last {@code duration}, in {@code buckets} buckets.
         *
         * @throws NullPointerException     if {@code duration} is null
         * @throws IllegalArgumentException if the duration is not positive or longer than a day, if
         *                                  buckets is not in [1, {@value CircuitBreakerConfig#MAX_BUCKETS}],
         *                                  or a bucket would be shorter than 1 ms
         */
        public Builder timeBasedWindow(Duration duration, int buckets) {
            long nanos = positive(duration, "windowDuration", Duration.ofDays(1));
            if (buckets < 1 || buckets > MAX_BUCKETS) {
                throw new IllegalArgumentException("windowBuckets must be between 1 and " + MAX_BUCKETS + ": " + buckets);
            }
            if (nanos / buckets < 1_000_000L) {
                throw new IllegalArgumentException("windowBuckets " + buckets + " makes buckets shorter than 1 ms for "
                        + duration);
            }
            this.windowType = WindowType.TIME_BASED;
            this.windowDurationNanos = nanos;
            this.windowBuckets = buckets;
            return this;
        }

        /**
         * The rates are evaluated only once the window holds this many calls; from then on, after
         * every recorded call.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder minimumNumberOfCalls(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("minimumNumberOfCalls must be at least 1: " + calls);
            }
            this.minimumNumberOfCalls = calls;
            return this;
        }

        /**
         * How long an open breaker stays open.
         *
         * @throws NullPointerException if null
         */
        public Builder openDuration(OpenDuration openDuration) {
            this.openDuration = Objects.requireNonNull(openDuration, "openDuration");
            return this;
        }

        /**
         * Shorthand for {@code openDuration(OpenDuration.fixed(duration))}.
         *
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if not positive
         */
        public Builder openDuration(Duration duration) {
            return openDuration(OpenDuration.fixed(duration));
        }

        /**
         * Trial calls allowed while half-open: in total, and at once.
         *
         * @throws IllegalArgumentException if either is less than 1 or concurrent exceeds total
         */
        public Builder halfOpenTrials(int total, int concurrent) {
            if (total < 1) {
                throw new IllegalArgumentException("halfOpenMaxTrials must be at least 1: " + total);
            }
            if (concurrent < 1 || concurrent > total) {
                throw new IllegalArgumentException("halfOpenMaxConcurrentTrials must be between 1 and "
                        + "halfOpenMaxTrials (" + total + "): " + concurrent);
            }
            this.halfOpenMaxTrials = total;
            this.halfOpenMaxConcurrentTrials = concurrent;
            return this;
        }

        /**
         * Successful trials that close a half-open breaker.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder halfOpenSuccessThreshold(int successes) {
            if (successes < 1) {
                throw new IllegalArgumentException("halfOpenSuccessThreshold must be at least 1: " + successes);
            }
            this.halfOpenSuccessThreshold = successes;
            return this;
        }

        /**
         * A half-open breaker that has neither closed nor reopened within this reopens.
         *
         * @throws NullPointerException     if null
         * @throws IllegalArgumentException if not positive or longer than a day
         */
        public Builder halfOpenTimeout(Duration timeout) {
            this.halfOpenTimeoutNanos = positive(timeout, "halfOpenTimeout", Duration.ofDays(1));
            return this;
        }

        /**
         * Which exceptions count as failures (default: all). Exceptions it rejects count as successes.
         *
         * @throws NullPointerException if null
         */
        public Builder recordException(Predicate<Throwable> predicate) {
            this.recordException = Objects.requireNonNull(predicate, "recordException");
            return this;
        }

        /**
         * Which exceptions count neither way (default: none); takes precedence over
         * {@link #recordException}.
         *
         * @throws NullPointerException if null
         */
        public Builder ignoreException(Predicate<Throwable> predicate) {
            this.ignoreException = Objects.requireNonNull(predicate, "ignoreException");
            return this;
        }

        /**
         * Which returned results count as failures (default: none).
         *
         * @throws NullPointerException if null
         */
        public Builder recordResult(Predicate<Object> predicate) {
            this.recordResult = Objects.requireNonNull(predicate, "recordResult");
            return this;
        }

        /**
         * The clock for every timing decision (default {@link NanoClock#SYSTEM}).
         *
         * @throws NullPointerException if null
         */
        public Builder clock(NanoClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The config.
         *
         * @throws IllegalStateException if halfOpenSuccessThreshold exceeds halfOpenMaxTrials (the
         *                               breaker could never close), or a count window is smaller
         *                               than minimumNumberOfCalls (the rates could never be evaluated)
         */
        public CircuitBreakerConfig build() {
            if (halfOpenSuccessThreshold > halfOpenMaxTrials) {
                throw new IllegalStateException("halfOpenSuccessThreshold (" + halfOpenSuccessThreshold
                        + ") exceeds halfOpenMaxTrials (" + halfOpenMaxTrials + "): the breaker could never close");
            }
            if (windowType == WindowType.COUNT_BASED && windowSize < minimumNumberOfCalls) {
                throw new IllegalStateException("windowSize (" + windowSize + ") is smaller than minimumNumberOfCalls ("
                        + minimumNumberOfCalls + "): the rates could never be evaluated");
            }
            return new CircuitBreakerConfig(this);
        }

        private static float percent(float p, String name) {
            if (!(p > 0 && p <= 100)) {
                throw new IllegalArgumentException(name + " must be in (0, 100]: " + p);
            }
            return p;
        }

        private static long positive(Duration d, String name, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be positive and at most " + max + ": " + d);
            }
            return d.toNanos();
        }
    }
}
