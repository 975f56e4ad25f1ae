package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent serves each of its shared queues (pinned, inbox, global) within a bounded number of
 * tasks, whatever another one holds: a queue that never empties — a task that keeps submitting its
 * successor there — cannot keep the others waiting while no other agent is free to take them.
 *
 * <p>With one agent there is no thief, so only the agent's own order decides. Found by
 * {@code SkewedLoadBenchmark}'s design work (issue 12): the agent always looked at its pinned
 * queue first, on the fairness turn too, so a self-resubmitting pinned task starved every task
 * placed on the agent from outside.
 */
final class SharedQueueStarvationTest {
    private static final TaskOptions PINNED = TaskOptions.builder().pinnedTo(0).build();
    private static final int OUTSIDE_TASKS = 10;

    @Test
    @Timeout(60)
    void aPinnedTaskThatResubmitsItselfDoesNotStarveTheInbox() throws InterruptedException {
        try (Scheduler scheduler = Scheduler.builder().name("starve").agents(1).build()) {
            AtomicBoolean keepGoing = new AtomicBoolean(true);
            AtomicLong chainRuns = new AtomicLong();
            CountDownLatch chainStarted = new CountDownLatch(1);
            Runnable chain = new Runnable() {
                @Override
                public void run() {
                    chainRuns.incrementAndGet();
                    chainStarted.countDown();
                    Work.burn(2_000);
                    if (keepGoing.get()) {
                        scheduler.execute(this, PINNED);
                    }
                }
            };
            scheduler.execute(chain, PINNED);
            assertTrue(chainStarted.await(10, TimeUnit.SECONDS), "the chain did not start");

            CountDownLatch outside = new CountDownLatch(OUTSIDE_TASKS);
            for (int i = 0; i < OUTSIDE_TASKS; i++) {
                scheduler.execute(outside::countDown);
            }
            boolean served = outside.await(5, TimeUnit.SECONDS);
            long runsMeanwhile = chainRuns.get();
            keepGoing.set(false);
            assertTrue(served, "tasks from outside still waiting after 5 s: " + outside.getCount() + " of "
                    + OUTSIDE_TASKS + ", while the pinned chain ran " + runsMeanwhile + " times");
        }
    }

    @Test
    @Timeout(60)
    void tasksFromOutsideThatResubmitThemselvesPinnedDoNotStarveAPinnedTask() throws InterruptedException {
        // the converse: a stream through the inbox, and a pinned task waiting
        try (Scheduler scheduler = Scheduler.builder().name("starve").agents(1).build()) {
            AtomicBoolean keepGoing = new AtomicBoolean(true);
            CountDownLatch started = new CountDownLatch(1);
            Runnable stream = new Runnable() {
                @Override
                public void run() {
                    started.countDown();
                    Work.burn(2_000);
                    if (keepGoing.get()) {
                        scheduler.execute(this);    // from inside: the agent's deque
                    }
                }
            };
            scheduler.execute(stream);
            assertTrue(started.await(10, TimeUnit.SECONDS), "the stream did not start");
            CountDownLatch pinnedRan = new CountDownLatch(1);
            scheduler.execute(pinnedRan::countDown, PINNED);
            boolean served = pinnedRan.await(5, TimeUnit.SECONDS);
            keepGoing.set(false);
            assertTrue(served, "a pinned task still waiting after 5 s behind a stream of spawned tasks");
        }
    }

    @Test
    @Timeout(60)
    void theInboxAndThePinnedQueueBothKeepMovingWhileEachHasAChain() throws InterruptedException {
        try (Scheduler scheduler = Scheduler.builder().name("starve").agents(1).build()) {
            AtomicBoolean keepGoing = new AtomicBoolean(true);
            AtomicLong pinnedRuns = new AtomicLong();
            AtomicLong outsideRuns = new AtomicLong();
            Runnable pinnedChain = new Runnable() {
                @Override
                public void run() {
                    pinnedRuns.incrementAndGet();
                    Work.burn(1_000);
                    if (keepGoing.get()) {
                        scheduler.execute(this, PINNED);
                    }
                }
            };
            scheduler.execute(pinnedChain, PINNED);
            // outside tasks keep arriving through the inbox, one every 100 µs, for 1 s
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            int submitted = 0;
            while (end - System.nanoTime() > 0) {
                scheduler.execute(outsideRuns::incrementAndGet);
                submitted++;
                TimeUnit.MICROSECONDS.sleep(100);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (outsideRuns.get() < submitted && deadline - System.nanoTime() > 0) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            keepGoing.set(false);
            assertEquals(submitted, outsideRuns.get(), "tasks from outside run while a pinned chain runs");
            assertTrue(pinnedRuns.get() > 1, "the pinned chain kept running too: " + pinnedRuns.get());
        }
    }
}
