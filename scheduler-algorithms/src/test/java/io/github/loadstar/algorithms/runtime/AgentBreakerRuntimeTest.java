package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import io.github.loadstar.algorithms.breaker.CircuitBreakers;
import io.github.loadstar.core.AllAgentsOpen;
import io.github.loadstar.core.PinnedOnOpenAgent;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerBuilder;
import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-agent circuit breakers on the real runtime: a failing agent is isolated after exactly its trip
 * threshold of failures, its work goes to the others and nothing is lost, it is probed back in by
 * half-open trials, and the all-open and pinned-task rules do what they say.
 */
@Timeout(60)
final class AgentBreakerRuntimeTest {
    private static final String PREFIX = "breaker-agent-";

    /** Which agent runs the calling task, from the thread name the test gave the agents. */
    private static int currentAgent() {
        String name = Thread.currentThread().getName();
        assertTrue(name.startsWith(PREFIX), name);
        return Integer.parseInt(name.substring(PREFIX.length()));
    }

    /** A breaker-aware test workload: agents listed in {@code broken} fail every task they run. */
    private static final class Outage {
        final AtomicBoolean[] broken;
        final LongAdder[] ran;
        final LongAdder[] failed;

        Outage(int agents) {
            broken = new AtomicBoolean[agents];
            ran = new LongAdder[agents];
            failed = new LongAdder[agents];
            for (int i = 0; i < agents; i++) {
                broken[i] = new AtomicBoolean();
                ran[i] = new LongAdder();
                failed[i] = new LongAdder();
            }
        }

        Runnable task() {
            return () -> {
                int agent = currentAgent();
                ran[agent].increment();
                if (broken[agent].get()) {
                    failed[agent].increment();
                    throw new IllegalStateException("agent " + agent + " is down");
                }
            };
        }
    }

    /** Records breaker transitions per agent, in the order each agent saw them. */
    private static final class Transitions implements SchedulerListener {
        final List<List<String>> byAgent = new ArrayList<>();
        final List<CountDownLatch> opened = new ArrayList<>();
        final List<CountDownLatch> closedAgain = new ArrayList<>();

        Transitions(int agents) {
            for (int i = 0; i < agents; i++) {
                byAgent.add(Collections.synchronizedList(new ArrayList<>()));
                opened.add(new CountDownLatch(1));
                closedAgain.add(new CountDownLatch(1));
            }
        }

        @Override
        public void onBreakerTransition(int agent, String from, String to, String reason) {
            byAgent.get(agent).add(from + "->" + to);
            if (to.equals("OPEN")) {
                opened.get(agent).countDown();
            }
            if (from.equals("HALF_OPEN") && to.equals("CLOSED")) {
                closedAgain.get(agent).countDown();
            }
        }

        long count(int agent, String transition) {
            synchronized (byAgent.get(agent)) {
                return byAgent.get(agent).stream().filter(transition::equals).count();
            }
        }
    }

    private static SchedulerBuilder builder(int agents, CircuitBreakerConfig breaker, Transitions transitions) {
        return Scheduler.builder().name("breakers").agents(agents).threadNamePrefix(PREFIX)
                .agentBreakers(CircuitBreakers.perAgent(breaker)).listener(transitions);
    }

    /** Waits for every future; returns how many failed. */
    private static int awaitAll(List<TaskFuture<?>> futures) throws InterruptedException {
        int failures = 0;
        for (TaskFuture<?> f : futures) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failures++;
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("a task was lost: " + f, e);
            }
        }
        return failures;
    }

    @Test
    void aFailingAgentIsIsolatedAfterItsThresholdAndProbedBackIn() throws Exception {
        int agents = 4;
        Outage outage = new Outage(agents);
        Transitions transitions = new Transitions(agents);
        CircuitBreakerConfig config = CircuitBreakerConfig.builder()
                .consecutiveFailureThreshold(3).failureRateThreshold(100)
                .openDuration(Duration.ofMillis(100))
                .halfOpenTrials(3, 1).halfOpenSuccessThreshold(3)
                .halfOpenTimeout(Duration.ofSeconds(30)).build();
        outage.broken[0].set(true);
        try (Scheduler scheduler = builder(agents, config, transitions).build()) {
            // phase 1: a sustained stream while agent 0 is down
            List<TaskFuture<?>> futures = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
            while (System.nanoTime() - end < 0) {
                for (int i = 0; i < 50; i++) {
                    futures.add(scheduler.submit(outage.task()));
                }
                Thread.sleep(1);
            }
            int failedFutures = awaitAll(futures);
            assertTrue(transitions.opened.get(0).await(10, TimeUnit.SECONDS), "agent 0's breaker opened");
            // the agent reports to the breaker just after the task's future completes: let the last
            // failed trial's reopening land before counting
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (3 + transitions.count(0, "HALF_OPEN->OPEN") != outage.failed[0].sum()
                    && System.nanoTime() - settle < 0) {
                Thread.sleep(1);
            }
            long reopenings = transitions.count(0, "HALF_OPEN->OPEN");
            assertTrue(transitions.count(0, "OPEN->HALF_OPEN") >= reopenings, transitions.byAgent.get(0).toString());
            // CLOSED: exactly the threshold of consecutive failures trips it; each half-open episode
            // grants one trial at a time, and the first failed trial reopens it.
            assertEquals(3 + reopenings, outage.failed[0].sum(), "failures on agent 0 " + transitions.byAgent.get(0));
            assertEquals(outage.failed[0].sum(), failedFutures, "only agent 0's tasks failed, each seen by its future");
            for (int i = 1; i < agents; i++) {
                assertEquals(0, outage.failed[i].sum());
                assertEquals(List.of(), transitions.byAgent.get(i), "agent " + i + " never tripped");
            }
            long ranWhileDown = 0;
            for (LongAdder r : outage.ran) {
                ranWhileDown += r.sum();
            }
            assertEquals(futures.size(), ranWhileDown, "every task ran exactly once: nothing lost, nothing twice");
            assertTrue(outage.ran[0].sum() < futures.size() / 10, "agent 0 ran " + outage.ran[0].sum()
                    + " of " + futures.size() + " tasks while it was down");

            // phase 2: agent 0 recovers; keep the stream going until its trials close the breaker
            outage.broken[0].set(false);
            List<TaskFuture<?>> recovery = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (transitions.closedAgain.get(0).getCount() > 0) {
                assertTrue(System.nanoTime() - deadline < 0, "agent 0 was never probed back in: "
                        + transitions.byAgent.get(0));
                for (int i = 0; i < 20; i++) {
                    recovery.add(scheduler.submit(outage.task()));
                }
                Thread.sleep(1);
            }
            long ranBefore = outage.ran[0].sum();
            for (int round = 0; round < 200 && outage.ran[0].sum() - ranBefore < 20; round++) {
                for (int i = 0; i < 50; i++) {
                    recovery.add(scheduler.submit(outage.task()));
                }
                Thread.sleep(2);
            }
            assertEquals(0, awaitAll(recovery), "after recovery nothing fails");
            assertTrue(outage.ran[0].sum() - ranBefore >= 20, "agent 0 takes work again once closed");

            scheduler.shutdown();       // the counters are final once the agents have stopped
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            SchedulerMetrics m = scheduler.metrics();
            AgentMetrics a0 = m.agents().get(0);
            assertEquals("CLOSED", a0.breakerState());
            assertEquals(transitions.byAgent.get(0).size(), a0.breakerTransitions());
            for (int i = 1; i < agents; i++) {
                assertEquals("CLOSED", m.agents().get(i).breakerState());
                assertEquals(0, m.agents().get(i).breakerTransitions());
            }
            assertEquals(futures.size() + recovery.size(), m.completed(), "conservation (completed counts failures too): " + m);
            assertEquals(failedFutures, m.failed());
        }
    }

    private static void tripEveryAgent(Scheduler scheduler, Outage outage, Transitions transitions)
            throws InterruptedException {
        for (int i = 0; i < scheduler.agentCount(); i++) {
            outage.broken[i].set(true);
        }
        for (int i = 0; i < scheduler.agentCount(); i++) {
            TaskFuture<?> f = scheduler.submit(outage.task(), TaskOptions.builder().pinnedTo(i).build());
            assertInstanceOf(ExecutionException.class, assertThrows(Exception.class, () -> f.get(10, TimeUnit.SECONDS)));
            assertTrue(transitions.opened.get(i).await(10, TimeUnit.SECONDS), "agent " + i + " opened");
        }
        // the counters trail the futures and the transitions by a moment (they are eventually consistent)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.metrics().failed() < scheduler.agentCount()) {
            assertTrue(System.nanoTime() - deadline < 0, "failures counted: " + scheduler.metrics());
            Thread.sleep(1);
        }
    }

    private static CircuitBreakerConfig tripOnFirstFailure(Duration open) {
        return CircuitBreakerConfig.builder().consecutiveFailureThreshold(1).openDuration(open)
                .halfOpenTrials(1, 1).halfOpenSuccessThreshold(1).build();
    }

    @Test
    void whenEveryAgentIsOpenRejectRefusesWithTheReasonAndLosesNothing() throws Exception {
        Outage outage = new Outage(2);
        Transitions transitions = new Transitions(2);
        try (Scheduler scheduler = builder(2, tripOnFirstFailure(Duration.ofSeconds(30)), transitions)
                .whenAllAgentsOpen(AllAgentsOpen.REJECT).build()) {
            tripEveryAgent(scheduler, outage, transitions);
            long rejectedBefore = scheduler.metrics().rejected();
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                    () -> scheduler.submit(outage.task()));
            assertTrue(e.getMessage().contains("every agent's circuit breaker"), e.getMessage());
            assertTrue(e.getMessage().contains("lets trials through in"), e.getMessage());
            assertThrows(RejectedExecutionException.class, () -> scheduler.execute(outage.task()));
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(rejectedBefore + 2, m.rejected());
            assertEquals(0, m.queued(), "a rejected task is not kept");
            assertEquals(2, m.failed(), "the two tripping tasks");
            long start = System.nanoTime();
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS), "shutdown waits for no breaker when nothing is queued");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        }
    }

    @Test
    void whenEveryAgentIsOpenQueueKeepsTheTasksForTheFirstTrial() throws Exception {
        Outage outage = new Outage(2);
        Transitions transitions = new Transitions(2);
        // open long enough that no agent half-opens before the 100 tasks are counted, even on a
        // machine that stalls the test thread for a second
        try (Scheduler scheduler = builder(2, tripOnFirstFailure(Duration.ofMillis(2_500)), transitions).build()) {
            tripEveryAgent(scheduler, outage, transitions);
            outage.broken[0].set(false);
            outage.broken[1].set(false);
            List<TaskFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(scheduler.submit(outage.task()));
            }
            assertEquals(100, scheduler.metrics().sharedQueued(), "queued for the first agent to half-open");
            assertEquals(0, awaitAll(futures), "each ran, as a trial or after its agent closed");
            assertTrue(transitions.closedAgain.get(0).getCount() == 0 || transitions.closedAgain.get(1).getCount() == 0,
                    "a trial closed a breaker: " + transitions.byAgent);
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(102, m.completed(), "the 100 and the two that tripped the breakers: " + m);
            assertEquals(2, m.failed());
            assertEquals(0, m.rejected());
        }
    }

    /** Blocks agent {@code agent} with a pinned task until {@code gate} opens; the task then fails. */
    private static TaskFuture<?> blockThenFail(Scheduler scheduler, int agent, CountDownLatch gate)
            throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        TaskFuture<?> f = scheduler.submit(() -> {
            running.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("agent " + agent + " went down");
        }, TaskOptions.builder().pinnedTo(agent).build());
        assertTrue(running.await(10, TimeUnit.SECONDS));
        return f;
    }

    /** Blocks agent {@code agent} with a pinned task until {@code gate} opens; the task then succeeds. */
    private static void block(Scheduler scheduler, int agent, CountDownLatch gate) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        scheduler.execute(() -> {
            running.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, TaskOptions.builder().pinnedTo(agent).build());
        assertTrue(running.await(10, TimeUnit.SECONDS));
    }

    @Test
    void pinnedTasksFailAndMovableTasksMoveWhenTheirAgentOpensUnderFail() throws Exception {
        Outage outage = new Outage(2);
        Transitions transitions = new Transitions(2);
        try (Scheduler scheduler = builder(2, tripOnFirstFailure(Duration.ofSeconds(30)), transitions)
                .pinnedOnOpenAgent(PinnedOnOpenAgent.FAIL).build()) {
            CountDownLatch gate0 = new CountDownLatch(1);
            CountDownLatch gate1 = new CountDownLatch(1);
            TaskFuture<?> tripping = blockThenFail(scheduler, 0, gate0);
            block(scheduler, 1, gate1);
            List<TaskFuture<?>> pinned = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                pinned.add(scheduler.submit(outage.task(), TaskOptions.builder().pinnedTo(0).build()));
            }
            List<TaskFuture<?>> movable = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                movable.add(scheduler.submit(outage.task()));       // both agents busy: spread over both queues
            }
            gate0.countDown();      // agent 0's task fails: its breaker opens with work queued behind it
            assertTrue(transitions.opened.get(0).await(10, TimeUnit.SECONDS));
            assertThrows(ExecutionException.class, () -> tripping.get(10, TimeUnit.SECONDS));
            for (TaskFuture<?> f : pinned) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(RejectedExecutionException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("pinned"), e.getCause().getMessage());
            }
            RejectedExecutionException now = assertThrows(RejectedExecutionException.class,
                    () -> scheduler.submit(outage.task(), TaskOptions.builder().pinnedTo(0).build()));
            assertTrue(now.getMessage().contains("open circuit breaker"), now.getMessage());
            gate1.countDown();
            assertEquals(0, awaitAll(movable), "movable tasks queued on the open agent ran elsewhere");
            assertEquals(0, outage.ran[0].sum(), "nothing ran on the open agent");
            assertEquals(200, outage.ran[1].sum());
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(11, m.rejected(), "10 queued pinned tasks failed, 1 refused at submission");
            assertTrue(m.agents().get(0).rerouted() > 0 || m.migrations() > 0, "agent 0's queue moved: " + m);
        }
    }

    @Test
    void pinnedTasksWaitForTheirAgentAndRunAsItsTrialsUnderWait() throws Exception {
        Outage outage = new Outage(2);
        Transitions transitions = new Transitions(2);
        try (Scheduler scheduler = builder(2, tripOnFirstFailure(Duration.ofMillis(300)), transitions).build()) {
            CountDownLatch gate0 = new CountDownLatch(1);
            blockThenFail(scheduler, 0, gate0);
            List<TaskFuture<?>> pinned = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                pinned.add(scheduler.submit(outage.task(), TaskOptions.builder().pinnedTo(0).build()));
            }
            gate0.countDown();
            assertTrue(transitions.opened.get(0).await(10, TimeUnit.SECONDS));
            // accepted while open: it waits with the others
            pinned.add(scheduler.submit(outage.task(), TaskOptions.builder().pinnedTo(0).build()));
            assertEquals(0, awaitAll(pinned), "pinned tasks waited out the outage");
            assertEquals(11, outage.ran[0].sum(), "and ran on their own agent");
            assertEquals(0, outage.ran[1].sum());
            assertEquals(1, transitions.count(0, "HALF_OPEN->CLOSED"), "the first pinned task was the trial that closed it");
            assertEquals(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED"), transitions.byAgent.get(0));
            assertEquals(0, scheduler.metrics().rejected());
        }
    }
    /**
     * Transitions made by hand on several threads at once (FORCED_OPEN and CLOSED, racing): once
     * they stop, the agent's view (whether it accepts work, as placement sees it) matches the
     * breaker's final state, and new work runs or waits accordingly. Each round ends with a
     * different final state.
     */
    @Test
    void racingTransitionsLeaveTheAgentInStepWithItsBreaker() throws Exception {
        io.github.loadstar.algorithms.breaker.CircuitBreakerRegistry registry =
                io.github.loadstar.algorithms.breaker.CircuitBreakerRegistry.of(CircuitBreakerConfig.defaults());
        java.util.concurrent.atomic.AtomicReference<io.github.loadstar.core.spi.AgentLoads> loads =
                new java.util.concurrent.atomic.AtomicReference<>();
        io.github.loadstar.core.spi.PlacementPolicy capturing = new io.github.loadstar.core.spi.PlacementPolicy() {
            @Override
            public int place(TaskOptions options, io.github.loadstar.core.spi.AgentLoads agentLoads, int random) {
                loads.set(agentLoads);
                return io.github.loadstar.core.spi.PlacementPolicies.roundRobin().place(options, agentLoads, random);
            }

            @Override
            public String name() {
                return "capturing";
            }
        };
        try (Scheduler scheduler = Scheduler.builder().name("racing").agents(2).placementPolicy(capturing)
                .agentBreakers(CircuitBreakers.perAgent(CircuitBreakerConfig.defaults(), registry)).build()) {
            scheduler.submit(() -> 1).get(10, TimeUnit.SECONDS);    // placement hands over the loads view
            io.github.loadstar.algorithms.breaker.CircuitBreaker breaker = registry.circuitBreaker("racing-agent-0");
            for (int round = 0; round < 40; round++) {
                int threads = 4;
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
                List<Thread> racers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = round * threads + t;
                    Thread racer = new Thread(() -> {
                        java.util.Random random = new java.util.Random(seed);
                        try {
                            start.await();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        for (int i = 0; i < 200; i++) {
                            if (random.nextBoolean()) {
                                breaker.transitionToForcedOpen();
                            } else {
                                breaker.transitionToClosed();
                            }
                        }
                    });
                    racers.add(racer);
                    racer.start();
                }
                for (Thread racer : racers) {
                    racer.join(10_000);
                }
                boolean admits = breaker.state() != io.github.loadstar.algorithms.breaker.CircuitState.FORCED_OPEN;
                assertEquals(admits, loads.get().accepting(0), "round " + round + ": breaker " + breaker.state()
                        + " but the agent " + (admits ? "does not accept" : "accepts") + " work");
            }
            // and it works afterwards: close it and run a task pinned to the agent
            breaker.transitionToClosed();
            assertTrue(loads.get().accepting(0));
            assertEquals(7, scheduler.submit(() -> 7, TaskOptions.builder().pinnedTo(0).build()).get(10, TimeUnit.SECONDS));
        }
    }
}
