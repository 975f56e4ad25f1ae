package io.github.loadstar.algorithms.edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.edf.EdfAdmissionControl.AdmissionRejectedException;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerListener;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Periodic tasks on the real runtime (an EDF scheduler with two agents). Checked: a periodic task
 * releases a job every period, like {@code scheduleAtFixedRate}, pinned to the agent that
 * partitioned EDF admission chose (first fit: an agent admits while Σ C/T ≤ 1); a task that fits
 * on no agent is rejected and releases nothing; {@code cancel()}, {@code close()} and a shut-down
 * scheduler stop the releases and give the utilization back. Timing assertions are lower bounds
 * only, with generous time limits: nothing here measures speed.
 */
@Timeout(60)
final class PeriodicTasksTest {
    private static final String PREFIX = "periodic-test-agent-";
    private static final Duration PERIOD = Duration.ofMillis(20);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** Which agents ran each job (by the listener's agent index) and on which threads. */
    private static final class Runs implements SchedulerListener {
        final Map<Object, Set<Integer>> agents = new ConcurrentHashMap<>();
        final Map<Object, AtomicInteger> starts = new ConcurrentHashMap<>();

        @Override
        public void onStarted(Object task, int agent) {
            agents.computeIfAbsent(task, k -> ConcurrentHashMap.newKeySet()).add(agent);
            starts.computeIfAbsent(task, k -> new AtomicInteger()).incrementAndGet();
        }

        int starts(Object job) {
            AtomicInteger n = starts.get(job);
            return n == null ? 0 : n.get();
        }
    }

    /** A job that counts its runs and records its thread names. */
    private static final class Job implements Runnable {
        final AtomicInteger runs = new AtomicInteger();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @Override
        public void run() {
            threads.add(Thread.currentThread().getName());
            runs.incrementAndGet();
        }
    }

    private static Scheduler scheduler(Runs runs) {
        return Scheduler.builder().name("periodic-test").threadNamePrefix(PREFIX).agents(2)
                .orderingPolicy(Policies.edf()).listener(runs).build();
    }

    private static PeriodicTaskSpec spec(String name, int executionMs, Duration period) {
        return new PeriodicTaskSpec(name, Duration.ofMillis(executionMs), period);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + PATIENCE + " waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void jobsAreReleasedEveryPeriodAndRunOnTheirAdmittedAgent() throws Exception {
        Runs runs = new Runs();
        try (Scheduler scheduler = scheduler(runs); PeriodicTasks periodic = new PeriodicTasks(scheduler)) {
            Job a = new Job();
            Job b = new Job();
            long start = System.nanoTime();
            // 0.6 goes to agent 0; 0.5 does not fit beside it and goes to agent 1
            PeriodicTasks.Handle ha = periodic.schedule(spec("a", 12, PERIOD), a);
            PeriodicTasks.Handle hb = periodic.schedule(spec("b", 10, PERIOD), b);
            assertEquals(0, ha.agent());
            assertEquals(1, hb.agent());
            assertEquals(PERIOD, ha.deadline());
            assertEquals("a", ha.spec().name());
            assertFalse(ha.isCancelled());
            assertEquals(0.6, periodic.admission().utilization(0), 1e-12);
            assertEquals(0.5, periodic.admission().utilization(1), 1e-12);

            Thread.sleep(300);
            // over ~300 ms a 20 ms period releases ~15 jobs; at least 8 (a lower bound only)
            await("8 releases and runs of each job", () -> ha.releases() >= 8 && hb.releases() >= 8
                    && a.runs.get() >= 8 && b.runs.get() >= 8);
            // fixed rate, not faster: at most one release per elapsed period, plus the one at time 0
            long released = ha.releases();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(released <= elapsedMs / PERIOD.toMillis() + 1, released + " releases in " + elapsedMs + " ms");

            assertEquals(Set.of(0), runs.agents.get(a), "every job of a ran on agent 0");
            assertEquals(Set.of(1), runs.agents.get(b), "every job of b ran on agent 1");
            assertEquals(Set.of(PREFIX + 0), a.threads);
            assertEquals(Set.of(PREFIX + 1), b.threads);
        }
    }

    @Test
    void aTaskThatFitsOnNoAgentIsRejectedAndReleasesNothing() throws Exception {
        Runs runs = new Runs();
        try (Scheduler scheduler = scheduler(runs); PeriodicTasks periodic = new PeriodicTasks(scheduler)) {
            periodic.schedule(spec("a", 12, PERIOD), new Job());
            periodic.schedule(spec("b", 11, PERIOD), new Job());
            Job rejected = new Job();
            AdmissionRejectedException e = assertThrows(AdmissionRejectedException.class,
                    () -> periodic.schedule(spec("c", 10, PERIOD), rejected));
            assertTrue(e.getMessage().contains("'c'") && e.getMessage().contains("0.500000"), e.getMessage());
            assertEquals(0.6, periodic.admission().utilization(0), 1e-12);
            assertEquals(0.55, periodic.admission().utilization(1), 1e-12);
            // exactly the room that is left still fits
            PeriodicTasks.Handle fits = periodic.schedule(spec("d", 9, PERIOD), new Job());
            assertEquals(1, fits.agent());
            assertEquals(1.0, periodic.admission().utilization(1), 1e-12);
            Thread.sleep(5 * PERIOD.toMillis());
            assertEquals(0, rejected.runs.get());
            assertEquals(0, runs.starts(rejected));
            assertThrows(NullPointerException.class, () -> periodic.schedule(null, new Job()));
            assertThrows(NullPointerException.class, () -> periodic.schedule(spec("e", 1, PERIOD), null));
            assertEquals(1.0, periodic.admission().utilization(1), 1e-12);
        }
    }

    @Test
    void cancelStopsReleasesAndGivesTheUtilizationBack() throws Exception {
        Runs runs = new Runs();
        try (Scheduler scheduler = scheduler(runs); PeriodicTasks periodic = new PeriodicTasks(scheduler)) {
            Job job = new Job();
            Job other = new Job();
            PeriodicTasks.Handle handle = periodic.schedule(spec("job", 15, PERIOD), job);
            PeriodicTasks.Handle keeps = periodic.schedule(spec("other", 10, PERIOD), other);
            assertEquals(0, handle.agent());
            await("3 runs", () -> job.runs.get() >= 3);

            handle.cancel();
            assertTrue(handle.isCancelled());
            assertEquals(0.0, periodic.admission().utilization(0));
            long released = handle.releases();
            Thread.sleep(10 * PERIOD.toMillis());
            // a release that had passed its check when cancel() ran may still land; nothing after it
            long finalReleases = handle.releases();
            assertTrue(finalReleases <= released + 1, "no release after cancel: " + released + " → " + finalReleases);
            await("every released job ran", () -> job.runs.get() == handle.releases());

            handle.cancel();    // idempotent: the share is not given back twice
            assertEquals(0.0, periodic.admission().utilization(0));
            assertEquals(0.5, periodic.admission().utilization(1), 1e-12);
            // the other task carries on
            int otherRuns = other.runs.get();
            await("the other task keeps running", () -> other.runs.get() > otherRuns + 2);
            assertFalse(keeps.isCancelled());
            // the returned share is usable again: a full-utilization task fits on agent 0
            assertEquals(0, periodic.schedule(spec("full", 20, PERIOD), new Job()).agent());
        }
    }

    @Test
    void closeStopsEveryTask() throws Exception {
        Runs runs = new Runs();
        try (Scheduler scheduler = scheduler(runs)) {
            PeriodicTasks periodic = new PeriodicTasks(scheduler);
            Job a = new Job();
            Job b = new Job();
            PeriodicTasks.Handle ha = periodic.schedule(spec("a", 12, PERIOD), a);
            PeriodicTasks.Handle hb = periodic.schedule(spec("b", 12, PERIOD), b);
            assertNotEquals(ha.agent(), hb.agent());
            await("both run", () -> a.runs.get() >= 2 && b.runs.get() >= 2);

            periodic.close();
            assertTrue(ha.isCancelled() && hb.isCancelled());
            assertEquals(0.0, periodic.admission().utilization(0));
            assertEquals(0.0, periodic.admission().utilization(1));
            long ra = ha.releases();
            long rb = hb.releases();
            Thread.sleep(10 * PERIOD.toMillis());
            assertTrue(ha.releases() <= ra + 1 && hb.releases() <= rb + 1, "no releases after close: " + ra + " → "
                    + ha.releases() + ", " + rb + " → " + hb.releases());
            await("released jobs still run", () -> a.runs.get() == ha.releases() && b.runs.get() == hb.releases());

            IllegalStateException closed = assertThrows(IllegalStateException.class,
                    () -> periodic.schedule(spec("late", 1, PERIOD), new Job()));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            assertEquals(0.0, periodic.admission().utilization(0));
            periodic.close();   // idempotent
            // the scheduler itself is untouched
            assertFalse(scheduler.isShutdown());
        }
    }

    /**
     * {@code isCancelled()} promises that the utilization has been given back. A watcher thread sees
     * the flag turn true while {@code cancel()} runs on another thread and reads the utilization at
     * once (the cancel used to set the flag first: found when a CI-like run under load read 0.25).
     */
    @Test
    void cancelledMeansTheUtilizationIsBack() throws Exception {
        try (Scheduler scheduler = scheduler(new Runs()); PeriodicTasks periodic = new PeriodicTasks(scheduler)) {
            for (int round = 0; round < 300; round++) {
                PeriodicTasks.Handle handle = periodic.schedule(spec("r" + round, 1, Duration.ofSeconds(4)), new Job());
                int agent = handle.agent();
                java.util.concurrent.atomic.AtomicReference<Double> seen = new java.util.concurrent.atomic.AtomicReference<>();
                java.util.concurrent.CountDownLatch watching = new java.util.concurrent.CountDownLatch(1);
                Thread watcher = new Thread(() -> {
                    watching.countDown();
                    while (!handle.isCancelled()) {
                        Thread.onSpinWait();
                    }
                    seen.set(periodic.admission().utilization(agent));
                });
                watcher.start();
                watching.await();
                handle.cancel();
                watcher.join(PATIENCE.toMillis());
                assertEquals(0.0, seen.get(), "round " + round + ": cancelled, but the agent still counts the"
                        + " task's utilization");
            }
        }
    }

    /**
     * {@code schedule} racing {@code close}: each call either fails with the documented
     * {@code IllegalStateException} or returns a handle that {@code close} cancels; no utilization
     * stays admitted. (Before, a schedule that passed the closed check while close ran could fail
     * with the timer's {@code RejectedExecutionException} and leave its utilization admitted.)
     */
    @Test
    void scheduleRacingCloseLeavesNothingAdmitted() throws Exception {
        try (Scheduler scheduler = scheduler(new Runs())) {
            for (int round = 0; round < 200; round++) {
                PeriodicTasks periodic = new PeriodicTasks(scheduler);
                java.util.List<PeriodicTasks.Handle> handles = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.concurrent.atomic.AtomicReference<Throwable> unexpected = new java.util.concurrent.atomic.AtomicReference<>();
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                int r = round;
                Thread scheduling = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 20; i++) {
                            handles.add(periodic.schedule(spec("r" + r + "-" + i, 1, Duration.ofSeconds(1)), new Job()));
                        }
                    } catch (IllegalStateException closed) {
                        // the documented outcome once closed
                    } catch (Throwable t) {
                        unexpected.set(t);
                    }
                });
                scheduling.start();
                go.countDown();
                if (round % 2 == 0) {
                    Thread.onSpinWait();
                }
                periodic.close();
                scheduling.join(PATIENCE.toMillis());
                assertEquals(null, unexpected.get(), "round " + round);
                for (PeriodicTasks.Handle h : handles) {
                    assertTrue(h.isCancelled(), "round " + round + ": a handle outlived close()");
                }
                for (int agent = 0; agent < 2; agent++) {
                    assertEquals(0.0, periodic.admission().utilization(agent), 1e-12,
                            "round " + round + ": utilization left admitted on agent " + agent);
                }
            }
        }
    }

    /** A task scheduled on a scheduler that has shut down: its first release is refused and cancels it. */
    @Test
    void scheduledAfterShutdownIsCancelledAtItsFirstRelease() throws Exception {
        Scheduler scheduler = scheduler(new Runs());
        scheduler.shutdown();
        try (PeriodicTasks periodic = new PeriodicTasks(scheduler)) {
            for (int i = 0; i < 50; i++) {
                PeriodicTasks.Handle handle = periodic.schedule(spec("late" + i, 1, PERIOD), new Job());
                await("cancelled by the refused release", handle::isCancelled);
                assertEquals(0, handle.releases());
                assertEquals(0.0, periodic.admission().utilization(handle.agent()), 1e-12);
            }
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aShutDownSchedulerCancelsTheHandle() throws Exception {
        Runs runs = new Runs();
        Scheduler scheduler = scheduler(runs);
        try (PeriodicTasks periodic = new PeriodicTasks(scheduler)) {
            Job job = new Job();
            PeriodicTasks.Handle handle = periodic.schedule(spec("job", 5, PERIOD), job);
            await("2 runs", () -> job.runs.get() >= 2);
            scheduler.shutdown();
            await("the handle is cancelled by a rejected release", handle::isCancelled);
            assertEquals(0.0, periodic.admission().utilization(handle.agent()));
            // the cancelling release ran on the single timer thread after every successful one
            long released = handle.releases();
            Thread.sleep(5 * PERIOD.toMillis());
            assertEquals(released, handle.releases());
            assertTrue(scheduler.awaitTermination(PATIENCE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
            assertEquals(released, (long) job.runs.get(), "every accepted release ran before termination");
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void constructorValidatesTheScheduler() {
        assertThrows(NullPointerException.class, () -> new PeriodicTasks(null));
    }
}
