package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nested waits under every ordering policy: a task that submits a subtask and waits for it helps
 * (runs the subtask, or other work) instead of blocking its agent, so recursion finishes on 1, 2
 * and 4 agents, in per-agent and GLOBAL scope, before and after shutdown(), and every task runs
 * exactly once (the waiter's run and the backlog's stale entry never both run it).
 */
@Timeout(300)
final class NestedWaitPolicyTest {

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String policy : new String[] {"fifo", "edf", "cfs", "wfq", "mlfq"}) {
            for (int agents : new int[] {1, 2, 4}) {
                cases.add(Arguments.of(policy, agents, OrderingScope.PER_AGENT));
                if (!policy.equals("fifo")) {
                    cases.add(Arguments.of(policy, agents, OrderingScope.GLOBAL));
                }
            }
        }
        return cases;
    }

    private static Scheduler build(String policy, int agents, OrderingScope scope) {
        return Scheduler.builder().agents(agents).orderingPolicy(policy).orderingScope(scope).build();
    }

    private static long fib(Scheduler s, int n) throws Exception {
        if (n < 2) {
            return n;
        }
        TaskFuture<Long> left = s.submit(() -> fib(s, n - 1));
        long right = fib(s, n - 2);
        return left.get() + right;
    }

    private static long tasksOf(int n) {
        return n < 2 ? 0 : 1 + tasksOf(n - 1) + tasksOf(n - 2);
    }

    private static int[] sort(Scheduler s, int[] a, int from, int to) throws Exception {
        if (to - from <= 256) {
            int[] part = Arrays.copyOfRange(a, from, to);
            Arrays.sort(part);
            return part;
        }
        int mid = (from + to) >>> 1;
        Future<int[]> left = s.submit(() -> sort(s, a, from, mid));
        Future<int[]> right = s.submit(() -> sort(s, a, mid, to));
        int[] x = left.get();
        int[] y = right.get();
        int[] out = new int[x.length + y.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < x.length && j < y.length) {
            out[k++] = x[i] <= y[j] ? x[i++] : y[j++];
        }
        System.arraycopy(x, i, out, k, x.length - i);
        System.arraycopy(y, j, out, k + x.length - i, y.length - j);
        return out;
    }

    @ParameterizedTest(name = "{0} {2} on {1} agents")
    @MethodSource("cases")
    void recursionFinishesAndEveryTaskRunsOnce(String policy, int agents, OrderingScope scope) throws Exception {
        Scheduler s = build(policy, agents, scope);
        assertEquals(2_584L, s.submit(() -> fib(s, 18)).get(60, TimeUnit.SECONDS));
        int[] data = new SplittableRandom(agents).ints(50_000).toArray();
        int[] expected = data.clone();
        Arrays.sort(expected);
        assertArrayEquals(expected, s.submit(() -> sort(s, data, 0, data.length)).get(60, TimeUnit.SECONDS));
        s.close();
        long sortTasks = s.metrics().completed() - 2 - tasksOf(18);
        assertTrue(sortTasks > 0, "sort tasks " + sortTasks);
        assertEquals(0, s.metrics().failed());
        assertEquals(0, s.metrics().queued(), "nothing left queued: stale entries were dropped, none lost");
    }

    @ParameterizedTest(name = "{0} {2} on {1} agents")
    @MethodSource("cases")
    void recursionFinishesAfterShutdown(String policy, int agents, OrderingScope scope) throws Exception {
        Scheduler s = build(policy, agents, scope);
        CountDownLatch shutDown = new CountDownLatch(1);
        TaskFuture<Long> result = s.submit(() -> {
            shutDown.await();
            return fib(s, 16);
        });
        s.shutdown();
        shutDown.countDown();
        assertEquals(987L, result.get(60, TimeUnit.SECONDS));
        assertTrue(s.awaitTermination(60, TimeUnit.SECONDS));
        assertEquals(1 + tasksOf(16), s.metrics().completed());
    }
}
