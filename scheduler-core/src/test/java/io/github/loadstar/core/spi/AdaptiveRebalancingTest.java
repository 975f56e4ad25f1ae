package io.github.loadstar.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The adaptive rule on synthetic loads, round by round: its period and its tolerance follow the rule it documents. */
final class AdaptiveRebalancingTest {

    /** Loads fixed by the test: what the policy sees each round. */
    private static final class Loads implements AgentLoads {
        double[] load;

        Loads(double... load) {
            this.load = load;
        }

        @Override
        public int agentCount() {
            return load.length;
        }

        @Override
        public int backlog(int agent) {
            return (int) load[agent];
        }

        @Override
        public double capacity(int agent) {
            return 1;
        }

        @Override
        public double load(int agent) {
            return load[agent];
        }

        @Override
        public boolean accepting(int agent) {
            return true;
        }
    }

    @Test
    void balancedLoadsSlowItDownToSixteenTimesAndASkewBringsItBack() {
        AdaptiveRebalancing p = new AdaptiveRebalancing(0.25);
        Loads loads = new Loads(10, 10, 10, 10);
        long[] periods = new long[6];
        for (int i = 0; i < periods.length; i++) {
            p.plan(loads, (from, to, tasks) -> {
                throw new AssertionError("a balanced round moved work");
            });
            periods[i] = p.nextIntervalNanos(1_000);
        }
        assertEquals(List.of(2_000L, 4_000L, 8_000L, 16_000L, 16_000L, 16_000L),
                List.of(periods[0], periods[1], periods[2], periods[3], periods[4], periods[5]));
        loads.load = new double[] {100, 10, 10, 10};
        List<int[]> moves = new ArrayList<>();
        p.plan(loads, (from, to, tasks) -> moves.add(new int[] {from, to, tasks}));
        assertEquals(1_000L, p.nextIntervalNanos(1_000), "a skew: back to the configured period at once");
        assertTrue(!moves.isEmpty() && moves.stream().allMatch(m -> m[0] == 0), "work moved off agent 0");
    }

    @Test
    void movesThatDoNotPayRaiseTheToleranceAfterThreeRoundsAndProgressLowersIt() {
        AdaptiveRebalancing p = new AdaptiveRebalancing(0.25);
        Loads loads = new Loads(100, 10, 10, 10);      // the skew comes back whatever is moved
        for (int round = 1; round <= AdaptiveRebalancing.PATIENCE; round++) {
            p.plan(loads, (from, to, tasks) -> { });
            assertEquals(0.25, p.tolerance(), 1e-12, "round " + round + ": still patient");
        }
        p.plan(loads, (from, to, tasks) -> { });
        assertEquals(0.375, p.tolerance(), 1e-12, "three fruitless rounds in a row: tolerance × 1.5");
        loads.load = new double[] {70, 10, 10, 10};     // progress: the CoV falls from 1.20 to 1.04, still skewed
        p.plan(loads, (from, to, tasks) -> { });
        assertEquals(0.3375, p.tolerance(), 1e-12, "progress: tolerance eases back by a tenth");
    }
}
