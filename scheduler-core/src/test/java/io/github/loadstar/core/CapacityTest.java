package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.RebalancePolicies;
import io.github.loadstar.core.spi.StealPolicies;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Capacities 1 : 2 : 4. A capacity is an agent's relative speed: placement and rebalancing give an
 * agent work in proportion to it, so that the queues of agents whose speeds match their capacities
 * drain together. In-process agents are threads of one speed, so the test gives them the speeds
 * their capacities declare (as hardware or remote members would): a task takes
 * {@code 8 ms / capacity} of the agent that runs it (it waits that long). Stealing is off but for the sweep before
 * parking, so what an agent completes is what placement or rebalancing gave it. The shares of
 * completed tasks must follow the capacities within 0.05 of the total (equal shares would miss
 * by 0.19 and 0.24) — a ratio, never a time —
 * also after the capacities are reconfigured.
 */
@Timeout(60)
final class CapacityTest {
    private static final double[] CAPACITIES = {1, 2, 4};
    private static final int TASKS = 700;
    private static final long BASE_NANOS = 8_000_000;
    private static final double TOLERANCE = 0.05;

    @Test
    void placementGivesEachAgentWorkInProportionToItsCapacity() throws Exception {
        try (Scheduler s = Scheduler.builder().capacities(CAPACITIES)
                .stealPolicy(StealPolicies.threshold(1_000_000)).build()) {
            long[] before = completed(s.metrics());
            runBatch(s);
            assertShares(s, before, CAPACITIES);
            // reconfigured to 4 : 2 : 1 (and the agents' speeds with it), the next batch follows
            s.reconfigure(x -> x.withCapacity(0, 4).withCapacity(2, 1));
            before = completed(s.metrics());
            runBatch(s);
            assertShares(s, before, new double[] {4, 2, 1});
        }
    }

    @Test
    void rebalancingSpreadsASkewInProportionToCapacity() throws Exception {
        try (Scheduler s = Scheduler.builder().capacities(CAPACITIES).placementPolicy(AllOnAgentZero.INSTANCE)
                .stealPolicy(StealPolicies.threshold(1_000_000))
                .coordinator(CoordinatorConfig.builder().rebalancePolicy(RebalancePolicies.threshold(0.1))
                        .rebalanceInterval(Duration.ofMillis(5)).build())
                .build()) {
            long[] before = completed(s.metrics());
            runBatch(s);
            assertShares(s, before, CAPACITIES);
        }
    }

    /** Submits a batch of tasks that run at the speed of their agent's capacity, and waits for it. */
    private static void runBatch(Scheduler s) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(TASKS);
        double[] speeds = s.settings().capacities();
        for (int i = 0; i < TASKS; i++) {
            s.execute(() -> {
                // waits rather than spins: three spinning agents on two processors would take each
                // other's time, and a task's length would no longer be its agent's speed
                long until = System.nanoTime() + (long) (BASE_NANOS / speeds[Scheduler.currentAgent()]);
                for (long left; (left = until - System.nanoTime()) > 0; ) {
                    java.util.concurrent.locks.LockSupport.parkNanos(left);
                }
                done.countDown();
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), s.metrics().toString());
        // the completed count is written just after each task
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long[] seen = completed(s.metrics());
        while (System.nanoTime() - until < 0) {
            sleep(5);
            long[] now = completed(s.metrics());
            if (java.util.Arrays.equals(now, seen)) {
                break;
            }
            seen = now;
        }
    }
    private static void assertShares(Scheduler s, long[] before, double[] capacities) {
        SchedulerMetrics m = s.metrics();
        long[] after = completed(m);
        double total = 0;
        double capacityTotal = 0;
        for (int i = 0; i < capacities.length; i++) {
            total += after[i] - before[i];
            capacityTotal += capacities[i];
        }
        assertEquals(TASKS, total, 1, m.toString());
        for (int i = 0; i < capacities.length; i++) {
            double share = (after[i] - before[i]) / total;
            double expected = capacities[i] / capacityTotal;
            assertTrue(Math.abs(share - expected) <= TOLERANCE, "agent " + i + " completed a share of " + share
                    + ", its capacity " + expected + "\n" + m);
        }
    }

    private static long[] completed(SchedulerMetrics m) {
        long[] c = new long[m.agents().size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = m.agents().get(i).completed();
        }
        return c;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
