package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A declared blocking section ({@link Scheduler#managedBlock}, {@link Scheduler#blocking}) keeps the
 * scheduler's parallelism: while every agent's thread is blocked in one, queued work still runs
 * (on the agents' spares), at most one spare per agent, and shutdown still completes.
 */
@Timeout(120)
final class BlockingSectionTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void queuedWorkRunsWhileEveryAgentIsInABlockingSection(int agents) throws Exception {
        Scheduler s = Scheduler.builder().agents(agents).name("blocking-" + agents).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(agents);
        List<TaskFuture<String>> blockers = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            blockers.add(s.submit(() -> {
                blocked.countDown();
                return Scheduler.blocking(() -> {
                    release.await();
                    return "released";
                });
            }, TaskOptions.builder().pinnedTo(i).build()));
        }
        assertTrue(blocked.await(30, TimeUnit.SECONDS), "the blockers did not all start");
        // every agent's thread is blocked now: this work can only run on spares, and it spawns and
        // waits, as work does
        AtomicInteger ran = new AtomicInteger();
        List<TaskFuture<Integer>> work = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            work.add(s.submit(() -> {
                TaskFuture<Integer> child = s.submit(() -> 1);
                ran.incrementAndGet();
                return child.get() + 1;
            }));
        }
        for (TaskFuture<Integer> f : work) {
            assertEquals(2, f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(200, ran.get());
        for (TaskFuture<String> b : blockers) {
            assertFalse(b.isDone(), "the blockers are still blocked");
        }
        assertTrue(spareThreads() <= agents, "more spares than agents: " + spareThreads());
        release.countDown();
        for (TaskFuture<String> b : blockers) {
            assertEquals("released", b.get(30, TimeUnit.SECONDS));
        }
        s.close();
        assertTrue(s.isTerminated());
        // the spares' work counts as their agents' work: the blockers, the 200 and their children
        assertEquals(agents + 400, s.metrics().completed());
    }

    private static long spareThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().endsWith("-spare")).count();
    }

    /** A spare is kept for the next section: a thousand sections on one agent start one thread. */
    @Test
    void aSpareIsReusedAcrossSections() throws Exception {
        Scheduler s = Scheduler.builder().agents(1).name("reuse").build();
        long before = spareThreads();
        s.submit(() -> {
            for (int i = 0; i < 1_000; i++) {
                int v = i;
                assertEquals(v, Scheduler.blocking(() -> v));
            }
            return null;
        }).get(60, TimeUnit.SECONDS);
        assertTrue(spareThreads() - before <= 1, "spare threads started: " + (spareThreads() - before));
        s.close();
        assertTrue(s.isTerminated());
    }

    @Test
    void theSectionsOutcomeIsTheCallersOutcome() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).build()) {
            assertEquals("x", s.submit(() -> Scheduler.blocking(() -> "x")).get(30, TimeUnit.SECONDS));
            Throwable e = assertThrows(java.util.concurrent.ExecutionException.class, () -> s.submit(() ->
                    Scheduler.blocking(() -> {
                        throw new IOException("disk");
                    })).get(30, TimeUnit.SECONDS)).getCause();
            assertTrue(e instanceof IOException && e.getMessage().equals("disk"), String.valueOf(e));
            // a blocker that asks to be called again is called again; outside any scheduler it just runs
            int[] calls = new int[1];
            Scheduler.managedBlock(new ForkJoinPool.ManagedBlocker() {
                @Override
                public boolean block() {
                    return ++calls[0] == 3;
                }

                @Override
                public boolean isReleasable() {
                    return calls[0] == 3;
                }
            });
            assertEquals(3, calls[0]);
            assertThrows(NullPointerException.class, () -> Scheduler.managedBlock(null));
            assertThrows(NullPointerException.class, () -> Scheduler.blocking(null));
        }
    }

    /** shutdownNow while every agent blocks in a section: queued work comes back, and it terminates. */
    @Test
    void shutdownNowEndsBlockingSections() throws Exception {
        Scheduler s = Scheduler.builder().agents(2).build();
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            s.execute(() -> {
                blocked.countDown();
                try {
                    Scheduler.blocking(() -> {
                        never.await();
                        return null;
                    });
                } catch (Exception e) {
                    Thread.currentThread().interrupt();
                }
            }, TaskOptions.builder().pinnedTo(i).build());
        }
        assertTrue(blocked.await(30, TimeUnit.SECONDS));
        CountDownLatch holdSpares = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        for (int i = 0; i < 1_000; i++) {
            s.execute(() -> {
                started.incrementAndGet();
                try {
                    holdSpares.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (started.get() < 2 && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        List<Runnable> returned = s.shutdownNow();
        assertTrue(s.awaitTermination(30, TimeUnit.SECONDS), "did not terminate");
        // every one of the 1,000 either started (and ended) or came back, never both, never neither
        assertEquals(1_000, started.get() + returned.size(), "started " + started.get() + ", returned " + returned.size());
    }
}
