package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.metrics.BottleneckAnalysis;
import io.github.loadstar.core.metrics.Finding;
import io.github.loadstar.core.spi.AgentBreaker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each bottleneck finding: a scenario that produces it with its evidence, and a healthy one that does not. */
@Timeout(60)
final class BottleneckAnalysisTest {
    private static final Duration WINDOW = Duration.ofMillis(80);

    private static Scheduler scheduler(int agents, SchedulerBuilder extra) {
        return extra.agents(agents).coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(10)).build())
                .build();
    }

    private static Runnable spin(long nanos, CountDownLatch done) {
        return () -> {
            long until = System.nanoTime() + nanos;
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
            done.countDown();
        };
    }

    private static List<Finding> of(List<Finding> all, Finding.Kind kind) {
        return all.stream().filter(f -> f.kind() == kind).toList();
    }

    @Test
    void anIdleSchedulerHasNoFindings() throws Exception {
        try (Scheduler s = scheduler(4, Scheduler.builder())) {
            Thread.sleep(120);
            assertEquals(List.of(), s.bottlenecks(WINDOW));
        }
    }

    /** Work pinned to agent 0 cannot be stolen: agent 0 overloaded, the others idle — CRITICAL. */
    @Test
    void pinnedWorkOnOneAgentIsAnOverloadedAgent() throws Exception {
        Scheduler s = scheduler(4, Scheduler.builder());
        try {
            CountDownLatch done = new CountDownLatch(200);
            TaskOptions onZero = TaskOptions.builder().pinnedTo(0).build();
            for (int i = 0; i < 200; i++) {
                s.execute(spin(2_000_000, done), onZero);
            }
            Thread.sleep(120);
            List<Finding> found = of(s.bottlenecks(WINDOW), Finding.Kind.OVERLOADED_AGENT);
            assertEquals(1, found.size(), found.toString());
            Finding f = found.get(0);
            assertEquals("agents: agent 0", f.component());
            assertEquals(Finding.Severity.CRITICAL, f.severity(), f.toString());
            Map<String, Double> e = f.evidence();
            assertTrue(e.get("agentLoad") > 2 * e.get("meanLoad"), e.toString());
            assertEquals(0.0, e.get("stealsFromAgentInWindow"));
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void movableWorkIsNotAnOverloadedAgent() throws Exception {
        Scheduler s = scheduler(4, Scheduler.builder().placementPolicy(AllOnAgentZero.INSTANCE));
        try {
            CountDownLatch done = new CountDownLatch(200);
            for (int i = 0; i < 200; i++) {
                s.execute(spin(2_000_000, done));   // all placed on agent 0, but movable: the others steal
            }
            Thread.sleep(120);
            assertEquals(List.of(), of(s.bottlenecks(WINDOW), Finding.Kind.OVERLOADED_AGENT));
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Tasks that sleep hold both agents while using no CPU, and 200 wait: blocking tasks. */
    @Test
    void sleepingTasksAreBlockingTasks() throws Exception {
        Scheduler s = scheduler(2, Scheduler.builder());
        try {
            for (int i = 0; i < 200; i++) {
                s.execute(() -> {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            Thread.sleep(120);
            List<Finding> found = of(s.bottlenecks(WINDOW), Finding.Kind.BLOCKING_TASKS);
            assertEquals(1, found.size(), found.toString() + "\n" + s.metrics());
            Map<String, Double> e = found.get(0).evidence();
            assertTrue(e.get("utilizationInWindow") >= 0.8, e.toString());
            assertTrue(e.get("blockedShareOfSamples") >= 0.5, e.toString());
            assertTrue(e.get("cpuSecondsPerBusySecond") <= 0.3, e.toString());     // sleeping costs no CPU
            assertTrue(e.get("meanQueuedInWindow") >= 2, e.toString());
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** The same load spinning on the CPU is busy, not blocked. */
    @Test
    void busyTasksAreNotBlockingTasks() throws Exception {
        Scheduler s = scheduler(2, Scheduler.builder());
        try {
            CountDownLatch done = new CountDownLatch(200);
            for (int i = 0; i < 200; i++) {
                s.execute(spin(2_000_000, done));
            }
            Thread.sleep(120);
            assertEquals(List.of(), of(s.bottlenecks(WINDOW), Finding.Kind.BLOCKING_TASKS));
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /**
     * One agent keeps up with a task of 0.5 ms every 2 ms (deadline 20 ms) for 80 ms; then 300 arrive
     * at once and most finish late: the misses grow over the window. The control keeps the pace.
     */
    @Test
    void anOverloadMakesDeadlineMissesGrow() throws Exception {
        for (boolean overload : new boolean[] {false, true}) {
            Scheduler s = scheduler(1, Scheduler.builder());
            try {
                TaskOptions due = TaskOptions.builder().deadline(Duration.ofMillis(20)).build();
                CountDownLatch done = new CountDownLatch(1_000);
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(80);
                while (System.nanoTime() - end < 0) {
                    s.execute(spin(500_000, done), due);
                    Thread.sleep(2);
                }
                if (overload) {
                    for (int i = 0; i < 300; i++) {
                        s.execute(spin(500_000, done), due);
                    }
                    Thread.sleep(70);
                } else {
                    end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(70);
                    while (System.nanoTime() - end < 0) {
                        s.execute(spin(500_000, done), due);
                        Thread.sleep(2);
                    }
                }
                List<Finding> found = of(s.bottlenecks(Duration.ofMillis(140)), Finding.Kind.DEADLINE_MISSES_GROWING);
                if (overload) {
                    assertEquals(1, found.size(), found.toString() + "\n" + s.metrics());
                    Map<String, Double> e = found.get(0).evidence();
                    assertTrue(e.get("missedSecondHalf") >= 10, e.toString());
                    assertTrue(e.get("missRateSecondHalf") >= 2 * e.get("missRateFirstHalf"), e.toString());
                } else {
                    assertEquals(List.of(), found, "the control kept its pace\n" + s.metrics());
                }
            } finally {
                s.shutdownNow();
                assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
    }

    /** Every task placed on no agent waits in the shared queue; placed on agents, it waits in their inboxes. */
    @Test
    void workPlacedOnNoAgentWaitsInTheSharedQueue() throws Exception {
        io.github.loadstar.core.spi.PlacementPolicy nowhere = new io.github.loadstar.core.spi.PlacementPolicy() {
            @Override
            public int place(TaskOptions options, io.github.loadstar.core.spi.AgentLoads loads, int random) {
                return ANY_AGENT;
            }

            @Override
            public String name() {
                return "nowhere";
            }
        };
        for (boolean shared : new boolean[] {false, true}) {
            Scheduler s = scheduler(2, shared ? Scheduler.builder().placementPolicy(nowhere) : Scheduler.builder());
            try {
                CountDownLatch done = new CountDownLatch(600);
                for (int i = 0; i < 600; i++) {
                    s.execute(spin(1_000_000, done));
                }
                Thread.sleep(120);
                List<Finding> found = of(s.bottlenecks(WINDOW), Finding.Kind.SHARED_QUEUE_BOTTLENECK);
                if (shared) {
                    assertEquals(1, found.size(), found.toString() + "\n" + s.metrics());
                    assertTrue(found.get(0).evidence().get("meanSharedQueuedInWindow") >= 64, found.toString());
                } else {
                    assertEquals(List.of(), found, s.metrics().toString());
                }
            } finally {
                s.shutdownNow();
                assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
    }

    /** FIFO, one agent: 300 tasks of "heavy" queued before 50 of "light" — light waits, unserved. */
    @Test
    void aTenantQueuedBehindAnotherIsStarved() throws Exception {
        Scheduler s = scheduler(1, Scheduler.builder());
        try {
            CountDownLatch done = new CountDownLatch(350);
            TaskOptions heavy = TaskOptions.builder().tenant("heavy").build();
            TaskOptions light = TaskOptions.builder().tenant("light").build();
            for (int i = 0; i < 300; i++) {
                s.execute(spin(1_000_000, done), heavy);
            }
            for (int i = 0; i < 50; i++) {
                s.execute(spin(1_000_000, done), light);
            }
            Thread.sleep(200);
            List<Finding> found = of(s.bottlenecks(Duration.ofMillis(180)), Finding.Kind.STARVED_TENANT);
            assertEquals(1, found.size(), found.toString());
            assertEquals("tenants: tenant light", found.get(0).component());
            assertEquals(Finding.Severity.CRITICAL, found.get(0).severity());
            assertTrue(found.get(0).evidence().get("ratio") < 0.1, found.toString());
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void interleavedTenantsAreNotStarved() throws Exception {
        Scheduler s = scheduler(1, Scheduler.builder());
        try {
            CountDownLatch done = new CountDownLatch(300);
            for (int i = 0; i < 300; i++) {
                s.execute(spin(1_000_000, done), TaskOptions.builder().tenant(i % 2 == 0 ? "heavy" : "light").build());
            }
            Thread.sleep(200);
            assertEquals(List.of(), of(s.bottlenecks(Duration.ofMillis(180)), Finding.Kind.STARVED_TENANT));
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** A breaker that stays open on agent 1 (of 2): WARNING, with its state as evidence. */
    @Test
    void anOpenBreakerIsFound() throws Exception {
        try (Scheduler s = scheduler(2, Scheduler.builder().agentBreakers((agent, name) -> agent == 1
                ? new StuckBreaker("OPEN") : new StuckBreaker("CLOSED")))) {
            assertEquals(42, s.submit(() -> 42).get(10, TimeUnit.SECONDS));
            List<Finding> found = of(s.bottlenecks(WINDOW), Finding.Kind.BREAKER_OPEN);
            assertEquals(1, found.size(), found.toString());
            assertEquals("breakers: agent 1", found.get(0).component());
            assertEquals(Finding.Severity.WARNING, found.get(0).severity());
            assertEquals(1.0, found.get(0).evidence().get("open"));
        }
        try (Scheduler s = scheduler(2, Scheduler.builder().agentBreakers((agent, name) -> new StuckBreaker("CLOSED")))) {
            assertEquals(List.of(), s.bottlenecks(WINDOW));
        }
    }

    @Test
    void badInputIsRefused() {
        assertThrows(NullPointerException.class, () -> BottleneckAnalysis.analyze(null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Finding(Finding.Kind.BREAKER_OPEN, Finding.Severity.INFO,
                "breakers", Map.of(), "nothing"));
    }

    /** A breaker that never changes state: CLOSED admits everything, OPEN nothing. */
    private static final class StuckBreaker implements AgentBreaker {
        private final String state;

        StuckBreaker(String state) {
            this.state = state;
        }

        @Override
        public long tryAcquire() {
            return "OPEN".equals(state) ? NOT_PERMITTED : 0;
        }

        @Override
        public void onSuccess(long permit, long runNanos) {
        }

        @Override
        public void onFailure(long permit, long runNanos, Throwable error) {
        }

        @Override
        public void release(long permit) {
        }

        @Override
        public boolean admitsWork() {
            return !"OPEN".equals(state);
        }

        @Override
        public long nanosUntilTrials() {
            return "OPEN".equals(state) ? Long.MAX_VALUE : 0;
        }

        @Override
        public String state() {
            return state;
        }

        @Override
        public void onTransition(TransitionObserver observer) {
        }
    }
}
