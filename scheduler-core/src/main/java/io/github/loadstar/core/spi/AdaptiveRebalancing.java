package io.github.loadstar.core.spi;

/**
 * The adaptive rule of {@link RebalancePolicies#adaptive()}: the threshold rule with a tolerance and
 * a period that it tunes itself, round by round, from the imbalance it sees and from whether its moves
 * paid. With {@code c} the coefficient of variation of the accepting agents' loads this round:
 * <ul>
 *   <li><b>balanced</b> ({@code c ≤ tolerance}, or less than one task queued per agent on average):
 *       no move, and the next round comes twice as late, up to {@value #MAX_SLOWDOWN} × the
 *       configured interval — a steady, balanced scheduler is looked at rarely;</li>
 *   <li><b>imbalanced</b>: the threshold rule moves work, and the next round comes after the
 *       configured interval. If {@value #PATIENCE} rounds in a row moved work and {@code c} did not
 *       fall by a tenth from one to the next, the moves do not pay (they cost more than they save,
 *       or the imbalance is re-created as fast as it is removed): the tolerance grows by half, up to
 *       0.9. When {@code c} falls, the tolerance eases back by a tenth toward its base.</li>
 * </ul>
 * So it converges: under a steady workload the period grows to its maximum and moves stop; a new
 * skew brings the period back to the configured interval at the next round.
 */
final class AdaptiveRebalancing implements RebalancePolicy {
    static final int MAX_SLOWDOWN = 16;
    /** Rounds of moves without progress before the tolerance grows. */
    static final int PATIENCE = 3;

    private final double base;
    private final ThresholdRebalancing rule;
    private int slowdown = 1;
    private boolean movedLastRound;
    private double lastCov = Double.NaN;
    /** Consecutive rounds that moved work without the imbalance falling by a tenth. */
    private int fruitless;

    AdaptiveRebalancing(double base) {
        this.base = base;
        this.rule = new ThresholdRebalancing(base);
    }

    @Override
    public void plan(AgentLoads loads, Moves moves) {
        int n = loads.agentCount();
        double sum = 0;
        double squares = 0;
        int accepting = 0;
        for (int i = 0; i < n; i++) {
            if (loads.accepting(i)) {
                double l = loads.load(i);
                sum += l;
                squares += l * l;
                accepting++;
            }
        }
        double mean = accepting == 0 ? 0 : sum / accepting;
        double cov = mean <= 0 ? 0 : Math.sqrt(Math.max(0, squares / accepting - mean * mean)) / mean;
        if (accepting < 2 || mean < 1 || cov <= rule.tolerance) {
            slowdown = Math.min(MAX_SLOWDOWN, slowdown * 2);
            movedLastRound = false;
            lastCov = cov;
            return;
        }
        slowdown = 1;
        if (movedLastRound && !Double.isNaN(lastCov)) {
            if (cov > lastCov * 0.9) {
                // orders are carried out between the receivers' tasks, so a round may come before the
                // last one's moves landed: only three fruitless rounds in a row count
                if (++fruitless >= PATIENCE) {
                    rule.tolerance = Math.min(0.9, rule.tolerance * 1.5);
                    fruitless = 0;
                }
            } else {
                fruitless = 0;
                rule.tolerance = Math.max(base, rule.tolerance * 0.9);
            }
        }
        boolean[] moved = {false};
        rule.plan(loads, (from, to, tasks) -> {
            moved[0] = true;
            moves.move(from, to, tasks);
        });
        movedLastRound = moved[0];
        lastCov = cov;
    }

    @Override
    public long nextIntervalNanos(long configuredNanos) {
        return configuredNanos * slowdown;
    }

    /** The tolerance in force now. */
    double tolerance() {
        return rule.tolerance;
    }

    /** The tolerance it was made with, which it tunes from and eases back to. */
    double base() {
        return base;
    }

    @Override
    public String name() {
        return "adaptive";
    }

    @Override
    public String toString() {
        return "adaptive(tolerance " + rule.tolerance + ", base " + base + ", period ×" + slowdown + ")";
    }
}
