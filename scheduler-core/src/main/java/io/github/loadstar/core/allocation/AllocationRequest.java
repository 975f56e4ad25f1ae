package io.github.loadstar.core.allocation;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * How to allocate: the objective (weights over {@link Objective}s, combined as
 * {@link Evaluation#weighted}), a time budget, a seed (the same seed and problem give the same
 * result, for allocators that draw random numbers and are not stopped by the clock first), a
 * cancellation check and a progress callback. An immutable value; see {@link #builder()}.
 */
public final class AllocationRequest {
    private final Map<Objective, Double> weights;
    private final Duration timeBudget;
    private final long seed;
    private final BooleanSupplier cancelled;
    private final Consumer<Progress> progress;

    private AllocationRequest(Builder b) {
        this.weights = Map.copyOf(b.weights);
        this.timeBudget = b.timeBudget;
        this.seed = b.seed;
        this.cancelled = b.cancelled;
        this.progress = b.progress;
    }

    /** A builder: total cost only, 1 s, seed 1, never cancelled, no progress callback. */
    public static Builder builder() {
        return new Builder();
    }

    /** The objective's weights (objectives not named weigh 0). */
    public Map<Objective, Double> weights() {
        return weights;
    }

    /** How long an allocator may search. */
    public Duration timeBudget() {
        return timeBudget;
    }

    /** The seed of the allocator's random numbers. */
    public long seed() {
        return seed;
    }

    /** Whether the caller has asked the allocator to stop (it returns the best found so far). */
    public boolean isCancelled() {
        return cancelled.getAsBoolean();
    }

    /** Reports progress to the callback, if any (allocators call it when their best improves). */
    public void report(Progress p) {
        if (progress != null) {
            progress.accept(p);
        }
    }

    /**
     * Progress of a search.
     *
     * @param elapsedNanos time since the search started
     * @param iteration    the allocator's own count (generations, solutions found)
     * @param best         the best weighted objective so far (NaN before a feasible one)
     * @param feasible     whether a feasible assignment has been found
     */
    public record Progress(long elapsedNanos, long iteration, double best, boolean feasible) {
    }

    /** Builds an {@link AllocationRequest}; setters check their values at once. */
    public static final class Builder {
        private final Map<Objective, Double> weights = new EnumMap<>(Objective.class);
        private Duration timeBudget = Duration.ofSeconds(1);
        private long seed = 1;
        private BooleanSupplier cancelled = () -> false;
        private Consumer<Progress> progress;

        private Builder() {
            weights.put(Objective.TOTAL_COST, 1.0);
        }

        /**
         * Replaces the weights: minimise Σ weight × objective (1 − utilization for utilization).
         *
         * @throws IllegalArgumentException naming {@code weights} if empty, or a weight is negative or
         *                                  not finite, or all are 0
         */
        public Builder weights(Map<Objective, Double> weights) {
            Objects.requireNonNull(weights, "weights");
            double sum = 0;
            for (Map.Entry<Objective, Double> e : weights.entrySet()) {
                double w = Objects.requireNonNull(e.getValue(), "weights[" + e.getKey() + "]");
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("weights[" + e.getKey() + "] must be finite and not negative: " + w);
                }
                sum += w;
            }
            if (!(sum > 0)) {
                throw new IllegalArgumentException("weights must give some objective a positive weight: " + weights);
            }
            this.weights.clear();
            this.weights.putAll(weights);
            return this;
        }

        /** One objective alone. */
        public Builder objective(Objective objective) {
            return weights(Map.of(Objects.requireNonNull(objective, "objective"), 1.0));
        }

        /** @throws IllegalArgumentException naming {@code timeBudget} unless between 1 ms and 1 day */
        public Builder timeBudget(Duration budget) {
            Objects.requireNonNull(budget, "timeBudget");
            if (budget.compareTo(Duration.ofMillis(1)) < 0 || budget.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("timeBudget must be between 1 ms and 1 day: " + budget);
            }
            this.timeBudget = budget;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** A check the allocator polls; when it answers true the allocator stops with its best so far. */
        public Builder cancellation(BooleanSupplier cancelled) {
            this.cancelled = Objects.requireNonNull(cancelled, "cancellation");
            return this;
        }

        /** Called (on the allocating thread) when the allocator's best improves. */
        public Builder progress(Consumer<Progress> progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        public AllocationRequest build() {
            return new AllocationRequest(this);
        }
    }
}
