package io.github.loadstar.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The owner pushes and pops while several thieves steal (single and batched) from a deque that
 * starts tiny, so it grows under contention. Every task must be taken exactly once: no loss, no
 * duplicate. Each round is a fresh deque; rounds and sizes grow under {@code -Dloadstar.stress=true}.
 */
final class WorkStealingDequeStressTest {
    private static final boolean STRESS = Boolean.getBoolean("loadstar.stress");

    /** A task with an identity the test can count. */
    private static final class Task implements Runnable {
        final int id;

        Task(int id) {
            this.id = id;
        }

        @Override
        public void run() {
        }
    }

    @ParameterizedTest(name = "{0} thieves, batch {1}")
    @CsvSource({"1, false", "3, false", "3, true", "6, true"})
    @Timeout(120)
    void everyTaskIsTakenExactlyOnce(int thieves, boolean batch) throws Exception {
        int rounds = STRESS ? 400 : 40;
        int tasksPerRound = STRESS ? 200_000 : 20_000;
        for (int round = 0; round < rounds; round++) {
            runRound(thieves, batch, tasksPerRound, round);
        }
    }

    private static void runRound(int thieves, boolean batch, int taskCount, int round) throws Exception {
        WorkStealingDeque deque = new WorkStealingDeque(2);
        AtomicIntegerArray taken = new AtomicIntegerArray(taskCount);
        AtomicBoolean ownerDone = new AtomicBoolean();
        CyclicBarrier start = new CyclicBarrier(thieves + 1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int k = 0; k < thieves; k++) {
            Thread thief = new Thread(() -> {
                Runnable[] buffer = new Runnable[8];
                try {
                    start.await();
                    while (!ownerDone.get() || !deque.isEmpty()) {
                        if (batch) {
                            int n = deque.stealBatch(buffer, buffer.length);
                            for (int i = 0; i < n; i++) {
                                record(taken, buffer[i]);
                                buffer[i] = null;
                            }
                        } else {
                            Runnable r = deque.steal();
                            if (r != null) {
                                record(taken, r);
                            }
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "thief-" + k);
            threads.add(thief);
            thief.start();
        }
        start.await();
        // The owner: bursts of pushes, then pops some of them back, so owner and thieves race
        // for the last element often.
        int next = 0;
        int burst = 1;
        while (next < taskCount) {
            int end = Math.min(taskCount, next + burst);
            for (; next < end; next++) {
                deque.push(new Task(next));
            }
            for (int i = 0; i < burst / 2 + 1; i++) {
                Runnable r = deque.pop();
                if (r == null) {
                    break;
                }
                record(taken, r);
            }
            burst = burst >= 64 ? 1 : burst * 2 + 1;
        }
        Runnable r;
        while ((r = deque.pop()) != null) {
            record(taken, r);
        }
        ownerDone.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            fail("round " + round + ": " + failures.get(0), failures.get(0));
        }
        for (int i = 0; i < taskCount; i++) {
            assertEquals(1, taken.get(i), "round " + round + ": task " + i + " taken " + taken.get(i) + " times");
        }
        assertTrue(deque.isEmpty());
    }

    private static void record(AtomicIntegerArray taken, Runnable r) {
        if (r == null) {
            throw new AssertionError("a successful take returned null");
        }
        taken.incrementAndGet(((Task) r).id);
    }
}
