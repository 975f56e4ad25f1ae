package io.github.loadstar.core.spi;

import java.util.Arrays;

/** The threshold rule of {@link RebalancePolicies#threshold(double)}; see there. */
final class ThresholdRebalancing implements RebalancePolicy {
    /** Mutable for AdaptiveRebalancing, which tunes it between rounds (same thread). */
    double tolerance;
    private boolean[] receivedLastRound = new boolean[0];

    ThresholdRebalancing(double tolerance) {
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
