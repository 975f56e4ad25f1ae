package io.github.loadstar.core;

import io.github.loadstar.core.spi.RebalancePolicies;
import io.github.loadstar.core.spi.RebalancePolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * What a scheduler's coordinator — its one background thread, off the task path — does: keep the
 * history ({@link Scheduler#history()}) and rebalance (the push path beside stealing). An
 * immutable value; build one with {@link #builder()}. With the history off and rebalancing off, no
 * coordinator thread is started.
 */
public final class CoordinatorConfig {
    /** The default history interval, in milliseconds. */
    public static final long DEFAULT_HISTORY_INTERVAL_MILLIS = 1_000;
    /** The default history size. */
    public static final int DEFAULT_HISTORY_SIZE = 600;
    /** The default rebalancing interval, in milliseconds. */
    public static final long DEFAULT_REBALANCE_INTERVAL_MILLIS = 50;
    /** A snapshot a second, ten minutes of them; no rebalancing. */
    public static final CoordinatorConfig DEFAULT = builder().build();

    private final Duration historyInterval;
    private final int historySize;
    private final RebalancePolicy rebalancePolicy;
    private final Duration rebalanceInterval;
    private final TopologyConfig topology;

    private CoordinatorConfig(Builder b) {
        this.topology = b.topology;
        this.historyInterval = b.historyInterval;
        this.historySize = b.historySize;
        this.rebalancePolicy = b.rebalancePolicy;
        this.rebalanceInterval = b.rebalanceInterval;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** How often a snapshot goes into the history; zero: no history. */
    public Duration historyInterval() {
        return historyInterval;
    }

    /** The most snapshots the history keeps (the oldest are dropped). */
    public int historySize() {
        return historySize;
    }

    /** The rebalancing policy ({@link RebalancePolicies#off()}: stealing alone). */
    public RebalancePolicy rebalancePolicy() {
        return rebalancePolicy;
    }

    /** How often the coordinator rebalances. */
    public Duration rebalanceInterval() {
        return rebalanceInterval;
    }

    /**
     * Checks that this history can feed {@code topology} (at build, and when a reconfiguration
     * changes the topology settings).
     *
     * @throws IllegalArgumentException naming topology if it is on without a history that holds at
     *                                  least two snapshots of its window
     */
    public void checkTopology(TopologyConfig topology) {
        if (topology.isOn() && (historyInterval.isZero()
                || topology.window().compareTo(historyInterval.multipliedBy(2)) < 0)) {
            throw new IllegalArgumentException("topology: its window (" + topology.window().toMillis()
                    + " ms) must span at least two history intervals (" + historyInterval.toMillis() + " ms"
                    + (historyInterval.isZero() ? ": the history is off" : "") + ")");
        }
    }

    /** The topology optimiser ({@link TopologyConfig#OFF} by default). */
    public TopologyConfig topology() {
        return topology;
    }

    @Override
    public String toString() {
        return "CoordinatorConfig{history every " + historyInterval.toMillis() + " ms × " + historySize + ", rebalance "
                + rebalancePolicy + " every " + rebalanceInterval.toMillis() + " ms, " + topology + "}";
    }

    /** Builds a {@link CoordinatorConfig}; each setter validates its value at once. */
    public static final class Builder {
        private Duration historyInterval = Duration.ofMillis(DEFAULT_HISTORY_INTERVAL_MILLIS);
        private int historySize = DEFAULT_HISTORY_SIZE;
        private RebalancePolicy rebalancePolicy = RebalancePolicies.off();
        private Duration rebalanceInterval = Duration.ofMillis(DEFAULT_REBALANCE_INTERVAL_MILLIS);
        private TopologyConfig topology = TopologyConfig.OFF;

        private Builder() {
        }

        /**
         * Sets the topology optimiser, which adds and removes agents when its model predicts an
         * improvement over the threshold. Default: {@link TopologyConfig#OFF}.
         *
         * @throws NullPointerException if {@code topology} is null
         */
        public Builder topology(TopologyConfig topology) {
            this.topology = Objects.requireNonNull(topology, "topology");
            return this;
        }

        /**
         * Sets how often a snapshot goes into the history, or {@link Duration#ZERO} for none.
         * Default: {@value #DEFAULT_HISTORY_INTERVAL_MILLIS} ms.
         *
         * @throws NullPointerException     if {@code interval} is null
         * @throws IllegalArgumentException if {@code interval} is neither zero nor between 10 ms and 1 hour
         */
        public Builder historyInterval(Duration interval) {
            Objects.requireNonNull(interval, "historyInterval");
            if (!interval.isZero() && (interval.compareTo(Duration.ofMillis(10)) < 0
                    || interval.compareTo(Duration.ofHours(1)) > 0)) {
                throw new IllegalArgumentException("historyInterval must be zero or between 10 ms and 1 hour: " + interval);
            }
            this.historyInterval = interval;
            return this;
        }

        /**
         * Sets the most snapshots the history keeps. Default: {@value #DEFAULT_HISTORY_SIZE}.
         *
         * @throws IllegalArgumentException if {@code size} is not between 2 and 100,000
         */
        public Builder historySize(int size) {
            if (size < 2 || size > 100_000) {
                throw new IllegalArgumentException("historySize must be between 2 and 100000: " + size);
            }
            this.historySize = size;
            return this;
        }

        /**
         * Sets the rebalancing policy: every rebalancing interval it moves movable work off overloaded
         * agents before anyone is idle. Default: {@link RebalancePolicies#off()}.
         *
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder rebalancePolicy(RebalancePolicy policy) {
            this.rebalancePolicy = Objects.requireNonNull(policy, "rebalancePolicy");
            return this;
        }

        /**
         * Sets how often the coordinator rebalances. Default: {@value #DEFAULT_REBALANCE_INTERVAL_MILLIS} ms.
         *
         * @throws NullPointerException     if {@code interval} is null
         * @throws IllegalArgumentException if {@code interval} is not between 1 ms and 1 hour
         */
        public Builder rebalanceInterval(Duration interval) {
            Objects.requireNonNull(interval, "rebalanceInterval");
            if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("rebalanceInterval must be between 1 ms and 1 hour: " + interval);
            }
            this.rebalanceInterval = interval;
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException naming topology if the optimiser is on without a history
         *                                  that holds at least two snapshots of its window
         */
        public CoordinatorConfig build() {
            CoordinatorConfig c = new CoordinatorConfig(this);
            c.checkTopology(topology);
            return c;
        }
    }
}
