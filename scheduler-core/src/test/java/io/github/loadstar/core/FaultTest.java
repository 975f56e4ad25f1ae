package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Failures and races: throwing tasks, hung tasks, shutdownNow during stealing, the queue bound. */
@Timeout(120)
final class FaultTest {

    @Test
    void throwingTasksAreCountedReportedOnceAndTheAgentsLiveOn() throws InterruptedException {
        LongAdder reported = new LongAdder();
        AtomicInteger threadsMade = new AtomicInteger();
        try (Scheduler scheduler = Scheduler.builder().agents(2).threadFactory(r -> {
            threadsMade.incrementAndGet();
            Thread t = new Thread(r);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> reported.increment());
            return t;
        }).build()) {
            CountDownLatch ran = new CountDownLatch(300);
            for (int i = 0; i < 200; i++) {
                scheduler.execute(() -> {
                    ran.countDown();
                    throw new IllegalStateException("boom");
                });
            }
            for (int i = 0; i < 100; i++) {
                scheduler.execute(ran::countDown);
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(200, scheduler.metrics().failed());
            assertEquals(300, scheduler.metrics().completed());
            assertEquals(200, reported.sum(), "each failure reported exactly once");
            assertEquals(2, threadsMade.get(), "an exception does not cost the agent its thread");
        }
    }

    @Test
    void anErrorInASubmittedTaskFailsItsFutureAndTheAgentIsReplaced() throws Exception {
        AtomicInteger threadsMade = new AtomicInteger();
        try (Scheduler scheduler = Scheduler.builder().agents(1).threadFactory(r -> {
            threadsMade.incrementAndGet();
            Thread t = new Thread(r);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> { });
            return t;
        }).build()) {
            TaskFuture<Object> failing = scheduler.submit(() -> {
                throw new StackOverflowError("deep");
            });
            AtomicLong ran = new AtomicLong();
            List<TaskFuture<?>> after = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                after.add(scheduler.submit(ran::incrementAndGet));
            }
            java.util.concurrent.ExecutionException e =
                    assertThrows(java.util.concurrent.ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof StackOverflowError);
            for (TaskFuture<?> f : after) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(1000, ran.get(), "work queued behind the error is not lost");
            assertEquals(2, threadsMade.get(), "the agent got a new thread");
            assertEquals(1, scheduler.metrics().failed());
        }
    }

    @Test
    void aHungTaskDoesNotHideItsAgentsQueueAndShutdownNowReturnsPromptly() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch hung = new CountDownLatch(1);
        Scheduler scheduler = Scheduler.builder().agents(2).placementPolicy(AllOnAgentZero.INSTANCE).build();
        try {
            scheduler.execute(() -> {
                hung.countDown();
                // ignores interrupts, as badly behaved tasks do
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // keep hanging
                    }
                }
            });
            assertTrue(hung.await(10, TimeUnit.SECONDS));
            CountDownLatch queued = new CountDownLatch(500);
            for (int i = 0; i < 500; i++) {
                scheduler.execute(queued::countDown);     // all placed behind the hung task
            }
            assertTrue(queued.await(10, TimeUnit.SECONDS), "the other agent stole the hung agent's queue");
            scheduler.shutdown();
            assertFalse(scheduler.awaitTermination(100, TimeUnit.MILLISECONDS), "the hung task is still running");
            long start = System.nanoTime();
            List<Runnable> returned = scheduler.shutdownNow();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "shutdownNow did not return promptly");
            assertTrue(returned.isEmpty(), "nothing was left queued: " + returned.size());
            assertFalse(scheduler.isTerminated());
        } finally {
            release.countDown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /**
     * shutdownNow from another thread while idle agents steal from a loaded one: every task runs
     * once or is returned once, never both, never neither.
     */
    @Test
    void shutdownNowRacingStealingLosesAndDuplicatesNothing() throws Exception {
        Random random = new Random(20261123L);
        int rounds = Boolean.getBoolean("loadstar.stress") ? 500 : 60;
        for (int round = 0; round < rounds; round++) {
            int tasks = 2_000;
            AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
            Map<Runnable, Integer> ids = new IdentityHashMap<>();
            Scheduler scheduler = Scheduler.builder().agents(2 + random.nextInt(3))
                    .placementPolicy(AllOnAgentZero.INSTANCE).spinRounds(random.nextInt(40)).build();
            CyclicBarrier go = new CyclicBarrier(2);
            List<Runnable> returned = new ArrayList<>();
            int stopAfterMicros = random.nextInt(3_000);
            Thread stopper = new Thread(() -> {
                try {
                    go.await();
                    long until = System.nanoTime() + stopAfterMicros * 1_000L;
                    while (System.nanoTime() - until < 0) {
                        Thread.onSpinWait();
                    }
                    returned.addAll(scheduler.shutdownNow());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            stopper.start();
            go.await();
            int rejected = 0;
            boolean[] wasRejected = new boolean[tasks];
            for (int i = 0; i < tasks; i++) {
                int id = i;
                Runnable task = () -> {
                    runs.incrementAndGet(id);
                    Work.burn(500);
                };
                ids.put(task, id);
                try {
                    scheduler.execute(task);
                } catch (RejectedExecutionException e) {
                    wasRejected[i] = true;
                    rejected++;
                }
            }
            stopper.join();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS), "round " + round + " did not terminate");
            boolean[] wasReturned = new boolean[tasks];
            for (Runnable r : returned) {
                Integer id = ids.get(r);
                assertTrue(id != null, "round " + round + ": unknown task returned");
                assertFalse(wasReturned[id], "round " + round + ": task " + id + " returned twice");
                wasReturned[id] = true;
            }
            int executed = 0;
            for (int i = 0; i < tasks; i++) {
                int n = runs.get(i);
                assertTrue(n <= 1, "round " + round + ": task " + i + " ran " + n + " times");
                int outcomes = n + (wasReturned[i] ? 1 : 0) + (wasRejected[i] ? 1 : 0);
                assertEquals(1, outcomes, "round " + round + ": task " + i + " ran " + n + ", returned "
                        + wasReturned[i] + ", rejected " + wasRejected[i]);
                executed += n;
            }
            assertEquals(tasks, executed + returned.size() + rejected);
            assertEquals(rejected, scheduler.metrics().rejected(), "round " + round);
        }
    }

    @Test
    void aFullQueueAbortsWithRejectedExecutionExceptionAndLosesNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Scheduler scheduler = Scheduler.builder().agents(1).maxQueuedTasks(10, RejectionBehaviour.ABORT).build()) {
            CountDownLatch blocking = blockAgent(scheduler, release);
            assertTrue(blocking.await(10, TimeUnit.SECONDS));
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < 10; i++) {
                scheduler.execute(ran::incrementAndGet);
            }
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                    () -> scheduler.execute(ran::incrementAndGet));
            assertTrue(e.getMessage().contains("bound"), e.getMessage());
            assertThrows(RejectedExecutionException.class, () -> scheduler.submit(() -> 1));
            assertEquals(2, scheduler.metrics().rejected());
            assertEquals(10, scheduler.metrics().queued());
            release.countDown();
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(10, ran.get(), "exactly the accepted tasks ran");
        }
    }

    @Test
    void aFullQueueRunsTheTaskInTheCallerWithCallerRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Scheduler scheduler = Scheduler.builder().agents(1).maxQueuedTasks(5, RejectionBehaviour.CALLER_RUNS).build()) {
            assertTrue(blockAgent(scheduler, release).await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 5; i++) {
                scheduler.execute(() -> { });
            }
            Thread[] ranOn = new Thread[1];
            scheduler.execute(() -> ranOn[0] = Thread.currentThread());
            assertSame(Thread.currentThread(), ranOn[0], "ran in the submitting thread, at once");
            TaskFuture<String> viaSubmit = scheduler.submit(() -> Thread.currentThread().getName());
            assertTrue(viaSubmit.isDone(), "a future submitted at the bound is complete on return");
            assertEquals(Thread.currentThread().getName(), viaSubmit.get());
            assertEquals(0, scheduler.metrics().rejected());
            release.countDown();
        }
    }

    @Test
    void aFullQueueDropsAndCountsWithDiscardAndCancelsTheFuture() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Scheduler scheduler = Scheduler.builder().agents(1).maxQueuedTasks(5, RejectionBehaviour.DISCARD).build()) {
            assertTrue(blockAgent(scheduler, release).await(10, TimeUnit.SECONDS));
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < 5; i++) {
                scheduler.execute(ran::incrementAndGet);
            }
            scheduler.execute(ran::incrementAndGet);
            TaskFuture<Integer> dropped = scheduler.submit(ran::incrementAndGet);
            assertTrue(dropped.isCancelled(), "nobody waits forever for a discarded task");
            assertEquals(2, scheduler.metrics().discarded());
            release.countDown();
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(5, ran.get());
        }
    }

    /**
     * Many producers race for the last places below the bound while the only agent is blocked:
     * exactly {@code bound} tasks are accepted, the rest follow the behaviour, and once released
     * exactly the accepted ones (and, with CALLER_RUNS, the callers' ones) have run.
     */
    @Test
    void theBoundIsExactUnderConcurrentProducers() throws Exception {
        for (RejectionBehaviour behaviour : RejectionBehaviour.values()) {
            int bound = 64;
            int producers = 4;
            int perProducer = 5_000;
            LongAdder executed = new LongAdder();
            LongAdder rejectedSeen = new LongAdder();
            CountDownLatch release = new CountDownLatch(1);
            try (Scheduler scheduler = Scheduler.builder().agents(1).maxQueuedTasks(bound, behaviour).build()) {
                assertTrue(blockAgent(scheduler, release).await(10, TimeUnit.SECONDS));
                runProducers(producers, perProducer, scheduler, executed, rejectedSeen, 0);
                long submitted = (long) producers * perProducer;
                assertEquals(bound, scheduler.metrics().queued(), behaviour + ": queued while the agent is blocked");
                switch (behaviour) {
                    case ABORT:
                        assertEquals(submitted - bound, rejectedSeen.sum());
                        break;
                    case DISCARD:
                        assertEquals(submitted - bound, scheduler.metrics().discarded());
                        break;
                    default:
                        assertEquals(submitted - bound, executed.sum(), "the callers ran the overflow");
                }
                release.countDown();
                scheduler.shutdown();
                assertTrue(scheduler.awaitTermination(30, TimeUnit.SECONDS));
                long expected = behaviour == RejectionBehaviour.CALLER_RUNS ? submitted : bound;
                assertEquals(expected, executed.sum(), behaviour.toString());
                assertEquals(rejectedSeen.sum(), scheduler.metrics().rejected(), behaviour.toString());
            }
        }
    }

    /** With agents running: executed + rejected + discarded = submitted, for each behaviour. */
    @Test
    void nothingIsLostAtTheBoundWhileAgentsRun() throws Exception {
        for (RejectionBehaviour behaviour : RejectionBehaviour.values()) {
            int producers = 4;
            int perProducer = 20_000;
            LongAdder executed = new LongAdder();
            LongAdder rejectedSeen = new LongAdder();
            try (Scheduler scheduler = Scheduler.builder().agents(2).maxQueuedTasks(64, behaviour).build()) {
                runProducers(producers, perProducer, scheduler, executed, rejectedSeen, 200);
                scheduler.shutdown();
                assertTrue(scheduler.awaitTermination(30, TimeUnit.SECONDS));
                long submitted = (long) producers * perProducer;
                long discarded = scheduler.metrics().discarded();
                assertEquals(submitted, executed.sum() + rejectedSeen.sum() + discarded, behaviour.toString());
                assertEquals(rejectedSeen.sum(), scheduler.metrics().rejected(), behaviour.toString());
                if (behaviour == RejectionBehaviour.CALLER_RUNS) {
                    assertEquals(submitted, executed.sum(), "caller-runs never drops a task");
                }
            }
        }
    }

    private static void runProducers(int producers, int perProducer, Scheduler scheduler, LongAdder executed,
                                     LongAdder rejectedSeen, int work) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Thread t = new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    try {
                        scheduler.execute(() -> {
                            executed.increment();
                            Work.burn(work);
                        });
                    } catch (RejectedExecutionException e) {
                        rejectedSeen.increment();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** Occupies the single agent until {@code release}; the returned latch opens once it is busy. */
    private static CountDownLatch blockAgent(Scheduler scheduler, CountDownLatch release) {
        CountDownLatch busy = new CountDownLatch(1);
        scheduler.execute(Gate.holdUntil(busy, release));
        return busy;
    }
}
