package io.github.loadstar.core.spi;

import java.util.Arrays;

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

    /** No rebalancing: stealing alone balances the load (the default). */
    public static RebalancePolicy off() {
        return OFF;
    }

    /** {@link #threshold(double)} with a tolerance of {@value #DEFAULT_TOLERANCE}. */
    public static RebalancePolicy threshold() {
        return threshold(DEFAULT_TOLERANCE);
    }

    /**
     * The threshold rule. Over the accepting agents, with {@code m} the mean load (queued cost per
     * unit of capacity): an agent is <em>overloaded</em> above {@code m × (1 + tolerance)} and
     * <em>underloaded</em> below {@code m × (1 − tolerance)}. Each overloaded agent, most loaded
     * first, gives tasks to underloaded agents, least loaded first, while it is overloaded: to each
     * as many as bring either of the two to the mean, whichever is fewer. Hysteresis: nothing is
     * moved past the mean, so a move never makes its receiver overloaded; an agent receives at most
     * one order a round and, having received, gives none in that round or the next; an agent keeps
     * at least one of its queued tasks.
     *
     * @throws IllegalArgumentException if {@code tolerance} is not in (0, 1)
     */
    public static RebalancePolicy threshold(double tolerance) {
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in (0, 1): " + tolerance);
        }
        return new Threshold(tolerance);
    }

    private static final class Threshold implements RebalancePolicy {
        private final double tolerance;
        private boolean[] receivedLastRound = new boolean[0];

        Threshold(double tolerance) {
            this.tolerance = tolerance;
        }

        @Override
        public void plan(AgentLoads loads, Moves moves) {
            int n = loads.agentCount();
            if (receivedLastRound.length != n) {
                receivedLastRound = new boolean[n];
            }
            double[] load = new double[n];
            double sum = 0;
            int accepting = 0;
            for (int i = 0; i < n; i++) {
                if (loads.accepting(i)) {
                    load[i] = loads.load(i);
                    sum += load[i];
                    accepting++;
                }
            }
            boolean[] received = new boolean[n];
            if (accepting >= 2 && sum > 0) {
                double mean = sum / accepting;
                Integer[] byLoad = new Integer[n];
                for (int i = 0; i < n; i++) {
                    byLoad[i] = i;
                }
                Arrays.sort(byLoad, (a, b) -> Double.compare(load[b], load[a]));
                for (int giver : byLoad) {
                    if (!loads.accepting(giver) || receivedLastRound[giver] || received[giver]
                            || loads.backlog(giver) < 2) {
                        continue;
                    }
                    int left = loads.backlog(giver) - 1;
                    while (left > 0 && load[giver] > mean * (1 + tolerance)) {
                        int taker = -1;     // the least loaded underloaded agent without an order this round
                        for (int i = 0; i < n; i++) {
                            if (i != giver && !received[i] && loads.accepting(i) && load[i] < mean * (1 - tolerance)
                                    && (taker < 0 || load[i] < load[taker])) {
                                taker = i;
                            }
                        }
                        if (taker < 0) {
                            break;
                        }
                        double giverExcess = (load[giver] - mean) * loads.capacity(giver);
                        double takerRoom = (mean - load[taker]) * loads.capacity(taker);
                        int tasks = (int) Math.min(Math.min(giverExcess, takerRoom), left);
                        if (tasks <= 0) {
                            break;
                        }
                        moves.move(giver, taker, tasks);
                        load[giver] -= tasks / loads.capacity(giver);
                        load[taker] += tasks / loads.capacity(taker);
                        left -= tasks;
                        received[taker] = true;
                    }
                }
            }
            receivedLastRound = received;
        }

        @Override
        public String name() {
            return "threshold";
        }

        @Override
        public String toString() {
            return "threshold(" + tolerance + ")";
        }
    }
}
