package io.github.loadstar.core;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.metrics.Finding;
import io.github.loadstar.core.metrics.PerformanceReport;
import io.github.loadstar.core.metrics.SchedulerHistory;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.StealPolicy;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults injected from outside the scheduler's own code: a thread factory that fails when an agent
 * is added or a dead agent thread must be replaced, shutdown racing submitters and
 * reconfigurations, a tiny queue bound under recursive fork-and-wait, thousands of submitting
 * threads, the figures of a scheduler that has done (almost) nothing, and a cancel(true) that hits
 * a task while its helping wait runs another task (or is about to). Each test checks conservation (every task run
 * exactly once, or rejected, never both, never neither) and that the scheduler still serves new work
 * (or terminates) afterwards.
 */
@Timeout(120)
final class FaultInjectionTest {
    /** Seconds any single wait may take: generous, for a busy two-core machine. */
    private static final long WAIT = 30;

    // ================================================================ 1. addAgent with a failing factory

    /**
     * Injects: {@code addAgent} while the thread factory returns null, throws an exception, throws an
     * Error ("unable to create native thread"), or returns a thread that cannot be started — three
     * attempts each, more than the free slots. Must hold: each attempt throws IllegalStateException
     * (naming the thread factory when it returned null, carrying the factory's failure as its cause
     * otherwise), the slot count, the agents in the settings and the settings' version are unchanged,
     * no slot is lost (once the factory works again both free slots can be filled, and then no more),
     * and the 500 tasks queued meanwhile all run exactly once.
     */
    @Test
    void addAgentWithAFailingThreadFactoryChangesNothingAndLosesNoSlot() throws Exception {
        SwitchableThreadFactory factory = new SwitchableThreadFactory();
        try (Scheduler s = Scheduler.builder().agents(1).maxAgents(3).threadFactory(factory).build()) {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            s.execute(Gate.holdUntil(held, release));
            assertTrue(held.await(WAIT, SECONDS));
            int queued = 500;
            AtomicIntegerArray runs = new AtomicIntegerArray(queued);
            List<TaskFuture<Integer>> futures = new ArrayList<>();
            long version = s.settings().version();
            double[] capacities = s.settings().capacities();
            int slots = s.agentCount();
            try {
                for (int i = 0; i < queued; i++) {
                    int id = i;
                    futures.add(s.submit(() -> runs.incrementAndGet(id)));
                }
                for (FactoryMode mode : EnumSet.complementOf(EnumSet.of(FactoryMode.WORKING))) {
                    factory.mode.set(mode);
                    for (int attempt = 0; attempt < 3; attempt++) {
                        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.addAgent(1.0),
                                mode.name());
                        switch (mode) {
                            case RETURNS_NULL:
                                assertTrue(e.getMessage().contains("threadFactory"), e.getMessage());
                                break;
                            case THROWS_EXCEPTION:
                            case THROWS_ERROR:
                                assertSame(factory.lastThrown.get(), e.getCause(), mode + ": the factory's failure is the cause");
                                break;
                            default:
                                assertTrue(e.getCause() instanceof IllegalThreadStateException,
                                        mode + ": " + e + ", cause " + e.getCause());
                        }
                        assertEquals(version, s.settings().version(), mode + ": the version is unchanged");
                        assertArrayEquals(capacities, s.settings().capacities(), mode + ": the agents are unchanged");
                        assertEquals(1, s.settings().agentCount(), mode.name());
                        assertEquals(slots, s.agentCount(), mode + ": the slots are unchanged");
                        assertEquals(1, presentAgents(s.metrics()), mode + ": no phantom agent in the balance\n" + s.metrics());
                    }
                }
                for (int i = 0; i < queued; i++) {
                    assertEquals(0, runs.get(i), "task " + i + " waited behind the held agent");
                }
            } finally {
                release.countDown();
            }
            for (TaskFuture<Integer> f : futures) {
                assertEquals(1, (int) f.get(WAIT, SECONDS));
            }
            factory.mode.set(FactoryMode.WORKING);
            assertEquals(1, s.addAgent(1.0), "the first free slot is still free");
            assertEquals(2, s.addAgent(2.0), "the second free slot is still free");
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> s.addAgent(1.0));
            assertTrue(full.getMessage().contains("maxAgents"), full.getMessage());
            assertEquals(version + 2, s.settings().version(), "only the two additions counted");
            assertEquals(3, s.settings().agentCount());
            for (int a = 0; a < 3; a++) {
                assertEquals(a, (int) s.submit(Scheduler::currentAgent, TaskOptions.builder().pinnedTo(a).build())
                        .get(WAIT, SECONDS), "agent " + a + "'s thread runs");
            }
            s.shutdown();
            assertTrue(s.awaitTermination(WAIT, SECONDS), s.metrics().toString());
            for (int i = 0; i < queued; i++) {
                assertEquals(1, runs.get(i), "task " + i);
            }
            assertEquals(3, factory.created.size(), "a thread for each agent that joined, none for the failures");
        }
    }

    // ================================================================ 2. no replacement thread

    /**
     * Injects: an Error thrown by a task (so the agent's thread must be replaced) while the thread
     * factory throws, then again while it returns null; the first Error from a submitted task, the
     * second from a plain Runnable, each with 1,000 tasks queued behind it on the only agent. Must
     * hold: the old thread carries on (every task afterwards runs on it, and no thread is made), the
     * 2,000 tasks run exactly once, the failed future reports the Error, the listener hears
     * {@code onAgentReplaced} with a null replacement and the Error (with the factory's exception
     * suppressed in it), the dead thread's handler hears each Error once, and the scheduler serves new
     * work and terminates.
     */
    @Test
    void anAgentWhoseThreadCannotBeReplacedCarriesOnAndLosesNothing() throws Exception {
        SwitchableThreadFactory factory = new SwitchableThreadFactory();
        List<Object[]> replaced = new CopyOnWriteArrayList<>();
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
                replaced.add(new Object[] {agent, dead, replacement, cause});
            }
        };
        Scheduler s = Scheduler.builder().agents(1).threadFactory(factory).listener(listener).build();
        try {
            assertEquals(1, factory.created.size());
            Thread original = factory.created.get(0);
            int perRound = 1_000;
            AtomicIntegerArray runs = new AtomicIntegerArray(2 * perRound);
            Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
            FactoryMode[] modes = {FactoryMode.THROWS_EXCEPTION, FactoryMode.RETURNS_NULL};
            List<AssertionError> injected = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                factory.mode.set(modes[round]);
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                s.execute(Gate.holdUntil(held, release));
                assertTrue(held.await(WAIT, SECONDS));
                AssertionError error = new AssertionError("injected error " + round);
                injected.add(error);
                TaskFuture<Object> failing = null;
                try {
                    if (round == 0) {
                        failing = s.submit(() -> {
                            throw error;
                        });
                    } else {
                        s.execute(() -> {
                            throw error;
                        });
                    }
                    List<TaskFuture<Integer>> behind = new ArrayList<>();
                    for (int i = 0; i < perRound; i++) {
                        int id = round * perRound + i;
                        behind.add(s.submit(() -> {
                            ranOn.add(Thread.currentThread());
                            return runs.incrementAndGet(id);
                        }));
                    }
                    release.countDown();
                    if (failing != null) {
                        TaskFuture<Object> f = failing;
                        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT, SECONDS));
                        assertSame(error, e.getCause());
                    }
                    for (TaskFuture<Integer> f : behind) {
                        assertEquals(1, (int) f.get(WAIT, SECONDS));
                    }
                } finally {
                    release.countDown();
                }
                int expected = round + 1;
                awaitCondition(() -> replaced.size() >= expected, () -> "onAgentReplaced never came for round " + expected);
                Object[] event = replaced.get(round);
                assertEquals(0, event[0]);
                assertSame(original, event[1], "the thread that died");
                assertNull(event[2], "no replacement could be made");
                assertSame(error, event[3]);
            }
            for (int i = 0; i < 2 * perRound; i++) {
                assertEquals(1, runs.get(i), "task " + i);
            }
            assertEquals(Set.of(original), ranOn, "the old thread carried on");
            assertEquals(1, factory.created.size(), "no thread was made");
            assertEquals(3, factory.calls.get(), "one call at build, one per replacement attempt");
            assertTrue(Arrays.asList(injected.get(0).getSuppressed()).contains(factory.lastThrown.get()),
                    "the factory's failure is kept with the error: " + Arrays.toString(injected.get(0).getSuppressed()));
            awaitCondition(() -> factory.uncaught.size() >= 2, () -> "the handler heard " + factory.uncaught);
            assertEquals(2, factory.uncaught.size(), factory.uncaught.toString());
            assertSame(injected.get(0), factory.uncaught.get(0));
            assertSame(injected.get(1), factory.uncaught.get(1));
            assertEquals(2, replaced.size());

            // the scheduler still serves new work, on the thread that carried on
            assertSame(original, s.submit(() -> Thread.currentThread()).get(WAIT, SECONDS));
            assertEquals("after", s.submit(() -> "after").get(WAIT, SECONDS));
            s.shutdown();
            assertTrue(s.awaitTermination(WAIT, SECONDS), s.metrics().toString());
            SchedulerMetrics m = s.metrics();
            assertEquals(2, m.failed(), m.toString());
            // 2 gates, 2 failing tasks, 2,000 behind them, 2 afterwards: each counted once
            assertEquals(2 + 2 + 2 * perRound + 2, m.completed(), m.toString());
        } finally {
            s.shutdownNow();
        }
    }

    // ================================================================ 3. shutdown racing submitters

    /**
     * Injects: {@code shutdown()} from its own thread at a random point (producer 0 opens a latch at
     * a random task of its 20,000) while four outside threads each execute 20,000 tiny tasks; three
     * rounds. Must hold: every task either ran exactly once or its execute threw
     * RejectedExecutionException, never both and never neither; ran + rejected = submitted; once a
     * producer saw a rejection, all its later submissions were rejected; the metrics agree; the
     * scheduler terminates.
     */
    @Test
    void shutdownRacingOutsideSubmittersRunsOrRejectsEveryTaskExactlyOnce() throws Exception {
        Random random = new Random(0x5EED0003L);
        int producers = 4;
        int perProducer = 20_000;
        int total = producers * perProducer;
        for (int round = 0; round < 3; round++) {
            Scheduler s = Scheduler.builder().agents(2).build();
            try {
                AtomicIntegerArray runs = new AtomicIntegerArray(total);
                AtomicIntegerArray rejected = new AtomicIntegerArray(total);
                AtomicInteger acceptedAfterRejection = new AtomicInteger();
                List<Throwable> unexpected = new CopyOnWriteArrayList<>();
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch point = new CountDownLatch(1);
                int trigger = random.nextInt(perProducer);
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    int producer = p;
                    threads.add(new Thread(() -> {
                        try {
                            go.await();
                            boolean sawRejection = false;
                            for (int i = 0; i < perProducer; i++) {
                                if (producer == 0 && i == trigger) {
                                    point.countDown();
                                }
                                int id = producer * perProducer + i;
                                try {
                                    s.execute(() -> runs.incrementAndGet(id));
                                    if (sawRejection) {
                                        acceptedAfterRejection.incrementAndGet();
                                    }
                                } catch (RejectedExecutionException e) {
                                    rejected.set(id, 1);
                                    sawRejection = true;
                                }
                            }
                        } catch (Throwable t) {
                            unexpected.add(t);
                        } finally {
                            point.countDown();
                        }
                    }, "producer-" + p));
                }
                threads.add(new Thread(() -> {
                    try {
                        go.await();
                        point.await();
                        s.shutdown();
                    } catch (Throwable t) {
                        unexpected.add(t);
                    }
                }, "stopper"));
                for (Thread t : threads) {
                    t.start();
                }
                go.countDown();
                for (Thread t : threads) {
                    t.join(SECONDS.toMillis(WAIT));
                    assertFalse(t.isAlive(), t.getName() + " is stuck");
                }
                assertEquals(List.of(), unexpected);
                assertTrue(s.awaitTermination(WAIT, SECONDS), "round " + round + " did not terminate\n" + s.metrics());
                int ran = 0;
                int refused = 0;
                for (int id = 0; id < total; id++) {
                    int n = runs.get(id);
                    int r = rejected.get(id);
                    assertTrue(n <= 1, "round " + round + ": task " + id + " ran " + n + " times");
                    assertEquals(1, n + r, "round " + round + ": task " + id + " ran " + n + " times, rejected " + (r == 1));
                    ran += n;
                    refused += r;
                }
                assertEquals(total, ran + refused);
                assertEquals(0, acceptedAfterRejection.get(), "round " + round + ": accepted after a rejection");
                SchedulerMetrics m = s.metrics();
                assertEquals(refused, m.rejected(), "round " + round + "\n" + m);
                assertEquals(ran, m.completed(), "round " + round + "\n" + m);
                assertThrows(RejectedExecutionException.class, () -> s.execute(() -> { }));
            } finally {
                s.shutdownNow();
            }
        }
    }

    // ================================================================ 4. removeAgent and reconfigure racing shutdown

    /**
     * Injects: {@code removeAgent}, {@code reconfigure(withStealBatchLimit)}, {@code
     * reconfigure(withAgentCount)} and {@code addAgent} from three threads, and a fourth thread
     * submitting, all released together with {@code shutdown()} from the test thread, while 2,000
     * tasks (a tenth pinned) are queued — behind a held task on every agent in every other round; 20
     * rounds, fresh schedulers of 3 or 4 agents with room for 6. Must hold: the agent and settings
     * calls either succeed or throw IllegalStateException / IllegalArgumentException; every accepted
     * task runs exactly once and no rejected one runs; the scheduler terminates, and its completed
     * count equals the tasks accepted.
     */
    @Test
    void agentAndSettingsChangesRacingShutdownLoseNothing() throws Exception {
        Random random = new Random(0x5EED0004L);
        for (int round = 0; round < 20; round++) {
            raceChangesWithShutdown(round, random.nextLong(), round % 2 == 0);
        }
    }

    private static void raceChangesWithShutdown(int round, long seed, boolean hold) throws Exception {
        Random random = new Random(seed);
        int agents = 3 + random.nextInt(2);
        Scheduler s = Scheduler.builder().agents(agents).maxAgents(6).build();
        CountDownLatch release = new CountDownLatch(1);
        try {
            int gates = 0;
            if (hold) {
                CountDownLatch held = new CountDownLatch(agents);
                for (int a = 0; a < agents; a++) {
                    s.execute(Gate.holdUntil(held, release), TaskOptions.builder().pinnedTo(a).build());
                }
                assertTrue(held.await(WAIT, SECONDS));
                gates = agents;
            }
            int queued = 2_000;
            int raced = 500;
            AtomicIntegerArray runs = new AtomicIntegerArray(queued + raced);
            AtomicIntegerArray accepted = new AtomicIntegerArray(queued + raced);
            for (int i = 0; i < queued; i++) {
                int id = i;
                Runnable task = () -> {
                    runs.incrementAndGet(id);
                    Work.burn(1_000);
                };
                if (i % 10 == 0) {
                    s.execute(task, TaskOptions.builder().pinnedTo(random.nextInt(agents)).build());
                } else {
                    s.execute(task);
                }
                accepted.set(id, 1);
            }
            List<Throwable> unexpected = new CopyOnWriteArrayList<>();
            List<String> outcomes = new CopyOnWriteArrayList<>();
            CyclicBarrier start = new CyclicBarrier(5);
            int victim = random.nextInt(agents);
            int secondVictim = random.nextInt(agents);
            int count = 1 + random.nextInt(6);
            List<Thread> racers = new ArrayList<>();
            racers.add(new Thread(() -> attempt(start, unexpected, outcomes, "remove", () -> {
                s.removeAgent(victim);
                s.removeAgent(secondVictim);
            })));
            racers.add(new Thread(() -> attempt(start, unexpected, outcomes, "stealBatchLimit", () -> {
                for (int k = 1; k <= 3; k++) {
                    int limit = 1 + 7 * k;
                    s.reconfigure(x -> x.withStealBatchLimit(limit));
                }
            })));
            racers.add(new Thread(() -> attempt(start, unexpected, outcomes, "agentCount", () -> {
                s.reconfigure(x -> x.withAgentCount(count));
                s.addAgent(1.0);
            })));
            racers.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < raced; i++) {
                        int id = queued + i;
                        try {
                            s.execute(() -> runs.incrementAndGet(id));
                            accepted.set(id, 1);
                        } catch (RejectedExecutionException e) {
                            // refused: it must never run
                        }
                    }
                } catch (Throwable t) {
                    unexpected.add(t);
                }
            }, "racing-submitter"));
            for (Thread t : racers) {
                t.start();
            }
            start.await(WAIT, SECONDS);
            s.shutdown();
            for (Thread t : racers) {
                t.join(SECONDS.toMillis(WAIT));
                assertFalse(t.isAlive(), "round " + round + ": " + t.getName() + " is stuck");
            }
            release.countDown();
            assertEquals(List.of(), unexpected, "round " + round + ": " + outcomes);
            assertTrue(s.awaitTermination(WAIT, SECONDS), "round " + round + " did not terminate (" + outcomes + ")\n"
                    + s.metrics());
            long acceptedCount = 0;
            for (int id = 0; id < queued + raced; id++) {
                int n = runs.get(id);
                assertEquals(accepted.get(id), n, "round " + round + ": task " + id + " (accepted " + (accepted.get(id) == 1)
                        + ") ran " + n + " times; " + outcomes);
                acceptedCount += accepted.get(id);
            }
            assertEquals(gates + acceptedCount, s.metrics().completed(), "round " + round + "\n" + s.metrics());
        } finally {
            release.countDown();
            s.shutdownNow();
        }
    }

    /** An agent or settings call racing shutdown: success or IllegalState/IllegalArgument only. */
    private static void attempt(CyclicBarrier start, List<Throwable> unexpected, List<String> outcomes, String what,
                                ThrowingRunnable call) {
        try {
            start.await();
            call.run();
            outcomes.add(what + ": ok");
        } catch (IllegalStateException | IllegalArgumentException e) {
            outcomes.add(what + ": " + e.getClass().getSimpleName());
        } catch (Throwable t) {
            unexpected.add(t);
        }
    }

    // ================================================================ 5. a tiny queue bound under recursion

    /**
     * Injects: a queue bound of 64, then of 8, under a recursive fork-and-wait (fib(18) with
     * {@code submit(...).get()}) on two agents, with CALLER_RUNS and with ABORT. Must hold: with
     * CALLER_RUNS the recursion finishes with the right result and nothing is rejected; with ABORT it
     * either finishes with the right result or fails with a RejectedExecutionException in its cause
     * chain, never hangs; either way every accepted subtask runs exactly once (started = submitted −
     * rejected), the rejections are counted, no bound slot is leaked (with both agents held, exactly
     * {@code bound} more tasks are queued before the behaviour applies), and the scheduler serves new
     * work and terminates.
     */
    @Test
    void aSmallQueueBoundDoesNotDeadlockRecursiveForkAndWait() throws Exception {
        for (RejectionBehaviour behaviour : List.of(RejectionBehaviour.CALLER_RUNS, RejectionBehaviour.ABORT)) {
            for (int bound : new int[] {64, 8}) {
                boundedRecursion(behaviour, bound);
            }
        }
    }

    private static void boundedRecursion(RejectionBehaviour behaviour, int bound) throws Exception {
        String label = behaviour + ", bound " + bound;
        Scheduler s = Scheduler.builder().agents(2).maxQueuedTasks(bound, behaviour).build();
        try {
            Recursion fib = new Recursion(s);
            fib.submitted.increment();
            TaskFuture<Long> root = s.submit(fib.task(18));
            try {
                assertEquals(2584L, root.get(WAIT, SECONDS), label);
                if (behaviour == RejectionBehaviour.CALLER_RUNS) {
                    assertEquals(0, fib.rejected.sum(), label);
                }
            } catch (ExecutionException e) {
                assertEquals(RejectionBehaviour.ABORT, behaviour, label + ": " + e);
                assertTrue(causedBy(e, RejectedExecutionException.class), label + ": " + e);
                assertTrue(fib.rejected.sum() > 0, label);
            }
            // the subtasks the failed recursion left behind still run: wait for every accepted one
            awaitCondition(() -> fib.finished.sum() == fib.submitted.sum() - fib.rejected.sum(),
                    () -> label + ": " + fib + "\n" + s.metrics());
            assertEquals(fib.submitted.sum() - fib.rejected.sum(), fib.started.sum(), label + ": " + fib);
            assertEquals(fib.rejected.sum(), s.metrics().rejected(), label);

            // no bound slot leaked: with both agents held, exactly `bound` tasks queue
            CountDownLatch held = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger ran = new AtomicInteger();
            try {
                for (int a = 0; a < 2; a++) {
                    s.execute(Gate.holdUntil(held, release), TaskOptions.builder().pinnedTo(a).build());
                }
                assertTrue(held.await(WAIT, SECONDS), label);
                for (int i = 0; i < bound; i++) {
                    s.execute(ran::incrementAndGet);
                }
                assertEquals(0, ran.get(), label + ": all queued");
                if (behaviour == RejectionBehaviour.ABORT) {
                    assertThrows(RejectedExecutionException.class, () -> s.execute(ran::incrementAndGet), label);
                } else {
                    Thread[] ranOn = new Thread[1];
                    s.execute(() -> ranOn[0] = Thread.currentThread());
                    assertSame(Thread.currentThread(), ranOn[0], label + ": the bound applies at " + bound);
                }
            } finally {
                release.countDown();
            }
            awaitCondition(() -> ran.get() == bound, () -> label + ": " + ran.get() + " of " + bound + " ran");
            assertEquals(7, (int) s.submit(() -> 7).get(WAIT, SECONDS), label);
            s.shutdown();
            assertTrue(s.awaitTermination(WAIT, SECONDS), label + "\n" + s.metrics());
        } finally {
            s.shutdownNow();
        }
    }

    /** fib(n) by fork-and-wait, counting submissions, rejections and runs. */
    private static final class Recursion {
        final Scheduler s;
        final LongAdder submitted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder started = new LongAdder();
        final LongAdder finished = new LongAdder();
        /** Subtasks that ran on their submitter's thread, inside submit (CALLER_RUNS at the bound). */
        final LongAdder ranByCaller = new LongAdder();
        private final ThreadLocal<Boolean> submitting = ThreadLocal.withInitial(() -> Boolean.FALSE);

        Recursion(Scheduler s) {
            this.s = s;
        }

        Callable<Long> task(int n) {
            return () -> {
                started.increment();
                if (submitting.get()) {
                    ranByCaller.increment();
                }
                submitting.set(Boolean.FALSE);      // its own submissions are its own
                try {
                    return fib(n);
                } finally {
                    finished.increment();
                }
            };
        }

        long fib(int n) throws Exception {
            if (n < 2) {
                return n;
            }
            submitted.increment();
            TaskFuture<Long> left;
            submitting.set(Boolean.TRUE);
            try {
                left = s.submit(task(n - 1));
            } catch (RejectedExecutionException e) {
                rejected.increment();
                throw e;
            } finally {
                submitting.set(Boolean.FALSE);
            }
            long right = fib(n - 2);
            return left.get() + right;
        }

        @Override
        public String toString() {
            return "submitted " + submitted + ", rejected " + rejected + ", started " + started + ", finished " + finished
                    + ", ran by their caller " + ranByCaller;
        }
    }

    // ================================================================ 6. many submitters

    /**
     * Injects: 2,000 platform threads, released together, each submitting 5 tasks and waiting on
     * their futures. Must hold: all 10,000 complete with their own result, each runs exactly once,
     * and {@code metrics().completed()} counts 10,000 once the scheduler has terminated.
     */
    @Test
    void manyPlatformThreadSubmittersAllGetTheirResults() throws Exception {
        manySubmitters(r -> new Thread(null, r, "submitter", 256 * 1024));
    }

    /**
     * As {@link #manyPlatformThreadSubmittersAllGetTheirResults()}, with 2,000 virtual threads; runs
     * only on Java 21 or later (the code is compiled for 17, so virtual threads are reached by
     * reflection), and is skipped otherwise.
     */
    @Test
    void manyVirtualThreadSubmittersAllGetTheirResults() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21");
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
        manySubmitters(r -> {
            try {
                return (Thread) unstarted.invoke(builder, r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void manySubmitters(Function<Runnable, Thread> threads) throws Exception {
        int submitters = 2_000;
        int each = 5;
        int total = submitters * each;
        Scheduler s = Scheduler.builder().agents(2).build();
        try {
            AtomicIntegerArray runs = new AtomicIntegerArray(total);
            AtomicInteger results = new AtomicInteger();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < submitters; t++) {
                int first = t * each;
                Thread thread = threads.apply(() -> {
                    try {
                        go.await();
                        List<TaskFuture<Integer>> futures = new ArrayList<>();
                        for (int k = 0; k < each; k++) {
                            int id = first + k;
                            futures.add(s.submit(() -> {
                                runs.incrementAndGet(id);
                                return id;
                            }));
                        }
                        for (int k = 0; k < each; k++) {
                            int value = futures.get(k).get(WAIT, SECONDS);
                            if (value != first + k) {
                                throw new AssertionError("future of task " + (first + k) + " returned " + value);
                            }
                            results.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                thread.start();
                started.add(thread);
            }
            go.countDown();
            for (Thread t : started) {
                t.join(SECONDS.toMillis(WAIT));
                assertFalse(t.isAlive(), "a submitter is stuck");
            }
            assertEquals(List.of(), failures);
            assertEquals(total, results.get());
            for (int id = 0; id < total; id++) {
                assertEquals(1, runs.get(id), "task " + id);
            }
            s.shutdown();
            assertTrue(s.awaitTermination(WAIT, SECONDS), s.metrics().toString());
            SchedulerMetrics m = s.metrics();
            assertEquals(total, m.completed(), m.toString());
            assertEquals(0, m.failed(), m.toString());
            assertEquals(0, m.queued(), m.toString());
        } finally {
            s.shutdownNow();
        }
    }

    // ================================================================ 7. figures of (almost) nothing

    /**
     * Injects: degenerate samples into the figures — a single agent that has run no task, or exactly
     * one, read fresh (empty history), after a few history snapshots, and after termination; and a
     * scheduler with the history off; over a one-minute and a zero window. Must hold: {@code
     * metrics()}, its JSON, {@code report(...)} with its text and JSON, {@code history()} and {@code
     * bottlenecks(...)} return without exception; every number readable through their public
     * accessors (walked reflectively: load variance, CoV, Jain's fairness, utilization, migration
     * rate, throughput, window figures, latency, evidence …) is finite and non-negative — except
     * {@code cpuNanos} (documented -1 where unmeasured), a remote agent's member figures {@code
     * memberRunning}, {@code memberCpuLoad} and {@code probeMillis} (documented -1 where unknown and
     * for a local agent) and {@code allocations().lastObjective()}
     * (documented NaN before any batch) — and no text or JSON contains "NaN" or "Infinity".
     */
    @Test
    void theFiguresOfNoTaskOrOneTaskOnOneAgentAreDefined() throws Exception {
        for (int tasks = 0; tasks <= 1; tasks++) {
            for (boolean history : new boolean[] {true, false}) {
                String label = tasks + " task(s), history " + (history ? "on" : "off");
                Scheduler s = Scheduler.builder().agents(1).coordinator(CoordinatorConfig.builder()
                        .historyInterval(history ? Duration.ofMillis(10) : Duration.ZERO).build()).build();
                try {
                    checkAllFigures(s, label + ", fresh");
                    if (tasks == 1) {
                        assertEquals(42, (int) s.submit(() -> 42).get(WAIT, SECONDS));
                    }
                    if (history) {
                        awaitCondition(() -> s.history().samples().size() >= 6,
                                () -> label + ": " + s.history().samples().size() + " snapshots");
                    }
                    checkAllFigures(s, label + ", running");
                    s.shutdown();
                    assertTrue(s.awaitTermination(WAIT, SECONDS), label);
                    checkAllFigures(s, label + ", terminated");
                    assertEquals(tasks, s.metrics().completed(), label);
                    if (history) {
                        assertEquals(tasks, s.history().latest().completed(), label + ": the final snapshot");
                    }
                } finally {
                    s.shutdownNow();
                }
            }
        }
    }

    private static void checkAllFigures(Scheduler s, String label) {
        List<String> problems = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        AtomicInteger numbers = new AtomicInteger();
        SchedulerMetrics m = s.metrics();
        walkFigures(m, "metrics()", problems, seen, numbers);
        checkText(m.toJson(), "metrics().toJson()", problems);
        SchedulerHistory history = s.history();
        walkFigures(history, "history()", problems, seen, numbers);
        walkFigures(history.window(Duration.ofMinutes(1)), "history().window(1 min)", problems, seen, numbers);
        walkFigures(history.patterns(Duration.ofMinutes(1)), "history().patterns(1 min)", problems, seen, numbers);
        for (Duration window : List.of(Duration.ofMinutes(1), Duration.ZERO)) {
            PerformanceReport report = s.report(window);
            String where = "report(" + window + ")";
            walkFigures(report, where, problems, seen, numbers);
            checkText(report.toText(), where + ".toText()", problems);
            checkText(report.toJson(), where + ".toJson()", problems);
            checkText(report.toDetailedText(), where + ".toDetailedText()", problems);
            List<Finding> findings = s.bottlenecks(window);
            walkFigures(findings, "bottlenecks(" + window + ")", problems, seen, numbers);
            for (Finding f : findings) {
                checkText(f.toJson(), "bottlenecks(" + window + ") finding", problems);
            }
        }
        assertEquals(List.of(), problems, label);
        // the walk reached the figures: the snapshot alone has some 30 numbers, each agent 20 more
        assertTrue(numbers.get() >= 100, label + ": only " + numbers.get() + " numbers checked");
    }

    private static void checkText(String text, String where, List<String> problems) {
        if (text.contains("NaN") || text.contains("Infinity")) {
            problems.add(where + " contains NaN or Infinity: " + text);
        }
    }

    /**
     * Walks every public no-argument accessor of the metrics package's values reachable from {@code
     * value} (lists, maps and nested values too), checking each number and each text.
     */
    private static void walkFigures(Object value, String path, List<String> problems, Set<Object> seen,
                                    AtomicInteger numbers) {
        if (value == null || value instanceof Boolean || value instanceof Enum) {
            return;
        }
        if (value instanceof Number) {
            numbers.incrementAndGet();
        }
        if (value instanceof Double || value instanceof Float) {
            double v = ((Number) value).doubleValue();
            if (path.endsWith("allocations().lastObjective()") && Double.isNaN(v)) {
                return;     // documented: NaN without an assignment
            }
            if (v == -1.0 && (path.endsWith(".memberCpuLoad()") || path.endsWith(".probeMillis()"))) {
                return;     // documented: -1 where unknown, and for a local agent
            }
            if (!Double.isFinite(v) || v < 0) {
                problems.add(path + " = " + v);
            }
            return;
        }
        if (value instanceof Number) {
            long v = ((Number) value).longValue();
            if (v < 0 && !((path.endsWith(".cpuNanos()") || path.endsWith(".memberRunning()")) && v == -1)) {
                problems.add(path + " = " + v);
            }
            return;
        }
        if (value instanceof String) {
            String text = (String) value;
            if (path.endsWith("allocations().toString()")) {
                text = text.replace("lastObjective=NaN", "");     // documented: NaN without an assignment
            }
            checkText(text, path, problems);
            return;
        }
        if (!seen.add(value)) {
            return;
        }
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                walkFigures(list.get(i), path + "[" + i + "]", problems, seen, numbers);
            }
            return;
        }
        if (value instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                walkFigures(e.getValue(), path + "[" + e.getKey() + "]", problems, seen, numbers);
            }
            return;
        }
        if (!value.getClass().getPackageName().equals("io.github.loadstar.core.metrics")) {
            return;
        }
        Method[] methods = value.getClass().getMethods();
        Arrays.sort(methods, (a, b) -> a.getName().compareTo(b.getName()));
        for (Method method : methods) {
            Class<?> declaring = method.getDeclaringClass();
            if (Modifier.isStatic(method.getModifiers()) || method.getParameterCount() != 0
                    || method.getReturnType() == void.class || declaring == Object.class || declaring == Record.class
                    || method.getName().equals("hashCode")) {
                continue;
            }
            String where = path + "." + method.getName() + "()";
            Object result;
            try {
                result = method.invoke(value);
            } catch (InvocationTargetException e) {
                if (value instanceof SchedulerHistory && method.getName().equals("latest")
                        && e.getCause() instanceof IllegalStateException && ((SchedulerHistory) value).isEmpty()) {
                    continue;   // documented: no snapshot yet
                }
                problems.add(where + " threw " + e.getCause());
                continue;
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(where, e);
            }
            walkFigures(result, where, problems, seen, numbers);
        }
    }

    // ================================================================ 8. cancelling a helping wait

    /**
     * Injects: {@code cancel(true)} on a task T whose helping wait is running another task. Setup on
     * one agent: A holds the agent's own thread in a blocking section (so the agent's spare runs its
     * queue); T, run by the spare, submits B and waits for A, which is running and cannot be helped,
     * so the wait runs B; B waits for a latch, keeping any interrupt for its caller, as well-behaved
     * code does. The test cancels T while B runs, then lets B finish. Must hold: T's future is
     * cancelled at once; B is not cut short — it completes normally with its result and ran once; T's
     * wait then ends with InterruptedException; A is unaffected; the scheduler serves new work and
     * terminates.
     */
    @Test
    void cancellingAHelpingWaitWhileItRunsAHelpedTaskEndsTheWaitAndSparesTheHelpedTask() throws Exception {
        Scheduler s = Scheduler.builder().agents(1).build();
        CountDownLatch releaseA = new CountDownLatch(1);
        CountDownLatch releaseB = new CountDownLatch(1);
        try {
            CountDownLatch aBlocking = new CountDownLatch(1);
            TaskFuture<String> a = s.submit(() -> Scheduler.blocking(() -> {
                aBlocking.countDown();
                releaseA.await();
                return "A";
            }));
            assertTrue(aBlocking.await(WAIT, SECONDS));

            AtomicReference<TaskFuture<String>> b = new AtomicReference<>();
            AtomicInteger bRuns = new AtomicInteger();
            AtomicReference<Thread> bThread = new AtomicReference<>();
            AtomicReference<Thread> tThread = new AtomicReference<>();
            AtomicBoolean bInterrupted = new AtomicBoolean();
            CountDownLatch bRunning = new CountDownLatch(1);
            AtomicReference<Throwable> tSaw = new AtomicReference<>();
            AtomicReference<String> tGot = new AtomicReference<>();
            CountDownLatch tEnded = new CountDownLatch(1);
            TaskFuture<String> t = s.submit(() -> {
                tThread.set(Thread.currentThread());
                b.set(s.submit(() -> {
                    bRuns.incrementAndGet();
                    bThread.set(Thread.currentThread());
                    bRunning.countDown();
                    awaitKeepingInterrupt(releaseB, bInterrupted);
                    return "B";
                }));
                try {
                    String got = a.get();      // A runs (blocked) elsewhere: the wait helps with B
                    tGot.set(got);
                    return "T after " + got;
                } catch (Throwable e) {
                    tSaw.set(e);
                    throw e;
                } finally {
                    tEnded.countDown();
                }
            });
            assertTrue(bRunning.await(WAIT, SECONDS), "B never ran");
            assertSame(tThread.get(), bThread.get(), "B runs inside T's wait, on T's thread");
            assertFalse(t.isDone());

            assertTrue(t.cancel(true));
            assertTrue(t.isCancelled());
            assertThrows(CancellationException.class, () -> t.get(WAIT, SECONDS));
            assertFalse(b.get().isDone(), "B is still running: the cancel of T does not complete B");
            releaseB.countDown();
            assertEquals("B", b.get().get(WAIT, SECONDS), "B completes normally with its result");
            assertTrue(tEnded.await(WAIT, SECONDS), "T's wait did not end after the cancel (got " + tGot.get() + ")");
            assertTrue(tSaw.get() instanceof InterruptedException, "T's wait ended with " + tSaw.get() + ", got "
                    + tGot.get());
            assertEquals(1, bRuns.get(), "B ran once");

            assertFalse(a.isDone(), "A is still blocked");
            releaseA.countDown();
            assertEquals("A", a.get(WAIT, SECONDS));
            assertEquals(42, (int) s.submit(() -> 42).get(WAIT, SECONDS), "the scheduler serves new work");
            s.shutdown();
            assertTrue(s.awaitTermination(WAIT, SECONDS), s.metrics().toString());
            assertEquals(1, bRuns.get(), "B ran once");
        } finally {
            releaseA.countDown();
            releaseB.countDown();
            s.shutdownNow();
        }
    }

    /**
     * Beyond the brief, found while writing test 8. Injects: {@code cancel(true)} on a task T whose
     * helping wait is between two helped tasks — after its loop checked for an interrupt, before the
     * task it found starts. The moment is made exact with a steal policy (the wait asks it for victims
     * in that stretch) that, on T's thread, once agent 1 has work queued, lets the test cancel T and
     * returns only once the interrupt has arrived. Setup on two agents: A, pinned to agent 1, blocks
     * on a latch; T, pinned to agent 0, waits for A, which cannot be helped; then 64 movable tasks
     * are queued on agent 1 for T's wait to steal. Must hold: T's wait ends with InterruptedException
     * (as get() promises: an interrupted wait throws), every queued task runs exactly once, A is
     * unaffected, and the scheduler serves new work and terminates. Without the fix the interrupt is
     * cleared as "stray" before the stolen task runs and T's wait goes on until A completes.
     */
    @Test
    void cancellingAHelpingWaitJustBeforeItRunsAHelpedTaskEndsTheWait() throws Exception {
        AtomicReference<Thread> tThread = new AtomicReference<>();
        AtomicBoolean fired = new AtomicBoolean();
        AtomicBoolean interruptArrived = new AtomicBoolean();
        CountDownLatch inWindow = new CountDownLatch(1);
        StealPolicy hook = new StealPolicy() {
            @Override
            public int selectVictims(int thief, AgentLoads loads, int random, int[] victims) {
                if (Thread.currentThread() != tThread.get() || loads.backlog(1) == 0 || !fired.compareAndSet(false, true)) {
                    return 0;       // no stealing but this one (the sweep of busy agents still runs)
                }
                inWindow.countDown();
                long deadline = System.nanoTime() + SECONDS.toNanos(WAIT);
                while (!Thread.currentThread().isInterrupted() && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();    // the flag is only read, never cleared, here
                }
                interruptArrived.set(Thread.currentThread().isInterrupted());
                victims[0] = 1;
                return 1;
            }

            @Override
            public String name() {
                return "cancel-in-the-window";
            }
        };
        PlacementPolicy onOne = new PlacementPolicy() {
            @Override
            public int place(TaskOptions options, AgentLoads loads, int random) {
                return 1;
            }

            @Override
            public String name() {
                return "on-one";
            }
        };
        Scheduler s = Scheduler.builder().agents(2).stealPolicy(hook).placementPolicy(onOne).build();
        CountDownLatch releaseA = new CountDownLatch(1);
        try {
            CountDownLatch aRunning = new CountDownLatch(1);
            TaskFuture<String> a = s.submit(() -> {
                aRunning.countDown();
                releaseA.await();
                return "A";
            }, TaskOptions.builder().pinnedTo(1).build());
            assertTrue(aRunning.await(WAIT, SECONDS));
            CountDownLatch waiting = new CountDownLatch(1);
            CountDownLatch tEnded = new CountDownLatch(1);
            AtomicReference<Throwable> tSaw = new AtomicReference<>();
            AtomicReference<String> tGot = new AtomicReference<>();
            TaskFuture<String> t = s.submit(() -> {
                tThread.set(Thread.currentThread());
                waiting.countDown();
                try {
                    String got = a.get();      // A runs, blocked, on agent 1: the wait can only help with other work
                    tGot.set(got);
                    return got;
                } catch (Throwable e) {
                    tSaw.set(e);
                    throw e;
                } finally {
                    tEnded.countDown();
                }
            }, TaskOptions.builder().pinnedTo(0).build());
            assertTrue(waiting.await(WAIT, SECONDS));
            int queued = 64;
            AtomicIntegerArray runs = new AtomicIntegerArray(queued);
            for (int i = 0; i < queued; i++) {
                int id = i;
                s.execute(() -> runs.incrementAndGet(id));     // movable, queued on agent 1 behind A
            }
            assertTrue(inWindow.await(WAIT, SECONDS), "T's wait never looked for work to steal");
            assertTrue(t.cancel(true));
            assertTrue(t.isCancelled());
            boolean ended = tEnded.await(10, SECONDS);
            releaseA.countDown();      // a wait that lost the interrupt ends now, with A's result
            assertEquals("A", a.get(WAIT, SECONDS));
            assertTrue(tEnded.await(WAIT, SECONDS), "T never ended");
            awaitCondition(() -> countRuns(runs) == queued, () -> countRuns(runs) + " of " + queued + " queued tasks ran");
            for (int i = 0; i < queued; i++) {
                assertEquals(1, runs.get(i), "queued task " + i);
            }
            assertTrue(interruptArrived.get(), "the cancel's interrupt reached T's thread inside the wait");
            assertTrue(ended, "cancel(true) of T interrupted its thread inside the helping wait, but the wait did not end:"
                    + " it ran on until A completed (T got " + tGot.get() + ", saw " + tSaw.get() + ")");
            assertTrue(tSaw.get() instanceof InterruptedException, "T's wait ended with " + tSaw.get());
            assertEquals(42, (int) s.submit(() -> 42).get(WAIT, SECONDS), "the scheduler serves new work");
            s.shutdown();
            assertTrue(s.awaitTermination(WAIT, SECONDS), s.metrics().toString());
        } finally {
            releaseA.countDown();
            s.shutdownNow();
        }
    }

    private static int countRuns(AtomicIntegerArray runs) {
        int n = 0;
        for (int i = 0; i < runs.length(); i++) {
            n += runs.get(i);
        }
        return n;
    }

    /** Waits for {@code latch}, ignoring interrupts meanwhile but keeping them for the caller. */
    private static void awaitKeepingInterrupt(CountDownLatch latch, AtomicBoolean sawInterrupt) {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    latch.await();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                    sawInterrupt.set(true);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ================================================================ helpers

    /** What the switchable factory does on its next call. */
    enum FactoryMode { WORKING, RETURNS_NULL, THROWS_EXCEPTION, THROWS_ERROR, UNSTARTABLE_THREAD }

    /**
     * A thread factory whose behaviour is switched after build: working (daemon threads whose
     * uncaught errors are recorded), returning null, throwing an exception or an Error, or returning
     * a thread that was already started (its start() throws IllegalThreadStateException).
     */
    static final class SwitchableThreadFactory implements ThreadFactory {
        final AtomicReference<FactoryMode> mode = new AtomicReference<>(FactoryMode.WORKING);
        final List<Thread> created = new CopyOnWriteArrayList<>();
        final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> lastThrown = new AtomicReference<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            calls.incrementAndGet();
            switch (mode.get()) {
                case RETURNS_NULL:
                    return null;
                case THROWS_EXCEPTION: {
                    RuntimeException e = new IllegalStateException("injected: the factory fails");
                    lastThrown.set(e);
                    throw e;
                }
                case THROWS_ERROR: {
                    Error e = new OutOfMemoryError("injected: unable to create native thread");
                    lastThrown.set(e);
                    throw e;
                }
                case UNSTARTABLE_THREAD: {
                    Thread used = new Thread(() -> { }, "already-started");
                    used.setDaemon(true);
                    used.start();
                    return used;
                }
                default: {
                    Thread t = new Thread(r, "fault-agent-" + created.size());
                    t.setDaemon(true);
                    t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
                    created.add(t);
                    return t;
                }
            }
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The agents that take part in the balance figures (not REMOVED). */
    private static long presentAgents(SchedulerMetrics m) {
        return m.agents().stream().map(AgentMetrics::state).filter(st -> st != AgentState.REMOVED).count();
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Polls {@code condition} every millisecond for up to {@link #WAIT} seconds. */
    private static void awaitCondition(BooleanSupplier condition, Supplier<String> message) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(WAIT);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + WAIT + " s: " + message.get());
            }
            Thread.sleep(1);
        }
    }
}
