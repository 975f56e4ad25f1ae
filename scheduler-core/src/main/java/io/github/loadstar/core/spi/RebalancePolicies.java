package io.github.loadstar.core.spi;

/** The built-in {@link RebalancePolicy rebalancing policies}. */
public final class RebalancePolicies {
    /** The tolerance of {@link #threshold()}. */
    public static final double DEFAULT_TOLERANCE = 0.25;

    private static final RebalancePolicy OFF = new RebalancePolicy() {
        @Override
        public void plan(AgentLoads loads, Moves moves) {
        }

        @Override
        public String name() {
            return "off";
        }

        @Override
        public boolean isOff() {
            return true;
        }

        @Override
        public String toString() {
            return name();
        }
    };

    private RebalancePolicies() {
    }

    /**
     * A stock policy by its text: {@code off}, {@code threshold}, {@code threshold:<tolerance>},
     * {@code adaptive} or {@code adaptive:<base tolerance>} (what {@link #describe} writes). A new
     * instance each time (the adaptive one keeps state).
     *
     * @throws IllegalArgumentException naming {@code rebalancePolicy} (and its {@code tolerance}) if the text names none
     */
    public static RebalancePolicy byName(String text) {
        String t = text == null ? "" : text.trim();
        switch (t) {
            case "off":
                return off();
            case "threshold":
                return threshold();
            case "adaptive":
                return adaptive();
            default:
                break;
        }
        try {
            if (t.startsWith("threshold:")) {
                return threshold(ParameterText.decimal("tolerance", t.substring("threshold:".length())));
            }
            if (t.startsWith("adaptive:")) {
                return adaptive(ParameterText.decimal("tolerance", t.substring("adaptive:".length())));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rebalancePolicy " + t + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("rebalancePolicy must be off, threshold, threshold:<tolerance>, adaptive or "
                + "adaptive:<tolerance>: " + text);
    }

    /** The text {@link #byName} reads back to an equal policy; a policy of the user's own: its name. */
    public static String describe(RebalancePolicy policy) {
        if (policy instanceof ThresholdRebalancing) {
            return "threshold:" + ((ThresholdRebalancing) policy).tolerance;
        }
        if (policy instanceof AdaptiveRebalancing) {
            return "adaptive:" + ((AdaptiveRebalancing) policy).base();
        }
        return policy.name();
    }

    /** No rebalancing: stealing alone balances the load (the default). */
    public static RebalancePolicy off() {
        return OFF;
    }

    /** {@link #adaptive(double)} with a base tolerance of {@value #DEFAULT_TOLERANCE}. */
    public static RebalancePolicy adaptive() {
        return adaptive(DEFAULT_TOLERANCE);
    }

    /**
     * The threshold rule with a tolerance (from {@code baseTolerance}) and a period that it tunes
     * itself from the imbalance it sees and from whether its moves pay; see {@code AdaptiveRebalancing}
     * (and docs/operations.md) for the rule. A new instance per scheduler: it keeps state.
     *
     * @throws IllegalArgumentException if {@code baseTolerance} is not in (0, 1)
     */
    public static RebalancePolicy adaptive(double baseTolerance) {
        if (!(baseTolerance > 0 && baseTolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in (0, 1): " + baseTolerance);
        }
        return new AdaptiveRebalancing(baseTolerance);
    }

    /** {@link #threshold(double)} with a tolerance of {@value #DEFAULT_TOLERANCE}. */
    public static RebalancePolicy threshold() {
        return threshold(DEFAULT_TOLERANCE);
    }

    /**
     * The threshold rule. Over the accepting agents, a load is queued cost per unit of capacity, and
     * {@code m} — the mean — is the load every agent would have with the queued work spread in
     * proportion to capacity (total queued cost / total capacity; moves keep it fixed). An agent is
     * <em>overloaded</em> above {@code m × (1 + tolerance)} and <em>underloaded</em> below
     * {@code m × (1 − tolerance)}. While an agent is overloaded or one is underloaded, the most
     * loaded agent above the mean gives to the least loaded agent below it as many tasks as bring
     * either of the two to the mean, whichever is fewer. So a round ends with every agent within the
     * tolerance of the mean (with equal capacities: a coefficient of variation of load at most the
     * tolerance) unless the hysteresis stops it: nothing is moved past the mean, so a move never
     * makes its receiver a giver; an agent receives at most one order a round and, having received,
     * gives none in that round or the next; an agent keeps at least one of its queued tasks.
     *
     * @throws IllegalArgumentException if {@code tolerance} is not in (0, 1)
     */
    public static RebalancePolicy threshold(double tolerance) {
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in (0, 1): " + tolerance);
        }
        return new ThresholdRebalancing(tolerance);
    }
}
