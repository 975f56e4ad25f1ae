package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A task that waits for a future of its own scheduler helps instead of blocking its agent, so the
 * common recursive patterns finish on any number of agents (on a plain pool of two, a recursive
 * Fibonacci with {@code submit(...).get()} deadlocks). Every way of waiting is covered: get, timed
 * get, the CompletableFuture view's join and get, invokeAll and invokeAny.
 */
@Timeout(120)
final class NestedWaitTest {

    /** How a task waits for its subtask. */
    enum Wait { GET, TIMED_GET, JOIN, VIEW_GET }

    private static long fib(Scheduler s, int n, Wait wait) throws Exception {
        if (n < 2) {
            return n;
        }
        TaskFuture<Long> left = s.submit(() -> fib(s, n - 1, wait));
        long right = fib(s, n - 2, wait);
        switch (wait) {
            case GET:
                return left.get() + right;
            case TIMED_GET:
                return left.get(60, TimeUnit.SECONDS) + right;
            case JOIN:
                return left.toCompletableFuture().join() + right;
            default:
                return left.toCompletableFuture().get() + right;
        }
    }

    /** The tasks fib(n) submits: one per call with n >= 2, for the left call, which recurses too. */
    private static long submittedBy(int n) {
        return n < 2 ? 0 : 1 + submittedBy(n - 1) + submittedBy(n - 2);
    }

    private static long fibSequential(int n) {
        return n < 2 ? n : fibSequential(n - 1) + fibSequential(n - 2);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void recursiveFibonacciFinishesWithEveryKindOfWait(int agents) throws Exception {
        for (Wait wait : Wait.values()) {
            Scheduler s = Scheduler.builder().agents(agents).build();
            long result = s.submit(() -> fib(s, 20, wait)).get(60, TimeUnit.SECONDS);
            assertEquals(fibSequential(20), result, wait.name());
            s.close();
            // every task ran exactly once: none twice (by a waiter and by its queue's owner), none lost
            assertEquals(1 + submittedBy(20), s.metrics().completed(), wait.name());
        }
    }

    /** A merge sort that forks the left half, sorts the right half itself, and waits. */
    private static int[] sort(Scheduler s, int[] a, int from, int to) throws Exception {
        if (to - from <= 64) {
            int[] part = Arrays.copyOfRange(a, from, to);
            Arrays.sort(part);
            return part;
        }
        int mid = (from + to) >>> 1;
        Future<int[]> left = s.submit(() -> sort(s, a, from, mid));
        int[] right = sort(s, a, mid, to);
        return merge(left.get(), right);
    }

    private static int[] merge(int[] x, int[] y) {
        int[] out = new int[x.length + y.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < x.length && j < y.length) {
            out[k++] = x[i] <= y[j] ? x[i++] : y[j++];
        }
        while (i < x.length) {
            out[k++] = x[i++];
        }
        while (j < y.length) {
            out[k++] = y[j++];
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void parallelMergeSortFinishes(int agents) throws Exception {
        int[] data = new SplittableRandom(7).ints(200_000).toArray();
        int[] expected = data.clone();
        Arrays.sort(expected);
        try (Scheduler s = Scheduler.builder().agents(agents).build()) {
            int[] sorted = s.submit(() -> sort(s, data, 0, data.length)).get(60, TimeUnit.SECONDS);
            assertTrue(Arrays.equals(expected, sorted));
        }
    }

    /** shutdown() lets running tasks submit and wait as before: the recursion still finishes. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void nestedWaitsFinishAfterShutdown(int agents) throws Exception {
        Scheduler s = Scheduler.builder().agents(agents).build();
        CountDownLatch shutDown = new CountDownLatch(1);
        TaskFuture<Long> result = s.submit(() -> {
            shutDown.await();
            return fib(s, 18, Wait.GET);
        });
        s.shutdown();
        shutDown.countDown();
        assertEquals(fibSequential(18), result.get(60, TimeUnit.SECONDS));
        assertTrue(s.awaitTermination(60, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void invokeAllFromInsideTasksFinishes(int agents) throws Exception {
        try (Scheduler s = Scheduler.builder().agents(agents).build()) {
            // every agent's task fans out and waits: on a plain pool every agent would block
            List<Callable<Long>> outer = new ArrayList<>();
            for (int t = 0; t < 2 * agents; t++) {
                outer.add(() -> {
                    List<Callable<Long>> inner = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        long v = i;
                        inner.add(() -> v);
                    }
                    long sum = 0;
                    for (Future<Long> f : s.invokeAll(inner)) {
                        sum += f.get();
                    }
                    return sum;
                });
            }
            for (Future<Long> f : s.invokeAll(outer, 60, TimeUnit.SECONDS)) {
                assertEquals(1225L, f.get());
            }
            long inside = s.submit(() -> {
                List<Callable<Integer>> inner = List.of(() -> 1, () -> 2);
                int sum = 0;
                for (Future<Integer> f : s.invokeAll(inner, 30, TimeUnit.SECONDS)) {
                    sum += f.get();
                }
                return (long) sum;
            }).get(60, TimeUnit.SECONDS);
            assertEquals(3L, inside);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void invokeAnyFromInsideTasksFinishes(int agents) throws Exception {
        try (Scheduler s = Scheduler.builder().agents(agents).build()) {
            List<TaskFuture<String>> outers = new ArrayList<>();
            for (int t = 0; t < 2 * agents; t++) {
                outers.add(s.submit(() -> s.invokeAny(List.<Callable<String>>of(
                        () -> {
                            throw new IllegalStateException("first fails");
                        },
                        () -> "second"))));
            }
            for (TaskFuture<String> f : outers) {
                assertEquals("second", f.get(60, TimeUnit.SECONDS));
            }
            // all fail: the last failure, as ExecutionException
            ExecutionException e = assertThrows(ExecutionException.class, () -> s.submit(() -> s.invokeAny(
                    List.<Callable<String>>of(() -> {
                        throw new IllegalStateException("boom");
                    }))).get(60, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ExecutionException, String.valueOf(e.getCause()));
            // timed, from inside: the same answer within the limit
            assertEquals("second", s.submit(() -> s.invokeAny(List.<Callable<String>>of(
                    () -> {
                        throw new IllegalStateException("first fails");
                    },
                    () -> "second"), 30, TimeUnit.SECONDS)).get(60, TimeUnit.SECONDS));
        }
    }

    /**
     * A task that waits for a future that only an outside thread can let finish sleeps: the waiting
     * agent's thread burns little CPU over half a second (a spinning wait would burn all of it).
     */
    @Test
    void waitingForWorkOfAnOutsideThreadDoesNotSpin() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Scheduler s = Scheduler.builder().agents(2).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicLong cpu = new AtomicLong(-1);
            TaskFuture<String> blocked = s.submit(() -> {
                release.await();
                return "released";
            });
            TaskFuture<String> waiter = s.submit(() -> {
                long id = Thread.currentThread().getId();
                long before = threads.getThreadCpuTime(id);
                waiting.countDown();
                String value = blocked.get();
                cpu.set(threads.getThreadCpuTime(id) - before);
                return value;
            });
            assertTrue(waiting.await(30, TimeUnit.SECONDS));
            Thread.sleep(500);
            release.countDown();
            assertEquals("released", waiter.get(30, TimeUnit.SECONDS));
            long wallNanos = TimeUnit.MILLISECONDS.toNanos(500);
            assertTrue(cpu.get() < wallNanos / 10, "the waiting agent used " + cpu.get() / 1_000 + " us of CPU in 500 ms");
        }
    }

    /** A completion wakes the waiter at once, not at the end of its back-off. */
    @Test
    void aCompletionWakesTheWaiterPromptly() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).build()) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicLong completedAt = new AtomicLong();
            TaskFuture<String> blocked = s.submit(() -> {
                release.await();
                completedAt.set(System.nanoTime());
                return "released";
            });
            TaskFuture<Long> waiter = s.submit(() -> {
                blocked.get();
                return System.nanoTime();
            });
            Thread.sleep(200);  // the waiter is deep in its back-off by now
            release.countDown();
            long lag = waiter.get(30, TimeUnit.SECONDS) - completedAt.get();
            // a back-off tick is 1 ms; a wake-up by the completion takes microseconds (a loaded
            // machine can still deschedule the waiter, hence the margin)
            assertTrue(lag < TimeUnit.MILLISECONDS.toNanos(50), "woke " + lag / 1_000 + " us after the completion");
        }
    }

    /** get() inside a task stays interruptible: cancel(true) of the waiting task ends its wait. */
    @Test
    void aHelpingGetIsInterruptible() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).build()) {
            CountDownLatch never = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicReference<Throwable> seen = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            TaskFuture<String> blocked = s.submit(() -> {
                started.countDown();
                never.await();
                return "never";
            });
            assertTrue(started.await(30, TimeUnit.SECONDS));   // running elsewhere, not run by the wait
            TaskFuture<?> waiter = s.submit(() -> {
                waiting.countDown();
                try {
                    blocked.get();
                } catch (Throwable t) {
                    seen.set(t);
                }
            });
            assertTrue(waiting.await(30, TimeUnit.SECONDS));
            Thread.sleep(50);
            waiter.cancel(true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seen.get() == null && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            assertTrue(seen.get() instanceof InterruptedException, String.valueOf(seen.get()));
            blocked.cancel(true);
        }
    }

    /** A timed get inside a task, on a task running elsewhere, times out on time. */
    @Test
    void aHelpingTimedGetTimesOut() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).build()) {
            CountDownLatch never = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            TaskFuture<String> blocked = s.submit(() -> {
                started.countDown();
                never.await();
                return "never";
            });
            assertTrue(started.await(30, TimeUnit.SECONDS));
            TaskFuture<Long> waited = s.submit(() -> {
                long t0 = System.nanoTime();
                assertThrows(TimeoutException.class, () -> blocked.get(100, TimeUnit.MILLISECONDS));
                return System.nanoTime() - t0;
            });
            long nanos = waited.get(60, TimeUnit.SECONDS);
            assertTrue(nanos >= TimeUnit.MILLISECONDS.toNanos(100), nanos + " ns");
            assertTrue(nanos < TimeUnit.SECONDS.toNanos(10), nanos + " ns");
            blocked.cancel(true);
        }
    }
}
