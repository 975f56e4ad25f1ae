package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Once the work drains, the agents park: over a second they use (almost) no CPU. */
final class IdleCpuTest {

    @Test
    @Timeout(60)
    void idleAgentsUseNoMeasurableCpu() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadCpuTimeSupported(), "thread CPU time is not supported here");
        mx.setThreadCpuTimeEnabled(true);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        try (Scheduler scheduler = Scheduler.builder().agents(4).threadFactory(r -> {
            Thread t = new Thread(r, "idle-test-agent");
            t.setDaemon(true);
            threads.add(t);
            return t;
        }).build()) {
            // real work first, including stealing, so every agent has been through the search path
            CountDownLatch done = new CountDownLatch(20_000);
            for (int i = 0; i < 20_000; i++) {
                scheduler.execute(() -> {
                    Work.burn(2_000);
                    done.countDown();
                });
            }
            assertTrue(done.await(30, TimeUnit.SECONDS));
            // spin rounds end within microseconds once an agent runs; on a loaded machine an agent
            // may not get a core for a while, so wait for the parks (bounded) instead of sleeping
            long parkDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!allParked(scheduler) && System.nanoTime() - parkDeadline < 0) {
                Thread.sleep(10);
            }
            for (AgentMetrics a : scheduler.metrics().agents()) {
                assertEquals(AgentState.PARKED, a.state(), "agent " + a.index() + " is not parked");
            }
            long before = cpu(mx, threads);
            Thread.sleep(1_000);
            long used = cpu(mx, threads) - before;
            // 10 ms of CPU over 1 s for 4 agents together is 0.25 % of one core per agent
            assertTrue(used < TimeUnit.MILLISECONDS.toNanos(10),
                    "idle agents used " + used / 1_000 + " us of CPU in one second");
        }
    }

    private static boolean allParked(Scheduler scheduler) {
        return scheduler.metrics().agents().stream().allMatch(a -> a.state() == AgentState.PARKED);
    }

    private static long cpu(ThreadMXBean mx, List<Thread> threads) {
        long total = 0;
        for (Thread t : threads) {
            long ns = mx.getThreadCpuTime(t.getId());
            if (ns > 0) {
                total += ns;
            }
        }
        return total;
    }
}
