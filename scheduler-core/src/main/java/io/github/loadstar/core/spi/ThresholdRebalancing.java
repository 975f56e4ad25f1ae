package io.github.loadstar.core.spi;

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
        double work = 0;
        double capacity = 0;
        int accepting = 0;
        for (int i = 0; i < n; i++) {
            if (loads.accepting(i)) {
                load[i] = loads.load(i);
                work += load[i] * loads.capacity(i);
                capacity += loads.capacity(i);
                accepting++;
            }
        }
        boolean[] received = new boolean[n];
        int[] left = new int[n];
        for (int i = 0; i < n; i++) {
            left[i] = loads.accepting(i) && !receivedLastRound[i] ? loads.backlog(i) - 1 : 0;
        }
        if (accepting >= 2 && work > 0) {
            // the load every agent would have with the queued work spread by capacity: moves keep it
            // fixed (an unweighted mean of loads moves when work goes between unequal capacities)
            double mean = work / capacity;
            while (true) {
                int giver = -1;     // the most loaded agent above the mean with tasks to spare
                int taker = -1;     // the least loaded agent below the mean without an order this round
                for (int i = 0; i < n; i++) {
                    if (!loads.accepting(i)) {
                        continue;
                    }
                    if (left[i] > 0 && !received[i] && load[i] > mean && (giver < 0 || load[i] > load[giver])) {
                        giver = i;
                    }
                    if (!received[i] && load[i] < mean && (taker < 0 || load[i] < load[taker])) {
                        taker = i;
                    }
                }
                if (giver < 0 || taker < 0 || giver == taker
                        || (load[giver] <= mean * (1 + tolerance) && load[taker] >= mean * (1 - tolerance))) {
                    break;  // every agent within the tolerance of the mean, or nobody can give or take
                }
                double giverExcess = (load[giver] - mean) * loads.capacity(giver);
                double takerRoom = (mean - load[taker]) * loads.capacity(taker);
                int tasks = (int) Math.min(Math.min(giverExcess, takerRoom), left[giver]);
                if (tasks <= 0) {
                    received[taker] = true;     // less than a task of room here; the next taker may have more
                    continue;
                }
                moves.move(giver, taker, tasks);
                load[giver] -= tasks / loads.capacity(giver);
                load[taker] += tasks / loads.capacity(taker);
                left[giver] -= tasks;
                received[taker] = true;
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
