package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.PlacementPolicies;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.RebalancePolicies;
import io.github.loadstar.core.spi.RebalancePolicy;
import io.github.loadstar.core.spi.StealPolicies;
import io.github.loadstar.core.spi.StealPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Live reconfiguration: validated whole, versioned, serialised, and each setting takes effect. */
@Timeout(60)
final class ReconfigurationTest {

    @Test
    void invalidValuesAreRefusedByNameAndTheOldSettingsStay() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).build()) {
            SchedulerSettings before = s.settings();
            assertEquals(1, before.version());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.reconfigure(x -> x.withStealBatchLimit(8).withStealBatchLimit(0)));
            assertTrue(e.getMessage().contains("stealBatchLimit"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.reconfigure(x -> x.withStealBatchLimit(1_025)));
            assertTrue(e.getMessage().contains("stealBatchLimit"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> s.reconfigure(x -> x.withRebalanceInterval(Duration.ofNanos(10))));
            assertTrue(e.getMessage().contains("rebalanceInterval"), e.getMessage());
            NullPointerException npe = assertThrows(NullPointerException.class, () -> s.reconfigure(x -> x.withStealPolicy(null)));
            assertTrue(npe.getMessage().contains("stealPolicy"), npe.getMessage());
            npe = assertThrows(NullPointerException.class, () -> s.reconfigure(x -> x.withPlacementPolicy(null)));
            assertTrue(npe.getMessage().contains("placementPolicy"), npe.getMessage());
            npe = assertThrows(NullPointerException.class, () -> s.reconfigure(x -> x.withRebalancePolicy(null)));
            assertTrue(npe.getMessage().contains("rebalancePolicy"), npe.getMessage());
            assertThrows(NullPointerException.class, () -> s.reconfigure(x -> null));
            assertThrows(NullPointerException.class, () -> s.reconfigure(null));
            assertSame(before, s.settings(), "every refused change left the settings in force");
            // a change that changes nothing keeps the version
            SchedulerSettings.Change none = s.reconfigure(x -> x.withStealBatchLimit(x.stealBatchLimit()));
            assertTrue(none.changed().isEmpty());
            assertEquals(1, s.settings().version());
        }
    }

    @Test
    void concurrentReconfigurationsAreSerialised() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).stealBatchLimit(1).build()) {
            int threads = 8;
            int each = 50;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        SchedulerSettings.Change c = s.reconfigure(x -> x.withStealBatchLimit(x.stealBatchLimit() + 1));
                        assertEquals(List.of("stealBatchLimit"), c.changed());
                        assertEquals(c.previous().version() + 1, c.current().version());
                        assertEquals(c.previous().stealBatchLimit() + 1, c.current().stealBatchLimit());
                    }
                });
                w.start();
                workers.add(w);
            }
            go.countDown();
            for (Thread w : workers) {
                w.join(30_000);
            }
            assertEquals(1 + threads * each, s.settings().stealBatchLimit(), "no increment was lost");
            assertEquals(1 + threads * each, s.settings().version());
        }
    }

    /** A new placement policy places the next external task. */
    @Test
    void placementTakesEffect() throws Exception {
        AtomicInteger lastAgent = new AtomicInteger(-2);
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onSubmitted(Object task, TaskOptions options, int agent) {
                lastAgent.set(agent);
            }
        };
        try (Scheduler s = Scheduler.builder().agents(3).listener(listener).build()) {
            PlacementPolicy onTwo = new PlacementPolicy() {
                @Override
                public int place(TaskOptions options, AgentLoads loads, int random) {
                    return 2;
                }

                @Override
                public String name() {
                    return "two";
                }
            };
            SchedulerSettings.Change c = s.reconfigure(x -> x.withPlacementPolicy(onTwo));
            assertEquals(List.of("placementPolicy"), c.changed());
            for (int i = 0; i < 20; i++) {
                s.submit(() -> { }).get(10, TimeUnit.SECONDS);
                assertEquals(2, lastAgent.get());
            }
            s.reconfigure(x -> x.withPlacementPolicy(PlacementPolicies.roundRobin()));
            boolean elsewhere = false;
            for (int i = 0; i < 20 && !elsewhere; i++) {
                s.submit(() -> { }).get(10, TimeUnit.SECONDS);
                elsewhere = lastAgent.get() != 2;
            }
            assertTrue(elsewhere, "round-robin placed every task on agent 2");
        }
    }

    /** A new steal policy is asked by the next search; a new batch limit bounds the next steal. */
    @Test
    void stealPolicyAndBatchLimitTakeEffect() throws Exception {
        AtomicLong asked = new AtomicLong();
        StealPolicy counting = new StealPolicy() {
            @Override
            public int selectVictims(int thief, AgentLoads loads, int random, int[] victims) {
                asked.incrementAndGet();
                return StealPolicies.threshold().selectVictims(thief, loads, random, victims);
            }

            @Override
            public String name() {
                return "counting";
            }
        };
        AtomicInteger largestSteal = new AtomicInteger();
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onStolen(int thief, int victim, int tasks) {
                largestSteal.accumulateAndGet(tasks, Math::max);
            }
        };
        try (Scheduler s = Scheduler.builder().agents(2).listener(listener).placementPolicy(AllOnAgentZero.INSTANCE).build()) {
            s.reconfigure(x -> x.withStealPolicy(counting).withStealBatchLimit(1));
            // agent 0 blocked, 200 tasks in its inbox: agent 1 takes them by steals of one task each
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            s.execute(() -> {
                started.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            CountDownLatch done = new CountDownLatch(200);
            for (int i = 0; i < 200; i++) {
                s.execute(done::countDown);
            }
            assertTrue(done.await(10, TimeUnit.SECONDS), "agent 1 stole every task");
            // the sweep before parking takes work behind a busy agent without asking the policy, so
            // agent 1 may have taken all 200 that way: give its searches more work until one asks
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (asked.get() == 0 && System.nanoTime() - deadline < 0) {
                CountDownLatch more = new CountDownLatch(20);
                for (int i = 0; i < 20; i++) {
                    s.execute(more::countDown);
                }
                assertTrue(more.await(10, TimeUnit.SECONDS));
            }
            gate.countDown();
            assertTrue(asked.get() > 0, "the new steal policy was asked");
            assertEquals(1, largestSteal.get(), "steal batch limit 1: every steal took one task");
        }
    }

    /** Rebalancing turned on at run time starts the coordinator's rounds (history off: no thread until then). */
    @Test
    void rebalancingTurnedOnTakesEffect() throws Exception {
        AtomicLong rounds = new AtomicLong();
        RebalancePolicy counting = new RebalancePolicy() {
            @Override
            public void plan(AgentLoads loads, Moves moves) {
                rounds.incrementAndGet();
            }

            @Override
            public String name() {
                return "counting";
            }
        };
        try (Scheduler s = Scheduler.builder().agents(2).name("late-rebalance")
                .coordinator(CoordinatorConfig.builder().historyInterval(Duration.ZERO).build()).build()) {
            assertTrue(RebalancePolicies.off() == s.settings().rebalancePolicy());
            s.reconfigure(x -> x.withRebalancePolicy(counting).withRebalanceInterval(Duration.ofMillis(2)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rounds.get() < 5) {
                assertTrue(System.nanoTime() - deadline < 0, "the new rebalance policy was never asked");
                Thread.sleep(2);
            }
            s.reconfigure(x -> x.withRebalancePolicy(RebalancePolicies.off()));
            Thread.sleep(20);
            long after = rounds.get();
            Thread.sleep(50);
            assertEquals(after, rounds.get(), "rebalancing turned off: no more rounds");
        }
    }
}
