package io.github.loadstar.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The topology optimiser's settings (its model: {@link io.github.loadstar.core.metrics.TopologyModel}):
 * every {@link #window()} the coordinator predicts, from the history of that window,
 * what adding or removing an agent would do to the {@link #objective() objective}, applies a change
 * only when the predicted improvement exceeds {@link #threshold()}, within
 * [{@link #minAgents()}, {@link #maxAgents()}], records every decision with its evidence
 * ({@link Scheduler#topologyDecisions()}), and checks the prediction against the next window. An
 * immutable value; {@link #OFF} by default. Needs the history on, and agent slots to add into
 * ({@link SchedulerBuilder#maxAgents}).
 */
public final class TopologyConfig {
    /** No topology changes. */
    public static final TopologyConfig OFF = new TopologyConfig(null, 1, 64, 0.10, Duration.ofSeconds(5), false);

    /** What the optimiser improves. */
    public enum Objective {
        /** Completed tasks per second. */
        THROUGHPUT,
        /** The 99th percentile of the time a task waits in a queue, as an M/M/c queue predicts it. */
        QUEUE_LATENCY_P99
    }

    private final Objective objective;
    private final int minAgents;
    private final int maxAgents;
    private final double threshold;
    private final Duration window;
    private final boolean calibrateCapacities;

    private TopologyConfig(Objective objective, int minAgents, int maxAgents, double threshold, Duration window,
                           boolean calibrateCapacities) {
        this.objective = objective;
        this.minAgents = minAgents;
        this.maxAgents = maxAgents;
        this.threshold = threshold;
        this.window = window;
        this.calibrateCapacities = calibrateCapacities;
    }

    /**
     * A builder: objective throughput, 1 to 64 agents, threshold 10 %, window 5 s, capacities not
     * calibrated.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration (from {@link #OFF}: off, with the defaults). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.objective = objective;
        b.minAgents = minAgents;
        b.maxAgents = maxAgents;
        b.threshold = threshold;
        b.window = window;
        b.calibrateCapacities = calibrateCapacities;
        return b;
    }

    /** Whether the optimiser runs. */
    public boolean isOn() {
        return objective != null;
    }

    /** What it improves; null when off. */
    public Objective objective() {
        return objective;
    }

    /** It never removes an agent below this many. */
    public int minAgents() {
        return minAgents;
    }

    /** It never adds an agent beyond this many (nor beyond the scheduler's slots). */
    public int maxAgents() {
        return maxAgents;
    }

    /** The predicted relative improvement a change needs (0.10: 10 %). */
    public double threshold() {
        return threshold;
    }

    /** How much history a decision reads, and how long its check waits. */
    public Duration window() {
        return window;
    }

    /**
     * Whether it may set the agents' capacities to their measured speeds (tasks per busy second)
     * when the model predicts the improvement; see {@link io.github.loadstar.core.metrics.TopologyModel}.
     * Off by default: the model leaves out what already steers work by speed — stealing, and
     * placement by queue length — so its gain is an upper bound, which the next window's check may
     * not bear out; it pays where those cannot act (stealing limited, pinned work, agents whose
     * speeds differ a lot).
     */
    public boolean calibrateCapacities() {
        return calibrateCapacities;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TopologyConfig)) {
            return false;
        }
        TopologyConfig c = (TopologyConfig) o;
        return objective == c.objective && minAgents == c.minAgents && maxAgents == c.maxAgents
                && threshold == c.threshold && window.equals(c.window) && calibrateCapacities == c.calibrateCapacities;
    }

    @Override
    public int hashCode() {
        return Objects.hash(objective, minAgents, maxAgents, threshold, window, calibrateCapacities);
    }

    @Override
    public String toString() {
        return isOn() ? "TopologyConfig{" + objective + ", agents " + minAgents + ".." + maxAgents + ", threshold "
                + threshold + ", window " + window.toMillis() + " ms" + (calibrateCapacities ? ", capacities calibrated" : "")
                + "}" : "TopologyConfig{off}";
    }

    /** Builds a {@link TopologyConfig}; each setter validates its value at once. */
    public static final class Builder {
        private Objective objective = Objective.THROUGHPUT;
        private int minAgents = 1;
        private int maxAgents = 64;
        private double threshold = 0.10;
        private Duration window = Duration.ofSeconds(5);
        private boolean calibrateCapacities;

        private Builder() {
        }

        /** @throws NullPointerException if {@code objective} is null */
        public Builder objective(Objective objective) {
            this.objective = Objects.requireNonNull(objective, "objective");
            return this;
        }

        /** No objective: the configuration built is off (its other values kept for when it is turned on again). */
        public Builder off() {
            this.objective = null;
            return this;
        }

        /** Whether it may set capacities to measured speeds (default: no; see {@link TopologyConfig#calibrateCapacities()}). */
        public Builder calibrateCapacities(boolean calibrate) {
            this.calibrateCapacities = calibrate;
            return this;
        }

        /**
         * The bounds on the agent count it may move within.
         *
         * @throws IllegalArgumentException if {@code min} is below 1 or {@code max} below {@code min}
         *                                  or above {@link SchedulerBuilder#MAX_AGENTS}
         */
        public Builder agents(int min, int max) {
            if (min < 1 || max < min || max > SchedulerBuilder.MAX_AGENTS) {
                throw new IllegalArgumentException("agents must satisfy 1 <= min <= max <= " + SchedulerBuilder.MAX_AGENTS
                        + ": min " + min + ", max " + max);
            }
            this.minAgents = min;
            this.maxAgents = max;
            return this;
        }

        /** @throws IllegalArgumentException if {@code threshold} is not in (0, 10] */
        public Builder threshold(double threshold) {
            if (!(threshold > 0 && threshold <= 10)) {
                throw new IllegalArgumentException("threshold must be in (0, 10]: " + threshold);
            }
            this.threshold = threshold;
            return this;
        }

        /**
         * @throws NullPointerException     if {@code window} is null
         * @throws IllegalArgumentException if {@code window} is not between 50 ms and 1 hour
         */
        public Builder window(Duration window) {
            Objects.requireNonNull(window, "window");
            if (window.compareTo(Duration.ofMillis(50)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("window must be between 50 ms and 1 hour: " + window);
            }
            this.window = window;
            return this;
        }

        /** The configuration. */
        public TopologyConfig build() {
            return new TopologyConfig(objective, minAgents, maxAgents, threshold, window, calibrateCapacities);
        }
    }
}
