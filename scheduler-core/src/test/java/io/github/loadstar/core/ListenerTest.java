package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Listener events match what happened; a throwing listener harms nothing. */
@Timeout(60)
final class ListenerTest {

    /** Counts every event. */
    static final class Counting implements SchedulerListener {
        final LongAdder submitted = new LongAdder();
        final LongAdder started = new LongAdder();
        final LongAdder completed = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder stolenTasks = new LongAdder();
        final LongAdder migrated = new LongAdder();
        final LongAdder localSubmissions = new LongAdder();

        @Override
        public void onSubmitted(Object task, TaskOptions options, int agent) {
            submitted.increment();
        }

        @Override
        public void onStarted(Object task, int agent) {
            started.increment();
        }

        @Override
        public void onCompleted(Object task, int agent, long runNanos) {
            assertTrue(runNanos >= 0);
            completed.increment();
        }

        @Override
        public void onFailed(Object task, int agent, Throwable error) {
            failed.increment();
        }

        @Override
        public void onStolen(int thief, int victim, int tasks) {
            assertTrue(thief != victim && tasks > 0);
            stolenTasks.add(tasks);
        }

        @Override
        public void onMigrated(Object task, int from, int to) {
            migrated.increment();
        }
    }

    @Test
    void eventsMatchTheWorkAndTheSteals() throws Exception {
        Counting listener = new Counting();
        int n = 2_000;
        try (Scheduler scheduler = Scheduler.builder().agents(3).placementPolicy(AllOnAgentZero.INSTANCE).listener(listener)
                .threadFactory(QuietThreads.FACTORY).build()) {
            CountDownLatch done = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                int id = i;
                scheduler.execute(() -> {
                    if (id == 0) {
                        // hold agent 0 until a thief has taken some of its queue (bounded): the
                        // rest of the work takes ~10 ms, which a loaded machine may not grant a thief
                        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (listener.stolenTasks.sum() == 0 && System.nanoTime() - until < 0) {
                            Thread.onSpinWait();
                        }
                    }
                    Work.burn(5_000);
                    done.countDown();
                    if (id % 10 == 0) {
                        throw new IllegalStateException("expected by the test");
                    }
                });
            }
            assertTrue(done.await(20, TimeUnit.SECONDS));
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(n, listener.submitted.sum());
            assertEquals(n, listener.started.sum());
            assertEquals(n / 10, listener.failed.sum());
            assertEquals(n - n / 10, listener.completed.sum());
            assertTrue(listener.stolenTasks.sum() > 0, "some tasks were stolen");
            assertTrue(listener.migrated.sum() <= listener.stolenTasks.sum(),
                    "a migration event only for a stolen task (one whose owner was busy)");
            assertEquals(scheduler.metrics().migrations(), listener.migrated.sum());
        }
    }

    @Test
    void aThrowingListenerIsCountedAndHarmsNoTask() throws Exception {
        SchedulerListener broken = new SchedulerListener() {
            @Override
            public void onStarted(Object task, int agent) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onSubmitted(Object task, TaskOptions options, int agent) {
                throw new IllegalStateException("listener bug");
            }
        };
        Counting counting = new Counting();
        try (Scheduler scheduler = Scheduler.builder().agents(2).listener(broken).listener(counting).build()) {
            CountDownLatch done = new CountDownLatch(100);
            for (int i = 0; i < 100; i++) {
                scheduler.execute(done::countDown);
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(200, scheduler.metrics().listenerErrors(), "each broken event counted");
            assertEquals(0, scheduler.metrics().failed(), "the tasks themselves did not fail");
            assertEquals(100, scheduler.metrics().completed());
        }
    }

    @Test
    void submissionsFromInsideATaskStayOnItsAgentEvenWithACustomThreadFactory() throws Exception {
        int[] wrongAgent = new int[1];
        CountDownLatch done = new CountDownLatch(1 + 500);
        int[] parentAgent = {-1};
        Runnable[] parent = new Runnable[1];
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onStarted(Object task, int agent) {
                if (parentAgent[0] < 0) {
                    parentAgent[0] = agent;
                }
            }

            @Override
            public void onSubmitted(Object task, TaskOptions options, int agent) {
                // the parent's own submission event may come after it started, on another agent
                if (parentAgent[0] >= 0 && task != parent[0] && agent != parentAgent[0]) {
                    wrongAgent[0]++;
                }
            }
        };
        try (Scheduler scheduler = Scheduler.builder().agents(4).listener(listener)
                .threadFactory(r -> new Thread(r, "custom")).build()) {
            parent[0] = () -> {
                for (int i = 0; i < 500; i++) {
                    scheduler.execute(done::countDown);
                }
                done.countDown();
            };
            scheduler.execute(parent[0]);
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(0, wrongAgent[0], "every nested submission was queued on the parent's agent");
    }
}
