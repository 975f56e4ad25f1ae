package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.StealPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Agents added, drained and removed while tasks run: the added agent takes work, the removed one
 * hands its queued work to the others and runs what is pinned to it, every task runs exactly once,
 * and bad requests are refused by name with nothing changed.
 */
@Timeout(60)
final class ElasticAgentsTest {

    /** Places every external task on agent 0. */
    private static final PlacementPolicy ON_ZERO = new PlacementPolicy() {
        @Override
        public int place(TaskOptions options, AgentLoads loads, int random) {
            return loads.accepting(0) ? 0 : ANY_AGENT;
        }

        @Override
        public String name() {
            return "on-zero";
        }
    };

    @Test
    void aRemovedAgentHandsItsQueueOverRunsItsPinnedTasksAndLeaves() throws Exception {
        // stealing effectively off, and every agent held by a task of its own while agent 0's queue
        // fills: only agent 0 is let go first, so whatever leaves it leaves because it is removed (with
        // the others free, the sweep before parking could take agent 0's queue before the removal,
        // as steals: seen once in CI, "every task handed over is counted: 0")
        try (Scheduler s = Scheduler.builder().agents(3).placementPolicy(ON_ZERO)
                .stealPolicy(StealPolicies.threshold(1_000_000)).build()) {
            CountDownLatch holdZero = new CountDownLatch(1);
            CountDownLatch holdOthers = new CountDownLatch(1);
            CountDownLatch held = new CountDownLatch(3);
            for (int a = 0; a < 3; a++) {
                s.execute(Gate.holdUntil(held, a == 0 ? holdZero : holdOthers), TaskOptions.builder().pinnedTo(a).build());
            }
            assertTrue(held.await(10, TimeUnit.SECONDS));
            AtomicIntegerArray runs = new AtomicIntegerArray(600);
            int[] ranOn = new int[600];
            try {
                for (int i = 0; i < 500; i++) {
                    int id = i;
                    s.execute(() -> {
                        ranOn[id] = Scheduler.currentAgent();
                        runs.incrementAndGet(id);
                    });
                }
                for (int i = 500; i < 600; i++) {
                    int id = i;
                    s.execute(() -> {
                        ranOn[id] = Scheduler.currentAgent();
                        runs.incrementAndGet(id);
                    }, TaskOptions.builder().pinnedTo(0).build());
                }
                long version = s.settings().version();
                s.removeAgent(0);
                assertEquals(version + 1, s.settings().version());
                assertEquals(0.0, s.settings().capacities()[0]);
                assertEquals(2, s.settings().agentCount());
                // the agent is leaving: a task newly pinned to it is refused
                assertThrows(RejectedExecutionException.class,
                        () -> s.execute(() -> { }, TaskOptions.builder().pinnedTo(0).build()));
                holdZero.countDown();
                waitFor(() -> s.metrics().agents().get(0).state() == AgentState.REMOVED, s);
            } finally {
                holdZero.countDown();
                holdOthers.countDown();
            }
            waitFor(() -> s.metrics().completed() == 603, s);
            for (int i = 0; i < 600; i++) {
                assertEquals(1, runs.get(i), "task " + i);
            }
            for (int i = 500; i < 600; i++) {
                assertEquals(0, ranOn[i], "pinned task " + i + " ran on its agent");
            }
            SchedulerMetrics m = s.metrics();
            AgentMetrics zero = m.agents().get(0);
            // agent 0 held the 500 movable tasks when asked to leave; the others ran them
            long elsewhere = m.agents().get(1).completed() + m.agents().get(2).completed();
            assertTrue(elsewhere >= 300, "moved work ran elsewhere: " + elsewhere + "\n" + m);
            assertTrue(zero.migratedOut() >= 300, "every task handed over is counted: " + zero.migratedOut() + "\n" + m);
            // a removed agent counts in the totals but not in the balance
            assertEquals(603, m.completed());
            assertTrue(m.utilization() > 0, m.toString());
        }
    }

    @Test
    void anAddedAgentTakesWorkAndItsSlotIsReusedAfterARemoval() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(1).maxAgents(3).build()) {
            assertEquals(3, s.agentCount());
            assertEquals(1, s.settings().agentCount());
            assertEquals(1, s.metrics().agents().size(), "empty slots are not listed");
            int added = s.addAgent(2.0);
            assertEquals(1, added);
            assertArrayEquals(new double[] {1.0, 2.0, 0.0}, s.settings().capacities());
            // pinned work proves the new agent's thread runs
            assertEquals(added, (int) s.submit(Scheduler::currentAgent,
                    TaskOptions.builder().pinnedTo(added).build()).get(10, TimeUnit.SECONDS));
            int third = s.addAgent(1.0);
            assertEquals(2, third);
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> s.addAgent(1.0));
            assertTrue(full.getMessage().contains("maxAgents"), full.getMessage());
            s.removeAgent(added);
            waitFor(() -> s.metrics().agents().get(added).state() == AgentState.REMOVED, s);
            assertEquals(added, s.addAgent(4.0), "the freed slot is reused");
            assertEquals(4.0, s.metrics().agents().get(added).capacity());
            assertEquals(added, (int) s.submit(Scheduler::currentAgent,
                    TaskOptions.builder().pinnedTo(added).build()).get(10, TimeUnit.SECONDS));
            // work placed everywhere runs everywhere
            List<TaskFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                futures.add(s.submit(Scheduler::currentAgent));
            }
            for (TaskFuture<Integer> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void badRequestsAreRefusedByNameAndChangeNothing() {
        IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().agents(4).maxAgents(2).build());
        assertTrue(below.getMessage().contains("maxAgents"), below.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Scheduler.builder().maxAgents(0));
        try (Scheduler s = Scheduler.builder().agents(2).maxAgents(3).build()) {
            long version = s.settings().version();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.addAgent(0));
            assertTrue(e.getMessage().contains("capacity"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.addAgent(Double.NaN));
            e = assertThrows(IllegalArgumentException.class, () -> s.removeAgent(3));
            assertTrue(e.getMessage().contains("agent"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.removeAgent(2));
            assertTrue(e.getMessage().contains("not in it"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.reconfigure(x -> x.withCapacity(2, 1.0)));
            assertTrue(e.getMessage().contains("capacities[2]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.reconfigure(x -> x.withCapacity(0, -1)));
            assertTrue(e.getMessage().contains("capacities[0]"), e.getMessage());
            assertEquals(version, s.settings().version(), "nothing changed");
            s.removeAgent(1);
            IllegalStateException last = assertThrows(IllegalStateException.class, () -> s.removeAgent(0));
            assertTrue(last.getMessage().contains("last agent"), last.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.removeAgent(1), "already leaving or gone");
            s.shutdown();
            assertThrows(IllegalStateException.class, () -> s.addAgent(1));
        }
    }

    @Test
    void aCapacityChangeTakesEffectInPlacement() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).build()) {
            SchedulerSettings.Change change = s.reconfigure(x -> x.withCapacity(1, 3.0));
            assertEquals(List.of("capacities"), change.changed());
            assertEquals(3.0, s.metrics().agents().get(1).capacity());
            assertArrayEquals(new double[] {1.0, 3.0}, s.settings().capacities());
        }
    }

    /**
     * The history, the report and the analysis over a window in which agents came and went (the
     * window figures once refused snapshots with different agent counts).
     */
    @Test
    void reportsAndFindingsSpanAgentsThatCameAndWent() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).maxAgents(3)
                .coordinator(CoordinatorConfig.builder().historyInterval(java.time.Duration.ofMillis(10)).build()).build()) {
            runSome(s);
            Thread.sleep(30);
            int added = s.addAgent(1.0);
            runSome(s);
            Thread.sleep(30);
            s.removeAgent(0);
            waitFor(() -> s.metrics().agents().get(0).state() == AgentState.REMOVED, s);
            runSome(s);
            Thread.sleep(30);
            io.github.loadstar.core.metrics.WindowFigures whole = s.history().whole();
            assertTrue(whole.utilization() >= 0 && whole.utilization() <= 1, whole.toString());
            assertTrue(whole.completed() > 0, whole.toString());
            String report = s.report(java.time.Duration.ofMinutes(1)).toDetailedText();
            assertTrue(report.contains("REMOVED"), report);
            assertEquals(List.of(), s.bottlenecks(java.time.Duration.ofMinutes(1)), "a healthy pool has no findings");
            assertEquals(2, s.settings().agentCount());
            assertTrue(added == 2);
        }
    }

    private static void runSome(Scheduler s) throws Exception {
        List<TaskFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(s.submit(Scheduler::currentAgent));
        }
        for (TaskFuture<Integer> f : futures) {
            f.get(10, TimeUnit.SECONDS);
        }
    }

    /** The agent count through reconfigure: one change, one version, agents added and drained. */
    @Test
    void theAgentCountIsASetting() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).maxAgents(4).build()) {
            long version = s.settings().version();
            SchedulerSettings.Change grown = s.reconfigure(x -> x.withAgentCount(4).withCapacity(3, 2.0));
            assertEquals(List.of("capacities"), grown.changed());
            assertEquals(version + 1, s.settings().version());
            assertEquals(4, s.settings().agentCount());
            assertArrayEquals(new double[] {1.0, 1.0, 1.0, 2.0}, s.settings().capacities());
            assertEquals(3, (int) s.submit(Scheduler::currentAgent, TaskOptions.builder().pinnedTo(3).build())
                    .get(10, TimeUnit.SECONDS));
            s.reconfigure(x -> x.withAgentCount(1));
            assertEquals(version + 2, s.settings().version());
            assertArrayEquals(new double[] {1.0, 0, 0, 0}, s.settings().capacities());
            waitFor(() -> s.metrics().agents().stream().filter(a -> a.state() == AgentState.REMOVED).count() == 3, s);
            // refused whole: the count out of range, or more agents than free slots (none, while others leave)
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.reconfigure(x -> x.withAgentCount(5)));
            assertTrue(e.getMessage().startsWith("agentCount"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.reconfigure(x -> x.withAgentCount(0)));
            assertEquals(version + 2, s.settings().version());
            s.reconfigure(x -> x.withAgentCount(2));
            assertEquals(2, s.settings().agentCount());
            runSome(s);
        }
    }

    /**
     * Agents removed while they go to sleep: each must wake and leave. 600 rounds (3,000 under
     * -Dloadstar.stress) of growing to four agents, a short burst of work, and shrinking to one, each
     * removal within 5 s. An agent that decided to park while ACTIVE, and was removed before it counted
     * itself idle, slept on in DRAINING (seen once in CI in theAgentCountIsASetting, "1 DRAINING … 2
     * REMOVED, 3 REMOVED"; this test, before the fix, under stress: "round 106: a removed agent never
     * left").
     */
    @Test
    void agentsRemovedAsTheyParkStillLeave() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(1).maxAgents(4).build()) {
            int rounds = Boolean.getBoolean("loadstar.stress") ? 3_000 : 600;
            for (int round = 0; round < rounds; round++) {
                s.reconfigure(x -> x.withAgentCount(4));
                CountDownLatch done = new CountDownLatch(8);
                for (int k = 0; k < 8; k++) {
                    s.execute(done::countDown);
                }
                assertTrue(done.await(5, TimeUnit.SECONDS));
                if ((round & 1) == 0) {
                    Thread.onSpinWait();        // let some agents reach their park, others not
                } else {
                    Thread.sleep(0, 50_000);
                }
                s.reconfigure(x -> x.withAgentCount(1));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (s.metrics().agents().stream().filter(a -> a.state() == AgentState.REMOVED).count() != 3) {
                    assertTrue(System.nanoTime() - deadline < 0, "round " + round + ": a removed agent never left\n"
                            + s.metrics());
                    Thread.sleep(1);
                }
            }
        }
    }

    /** Shutdown while an agent drains: the scheduler still terminates, and every task ran once. */
    @Test
    void shutdownWhileDrainingTerminates() throws Exception {
        Scheduler s = Scheduler.builder().agents(3).placementPolicy(ON_ZERO).build();
        AtomicIntegerArray runs = new AtomicIntegerArray(300);
        CountDownLatch gate = new CountDownLatch(1);
        for (int i = 0; i < 300; i++) {
            int id = i;
            s.execute(() -> {
                await(gate);
                runs.incrementAndGet(id);
            }, i % 3 == 0 ? TaskOptions.builder().pinnedTo(0).build() : TaskOptions.DEFAULT);
        }
        s.removeAgent(0);
        s.shutdown();
        gate.countDown();
        assertTrue(s.awaitTermination(20, TimeUnit.SECONDS), s.metrics().toString());
        for (int i = 0; i < 300; i++) {
            assertEquals(1, runs.get(i), "task " + i);
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(BooleanSupplier condition, Scheduler s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out:\n" + s.metrics());
            Thread.sleep(2);
        }
    }
}
