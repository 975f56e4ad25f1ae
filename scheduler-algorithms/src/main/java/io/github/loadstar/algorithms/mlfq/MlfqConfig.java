package io.github.loadstar.algorithms.mlfq;

import io.github.loadstar.core.Priority;
import io.github.loadstar.core.spi.NamedConfig;
import io.github.loadstar.core.spi.ParameterText;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * The parameters of {@link MlfqPolicy}; an immutable value, validated when built.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>parameter</th><th>default</th></tr>
 *   <tr><td>share weights of HIGH / NORMAL / LOW</td><td>0.3 / 0.2 / 0.1 (normalised: 1/2, 1/3, 1/6)</td></tr>
 *   <tr><td>agingThreshold</td><td>100 ms</td></tr>
 *   <tr><td>agingBoost</td><td>1 level</td></tr>
 *   <tr><td>allotment at HIGH / NORMAL</td><td>50 ms / 100 ms of run time (LOW: none)</td></tr>
 *   <tr><td>quantum at CRITICAL / HIGH / NORMAL / LOW</td><td>5 / 10 / 20 / 40 ms (simulator only)</td></tr>
 *   <tr><td>boostPeriod</td><td>1 s</td></tr>
 * </table>
 */
public final class MlfqConfig implements NamedConfig<MlfqConfig> {
    private static final MlfqConfig DEFAULTS = builder().build();

    private final double[] weights;       // by level 1..3 (index 0 unused: CRITICAL is strict)
    private final long agingThresholdNanos;
    private final int agingBoost;
    private final long[] allotmentNanos;  // by level; 0 = no demotion from it
    private final long[] quantumNanos;    // by level
    private final long boostPeriodNanos;

    private MlfqConfig(Builder b) {
        this.weights = b.weights.clone();
        this.agingThresholdNanos = b.agingThresholdNanos;
        this.agingBoost = b.agingBoost;
        this.allotmentNanos = b.allotmentNanos.clone();
        this.quantumNanos = b.quantumNanos.clone();
        this.boostPeriodNanos = b.boostPeriodNanos;
    }

    /** The defaults. */
    public static MlfqConfig defaults() {
        return DEFAULTS;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.weights = weights.clone();
        b.agingThresholdNanos = agingThresholdNanos;
        b.agingBoost = agingBoost;
        b.allotmentNanos = allotmentNanos.clone();
        b.quantumNanos = quantumNanos.clone();
        b.boostPeriodNanos = boostPeriodNanos;
        return b;
    }

    /** The share weight of a non-critical class (CRITICAL has none: it always goes first). */
    public double weight(Priority level) {
        if (level == Priority.CRITICAL) {
            throw new IllegalArgumentException("CRITICAL has no share: it always runs first");
        }
        return weights[level.ordinal()];
    }

    /** How long a task waits at a level before it moves up {@link #agingBoost()} levels. */
    public Duration agingThreshold() {
        return Duration.ofNanos(agingThresholdNanos);
    }

    /** How many levels an aged task moves up. */
    public int agingBoost() {
        return agingBoost;
    }

    /** Run time a tenant may use at a level before it is demoted one level (zero: never). */
    public Duration allotment(Priority level) {
        return Duration.ofNanos(allotmentNanos[level.ordinal()]);
    }

    /** The time slice at a level, in the simulator's time-sliced mode. */
    public Duration quantum(Priority level) {
        return Duration.ofNanos(quantumNanos[level.ordinal()]);
    }

    /** How often every tenant's demotions are undone. */
    public Duration boostPeriod() {
        return Duration.ofNanos(boostPeriodNanos);
    }

    double weightAt(int level) {
        return weights[level];
    }

    long agingThresholdNanos() {
        return agingThresholdNanos;
    }

    long allotmentAt(int level) {
        return allotmentNanos[level];
    }

    long quantumAt(int level) {
        return quantumNanos[level];
    }

    long boostPeriodNanos() {
        return boostPeriodNanos;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MlfqConfig)) {
            return false;
        }
        MlfqConfig c = (MlfqConfig) o;
        return Arrays.equals(weights, c.weights) && agingThresholdNanos == c.agingThresholdNanos
                && agingBoost == c.agingBoost && Arrays.equals(allotmentNanos, c.allotmentNanos)
                && Arrays.equals(quantumNanos, c.quantumNanos) && boostPeriodNanos == c.boostPeriodNanos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(weights), agingThresholdNanos, agingBoost,
                Arrays.hashCode(allotmentNanos), Arrays.hashCode(quantumNanos), boostPeriodNanos);
    }

    @Override
    public String toString() {
        return "MlfqConfig{weights HIGH/NORMAL/LOW=" + weights[1] + "/" + weights[2] + "/" + weights[3]
                + ", agingThreshold=" + agingThreshold() + ", agingBoost=" + agingBoost
                + ", allotments=" + Duration.ofNanos(allotmentNanos[1]) + "/" + Duration.ofNanos(allotmentNanos[2])
                + ", boostPeriod=" + boostPeriod() + "}";
    }

    private static final String[] LEVEL = {"critical", "high", "normal", "low"};

    /**
     * The parameters by name, as text, for reconfiguration by name: {@code weights.high},
     * {@code weights.normal}, {@code weights.low}, {@code agingThreshold}, {@code agingBoost},
     * {@code allotment.high}, {@code allotment.normal}, {@code quantum.<level>} and
     * {@code boostPeriod}.
     */
    @Override
    public SortedMap<String, String> parameters() {
        java.util.TreeMap<String, String> m = new java.util.TreeMap<>();
        for (int level = 1; level < 4; level++) {
            m.put("weights." + LEVEL[level], Double.toString(weights[level]));
        }
        m.put("agingThreshold", ParameterText.duration(agingThreshold()));
        m.put("agingBoost", Integer.toString(agingBoost));
        for (int level = 1; level < 3; level++) {
            m.put("allotment." + LEVEL[level], ParameterText.duration(Duration.ofNanos(allotmentNanos[level])));
        }
        for (int level = 0; level < 4; level++) {
            m.put("quantum." + LEVEL[level], ParameterText.duration(Duration.ofNanos(quantumNanos[level])));
        }
        m.put("boostPeriod", ParameterText.duration(boostPeriod()));
        return m;
    }

    /**
     * This config with the named parameters (see {@link #parameters()}) set.
     *
     * @throws IllegalArgumentException naming the parameter, if a name is unknown or a value invalid
     */
    @Override
    public MlfqConfig withParameters(Map<String, String> values) {
        Builder b = toBuilder();
        double[] w = weights.clone();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "name");
            String v = Objects.requireNonNull(e.getValue(), name);
            if (name.startsWith("weights.") && level(name) > 0) {
                w[level(name)] = ParameterText.decimal(name, v);
            } else if (name.startsWith("allotment.") && (level(name) == 1 || level(name) == 2)) {
                b.allotment(Priority.values()[level(name)], ParameterText.duration(name, v));
            } else if (name.startsWith("quantum.") && level(name) >= 0) {
                b.quantum(Priority.values()[level(name)], ParameterText.duration(name, v));
            } else if (name.equals("agingThreshold")) {
                b.agingThreshold(ParameterText.duration(name, v));
            } else if (name.equals("agingBoost")) {
                b.agingBoost(ParameterText.integer(name, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            } else if (name.equals("boostPeriod")) {
                b.boostPeriod(ParameterText.duration(name, v));
            } else {
                throw new IllegalArgumentException("unknown parameter " + name + " of mlfq; its parameters: "
                        + parameters().keySet());
            }
        }
        b.weights(w[1], w[2], w[3]);
        return b.build();
    }

    private static int level(String name) {
        return Arrays.asList(LEVEL).indexOf(name.substring(name.indexOf('.') + 1));
    }

    /** Builds an {@link MlfqConfig}. */
    public static final class Builder {
        private double[] weights = {0, 0.3, 0.2, 0.1};
        private long agingThresholdNanos = 100_000_000L;
        private int agingBoost = 1;
        private long[] allotmentNanos = {0, 50_000_000L, 100_000_000L, 0};
        private long[] quantumNanos = {5_000_000L, 10_000_000L, 20_000_000L, 40_000_000L};
        private long boostPeriodNanos = 1_000_000_000L;

        private Builder() {
        }

        /**
         * Sets the share weights of HIGH, NORMAL and LOW (normalised by their sum).
         *
         * @throws IllegalArgumentException if a weight is not positive and finite
         */
        public Builder weights(double high, double normal, double low) {
            double[] w = {0, high, normal, low};
            String[] names = {"", "weights.high", "weights.normal", "weights.low"};
            for (int i = 1; i < 4; i++) {
                if (!(w[i] > 0) || Double.isInfinite(w[i])) {
                    throw new IllegalArgumentException(names[i] + " must be positive and finite: " + w[i]);
                }
            }
            this.weights = w;
            return this;
        }

        /**
         * @throws NullPointerException     if {@code threshold} is null
         * @throws IllegalArgumentException if it is not positive or exceeds one day
         */
        public Builder agingThreshold(Duration threshold) {
            this.agingThresholdNanos = positive(threshold, "agingThreshold");
            return this;
        }

        /**
         * @throws IllegalArgumentException if {@code levels} is not 1, 2 or 3
         */
        public Builder agingBoost(int levels) {
            if (levels < 1 || levels > 3) {
                throw new IllegalArgumentException("agingBoost must be 1, 2 or 3 levels: " + levels);
            }
            this.agingBoost = levels;
            return this;
        }

        /**
         * Sets the run time a tenant may use at HIGH or NORMAL before demotion (zero: never demote).
         *
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if {@code level} is CRITICAL or LOW, or the duration is negative
         */
        public Builder allotment(Priority level, Duration allotment) {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(allotment, "allotment");
            if (level == Priority.CRITICAL || level == Priority.LOW) {
                throw new IllegalArgumentException("allotment applies to HIGH and NORMAL only: " + level);
            }
            if (allotment.isNegative() || allotment.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("allotment must be between 0 and one day: " + allotment);
            }
            this.allotmentNanos[level.ordinal()] = allotment.toNanos();
            return this;
        }

        /**
         * Sets a level's quantum (the simulator's time slice).
         *
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if the quantum is not positive or exceeds one day
         */
        public Builder quantum(Priority level, Duration quantum) {
            Objects.requireNonNull(level, "level");
            this.quantumNanos[level.ordinal()] = positive(quantum, "quantum");
            return this;
        }

        /**
         * @throws NullPointerException     if {@code period} is null
         * @throws IllegalArgumentException if it is not positive or exceeds one day
         */
        public Builder boostPeriod(Duration period) {
            this.boostPeriodNanos = positive(period, "boostPeriod");
            return this;
        }

        /** The config. */
        public MlfqConfig build() {
            return new MlfqConfig(this);
        }

        private static long positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(name + " must be positive and at most one day: " + d);
            }
            return d.toNanos();
        }
    }
}
