package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.metrics.SchedulerHistory;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.metrics.WindowFigures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The history: bounded, in time order, ending with the final counts, and the window figures over it. */
@Timeout(60)
final class HistoryTest {

    @Test
    void theRingIsBoundedAndInTimeOrder() throws Exception {
        Scheduler s = Scheduler.builder().agents(2).name("ring").coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(10)).historySize(5).build())
                .build();
        Thread coordinator = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("ring-coordinator")).findFirst().orElseThrow();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.history().samples().size() < 5) {
                assertTrue(System.nanoTime() - deadline < 0, "fewer than 5 snapshots in 10 s");
                Thread.sleep(10);
            }
            Thread.sleep(100);      // ten more intervals: the ring must still hold 5
            List<SchedulerMetrics> samples = s.history().samples();
            assertEquals(5, samples.size());
            for (int i = 1; i < samples.size(); i++) {
                assertTrue(samples.get(i).uptimeNanos() > samples.get(i - 1).uptimeNanos(), "time order");
            }
            assertTrue(samples.get(0).uptimeNanos() >= TimeUnit.MILLISECONDS.toNanos(50), "the oldest were dropped");
        } finally {
            s.shutdown();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
        coordinator.join(5_000);
        assertFalse(coordinator.isAlive(), "the coordinator thread exits with its scheduler");
    }

    /**
     * Read after termination, the history ends with the final counts, and its window figures keep
     * what the snapshot's "now" figures no longer show: the load that was queued while work ran.
     */
    @Test
    void afterTerminationTheHistoryKeepsTheLoadThatWasQueued() throws Exception {
        Scheduler s = Scheduler.builder().agents(2).coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(10)).build()).build();
        int n = 400;
        CountDownLatch done = new CountDownLatch(n);
        TaskOptions onAgentZero = TaskOptions.builder().pinnedTo(0).build();
        for (int i = 0; i < n; i++) {
            // all on agent 0, 0.5 ms each: agent 0's queue stays long for about 200 ms, agent 1's empty
            s.execute(() -> {
                long until = System.nanoTime() + 500_000;
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
                done.countDown();
            }, onAgentZero);
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        s.shutdown();
        assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        SchedulerMetrics now = s.metrics();
        assertEquals(0.0, now.loadVariance(), "nothing is queued any more");
        SchedulerHistory history = s.history();
        assertEquals(n, history.latest().completed(), "the history ends with the final counts");
        WindowFigures whole = history.whole();
        assertEquals(n, whole.completed() + history.samples().get(0).completed());
        assertTrue(whole.meanLoadVariance() > 1, "agent 0 held a long queue and agent 1 none: " + whole);
        assertTrue(whole.throughputPerSecond() > 0 && whole.utilization() > 0 && whole.utilization() <= 1, whole.toString());
        WindowFigures recent = history.window(Duration.ofMillis(30));
        assertTrue(recent.samples() <= history.samples().size(), recent.toString());
    }

    @Test
    void windowFiguresAreDifferencesAndMeans() throws Exception {
        Scheduler s = Scheduler.builder().agents(1).coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(10)).build()).build();
        try {
            for (int i = 0; i < 100; i++) {
                s.submit(() -> { }).get(10, TimeUnit.SECONDS);
            }
            Thread.sleep(50);
        } finally {
            s.shutdown();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
        List<SchedulerMetrics> samples = s.history().samples();
        SchedulerMetrics first = samples.get(0);
        SchedulerMetrics last = samples.get(samples.size() - 1);
        WindowFigures w = WindowFigures.of(samples);
        assertEquals(last.completed() - first.completed(), w.completed());
        assertEquals((last.uptimeNanos() - first.uptimeNanos()) / 1e9, w.seconds(), 1e-9);
        assertEquals(w.completed() / w.seconds(), w.throughputPerSecond(), 1e-6);
        assertEquals(last.migrations() - first.migrations(), w.migrations());
        WindowFigures one = WindowFigures.of(List.of(last));
        assertEquals(0, one.completed());
        assertEquals(0.0, one.throughputPerSecond());
        assertEquals(1, one.samples());
    }

    @Test
    void badInputIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoordinatorConfig.builder().historyInterval(Duration.ofMillis(5)));
        assertTrue(e.getMessage().contains("historyInterval"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CoordinatorConfig.builder().historyInterval(Duration.ofHours(2)));
        assertThrows(NullPointerException.class, () -> CoordinatorConfig.builder().historyInterval(null));
        e = assertThrows(IllegalArgumentException.class, () -> CoordinatorConfig.builder().historySize(1));
        assertTrue(e.getMessage().contains("historySize"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WindowFigures.of(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new SchedulerHistory(1, List.of()).window(Duration.ofSeconds(-1)));
        assertEquals(WindowFigures.none(), new SchedulerHistory(1, List.of()).window(Duration.ofSeconds(1)));
        assertEquals(0, WindowFigures.none().samples());
        assertThrows(IllegalStateException.class, () -> new SchedulerHistory(1, List.of()).latest());
    }

    @Test
    void historyOffMeansNoCoordinatorThreadAndAnEmptyHistory() throws Exception {
        Scheduler s = Scheduler.builder().agents(1).name("no-history").coordinator(CoordinatorConfig.builder().historyInterval(Duration.ZERO).build()).build();
        try {
            assertTrue(s.history().isEmpty());
            assertFalse(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("no-history-coordinator")));
        } finally {
            s.shutdown();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertTrue(s.history().isEmpty());
    }
}
