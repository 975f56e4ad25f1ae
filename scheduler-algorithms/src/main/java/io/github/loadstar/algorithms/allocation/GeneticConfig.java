package io.github.loadstar.algorithms.allocation;

/**
 * The genetic allocator's parameters; an immutable value, each checked when set.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>population</td><td>20</td><td>members kept</td></tr>
 *   <tr><td>mutations</td><td>1</td><td>genes of each child given a random allowed agent</td></tr>
 *   <tr><td>swaps</td><td>true</td><td>local search tries swaps after shifts (O(n²) a pass)</td></tr>
 *   <tr><td>tabuMoves</td><td>0.1</td><td>moves of the tabu search on each child, per task (0: none)</td></tr>
 *   <tr><td>maxChildren</td><td>unbounded</td><td>stop after this many children</td></tr>
 *   <tr><td>stagnation</td><td>unbounded</td><td>stop after this many children without a new best</td></tr>
 * </table>
 * The request's time budget and cancellation stop it too.
 */
public final class GeneticConfig {
    private static final GeneticConfig DEFAULTS = builder().build();

    private final int population;
    private final int mutations;
    private final boolean swaps;
    private final double tabuMoves;
    private final long maxChildren;
    private final long stagnation;

    private GeneticConfig(Builder b) {
        this.population = b.population;
        this.mutations = b.mutations;
        this.swaps = b.swaps;
        this.tabuMoves = b.tabuMoves;
        this.maxChildren = b.maxChildren;
        this.stagnation = b.stagnation;
    }

    public static GeneticConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int population() {
        return population;
    }

    public int mutations() {
        return mutations;
    }

    public boolean swaps() {
        return swaps;
    }

    /** Moves of the tabu search on each child per task: {@code tabuMoves × tasks} moves, at least one when positive. */
    public double tabuMoves() {
        return tabuMoves;
    }

    public long maxChildren() {
        return maxChildren;
    }

    public long stagnation() {
        return stagnation;
    }

    @Override
    public String toString() {
        return "population " + population + ", mutations " + mutations + (swaps ? ", swaps" : "") + ", tabuMoves " + tabuMoves
                + (maxChildren == Long.MAX_VALUE ? "" : ", maxChildren " + maxChildren)
                + (stagnation == Long.MAX_VALUE ? "" : ", stagnation " + stagnation);
    }

    /** Builds a {@link GeneticConfig}. */
    public static final class Builder {
        private int population = 20;
        private int mutations = 1;
        private boolean swaps = true;
        private double tabuMoves = 0.1;
        private long maxChildren = Long.MAX_VALUE;
        private long stagnation = Long.MAX_VALUE;

        private Builder() {
        }

        /** @throws IllegalArgumentException naming {@code population} unless 2 … 10,000 */
        public Builder population(int population) {
            if (population < 2 || population > 10_000) {
                throw new IllegalArgumentException("population must be between 2 and 10,000: " + population);
            }
            this.population = population;
            return this;
        }

        /** @throws IllegalArgumentException naming {@code mutations} unless 0 … 1,000 */
        public Builder mutations(int mutations) {
            if (mutations < 0 || mutations > 1_000) {
                throw new IllegalArgumentException("mutations must be between 0 and 1,000: " + mutations);
            }
            this.mutations = mutations;
            return this;
        }

        public Builder swaps(boolean swaps) {
            this.swaps = swaps;
            return this;
        }

        /**
         * Moves of the tabu search (penalised, adaptive weights per resource) made on each child
         * before its descent, per task; 0 leaves only the descent.
         *
         * @throws IllegalArgumentException naming {@code tabuMoves} unless 0 … 100 and finite
         */
        public Builder tabuMoves(double tabuMoves) {
            if (!(tabuMoves >= 0 && tabuMoves <= 100)) {
                throw new IllegalArgumentException("tabuMoves must be between 0 and 100: " + tabuMoves);
            }
            this.tabuMoves = tabuMoves;
            return this;
        }

        /** @throws IllegalArgumentException naming {@code maxChildren} unless positive */
        public Builder maxChildren(long maxChildren) {
            if (maxChildren < 1) {
                throw new IllegalArgumentException("maxChildren must be positive: " + maxChildren);
            }
            this.maxChildren = maxChildren;
            return this;
        }

        /** @throws IllegalArgumentException naming {@code stagnation} unless positive */
        public Builder stagnation(long stagnation) {
            if (stagnation < 1) {
                throw new IllegalArgumentException("stagnation must be positive: " + stagnation);
            }
            this.stagnation = stagnation;
            return this;
        }

        public GeneticConfig build() {
            return new GeneticConfig(this);
        }
    }
}
