package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scheduler's future against the races its one state word must settle: cancel (with and without
 * interrupt) against the claim, the run and the completion; waiters from outside against the
 * completion; a failing task against cancel. Rounds are seeded, and the cancel comes after a random
 * spin so that it lands before, at and after the start.
 */
class FutureRaceTest {
    private static final int ROUNDS = 3_000;

    /**
     * Every round: a victim task that is cancelled at a random moment, and a witness that runs after
     * it on the same (single) agent. Exactly one of "completed normally, ran once" and "cancelled,
     * ran at most once" holds; cancel(true) never hangs; an interrupt aimed at the victim never
     * reaches the witness; the counts add up: each task either ran or was counted cancelled.
     */
    @ParameterizedTest(name = "mayInterrupt={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(60)
    void cancelRacingTheStartSettlesEachTaskOnce(boolean mayInterrupt) throws Exception {
        Scheduler s = Scheduler.builder().agents(1).name("future-race").build();
        SplittableRandom random = new SplittableRandom(0x5eed_7L);
        AtomicInteger witnessesInterrupted = new AtomicInteger();
        int cancelledBeforeStart = 0;
        int ranTotal = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                AtomicInteger ran = new AtomicInteger();
                int work = random.nextInt(200);
                TaskFuture<Integer> victim = s.submit(() -> {
                    ran.incrementAndGet();
                    long sum = 0;
                    for (int i = 0; i < work * 20; i++) {
                        sum += i;
                        if (Thread.currentThread().isInterrupted()) {
                            throw new InterruptedException();
                        }
                    }
                    return (int) (sum & 1);
                });
                TaskFuture<?> witness = s.submit(() -> {
                    if (Thread.currentThread().isInterrupted()) {
                        witnessesInterrupted.incrementAndGet();
                    }
                });
                int spin = random.nextInt(2_000);
                for (int i = 0; i < spin; i++) {
                    Thread.onSpinWait();
                }
                boolean cancelled = victim.cancel(mayInterrupt);
                witness.get(10, TimeUnit.SECONDS);
                assertTrue(victim.isDone(), "round " + round + ": done after cancel");
                if (cancelled) {
                    assertTrue(victim.isCancelled(), "round " + round);
                    assertThrows(CancellationException.class, victim::get);
                    assertTrue(ran.get() <= 1, "round " + round + ": ran " + ran.get() + " times");
                    if (ran.get() == 0) {
                        cancelledBeforeStart++;
                    }
                } else {
                    assertFalse(victim.isCancelled(), "round " + round);
                    assertTrue(victim.get() >= 0);
                    assertEquals(1, ran.get(), "round " + round + ": completed normally, so ran once");
                }
                ranTotal += ran.get();
            }
        } finally {
            s.shutdown();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(0, witnessesInterrupted.get(), "an interrupt aimed at a cancelled task reached the next task");
        assertEquals(2L * ROUNDS, s.metrics().completed() + s.metrics().cancelled(),
                "every task either ran or was counted as cancelled before it started");
        assertEquals(cancelledBeforeStart, s.metrics().cancelled());
        assertEquals(ROUNDS + ranTotal, s.metrics().completed());
    }

    /**
     * Threads outside the scheduler block in get() and timed get() on tasks that complete at random
     * moments: every waiter wakes with the task's outcome (no lost wake-up), in time.
     */
    @Test
    @Timeout(60)
    void outsideWaitersAlwaysWake() throws Exception {
        Scheduler s = Scheduler.builder().agents(2).name("future-waiters").build();
        SplittableRandom random = new SplittableRandom(42);
        try {
            for (int round = 0; round < 500; round++) {
                CountDownLatch go = new CountDownLatch(1);
                boolean fails = random.nextBoolean();
                int value = random.nextInt();
                TaskFuture<Integer> f = s.submit(() -> {
                    go.await();
                    if (fails) {
                        throw new IllegalStateException("planned " + value);
                    }
                    return value;
                });
                List<Thread> waiters = new ArrayList<>();
                AtomicReference<Throwable> wrong = new AtomicReference<>();
                for (int w = 0; w < 3; w++) {
                    boolean timed = w == 1;
                    Thread t = new Thread(() -> {
                        try {
                            int got = timed ? f.get(10, TimeUnit.SECONDS) : f.get();
                            if (fails || got != value) {
                                wrong.set(new AssertionError("got " + got));
                            }
                        } catch (ExecutionException e) {
                            if (!fails || !(e.getCause() instanceof IllegalStateException)) {
                                wrong.set(e);
                            }
                        } catch (InterruptedException | TimeoutException | RuntimeException e) {
                            wrong.set(e);
                        }
                    });
                    t.start();
                    waiters.add(t);
                }
                if (random.nextBoolean()) {
                    Thread.sleep(0, random.nextInt(100_000));
                }
                go.countDown();
                for (Thread t : waiters) {
                    t.join(10_000);
                    if (t.isAlive()) {
                        fail("round " + round + ": a waiter did not wake");
                    }
                }
                if (wrong.get() != null) {
                    throw new AssertionError("round " + round, wrong.get());
                }
            }
        } finally {
            s.shutdown();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** A timed get from outside times out on a task that does not finish, and an interrupted one throws at once. */
    @Test
    @Timeout(30)
    void timedGetTimesOutAndInterruptWins() throws Exception {
        Scheduler s = Scheduler.builder().agents(1).name("future-timeout").build();
        CountDownLatch release = new CountDownLatch(1);
        try {
            TaskFuture<String> f = s.submit(() -> {
                release.await();
                return "late";
            });
            long start = System.nanoTime();
            assertThrows(TimeoutException.class, () -> f.get(50, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            assertThrows(TimeoutException.class, () -> f.get(0, TimeUnit.NANOSECONDS));
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> f.get(1, TimeUnit.SECONDS));
            assertFalse(Thread.currentThread().isInterrupted(), "InterruptedException clears the flag");
            release.countDown();
            assertEquals("late", f.get(10, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            s.shutdown();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
