package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.breaker.CircuitBreaker;
import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import io.github.loadstar.algorithms.breaker.CircuitBreakerRegistry;
import io.github.loadstar.algorithms.breaker.CircuitBreakers;
import io.github.loadstar.algorithms.breaker.CircuitState;
import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.allocation.AllocatedBatch;
import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocator;
import io.github.loadstar.core.allocation.Allocators;
import io.github.loadstar.core.allocation.BatchPlacement;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.metrics.AllocationFigures;
import io.github.loadstar.core.metrics.LatencySummary;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults injected into a running scheduler through its public API and SPI: deadlines at the limit
 * the builder accepts, an allocator that throws inside {@code submitAll}, an ordering policy that
 * keeps throwing (and one that fails for a while, then recovers), and cancellations on agents
 * guarded by circuit breakers. Each case checks conservation (every submitted task is executed,
 * returned, rejected or cancelled, and none twice) and that the scheduler still serves new work
 * afterwards.
 */
@Timeout(120)
final class FaultInjectionPolicyTest {
    private static final long WAIT_SECONDS = 30;

    // ------------------------------------------------------------------ helpers

    /** Waits for every future (generously); a future that never completes is a lost task. */
    private static void awaitAll(List<? extends TaskFuture<?>> futures) throws InterruptedException {
        for (TaskFuture<?> f : futures) {
            try {
                f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError("a task failed: " + f, e);
            } catch (TimeoutException e) {
                throw new AssertionError("a task was lost (its future never completed): " + f, e);
            }
        }
    }

    /** New work after the fault: a movable task and one pinned to each agent, all of which must run. */
    private static void servesNewWork(Scheduler scheduler, TaskOptions movable) throws InterruptedException {
        List<TaskFuture<?>> fresh = new ArrayList<>();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            fresh.add(scheduler.submit(ran::incrementAndGet, movable));
        }
        for (int i = 0; i < scheduler.agentCount(); i++) {
            fresh.add(scheduler.submit(ran::incrementAndGet, movable.toBuilder().pinnedTo(i).build()));
        }
        awaitAll(fresh);
        assertEquals(fresh.size(), ran.get(), "the scheduler serves new work after the fault");
    }

    private static void terminate(Scheduler scheduler) throws InterruptedException {
        scheduler.shutdown();
        assertTrue(scheduler.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS),
                "the scheduler terminates (nothing left stranded): " + scheduler.metrics());
    }

    private static void nonNegative(long value, String name, Object context) {
        assertTrue(value >= 0, () -> name + " is negative (" + value + "): " + context);
    }

    private static void nonNegative(double value, String name, Object context) {
        assertFalse(Double.isNaN(value), () -> name + " is NaN: " + context);
        assertFalse(Double.isInfinite(value), () -> name + " is infinite: " + context);
        assertTrue(value >= 0, () -> name + " is negative (" + value + "): " + context);
    }

    /**
     * Every figure of a snapshot is a number and none is negative: the counts, the rates, the
     * balance indicators, the queue-latency percentiles, each agent's row. The documented
     * exceptions are left out: an agent's {@code cpuNanos} is -1 where the JVM does not measure it,
     * and {@code allocations().lastObjective()} is NaN without an assignment.
     */
    private static void figuresAreSane(SchedulerMetrics m) {
        nonNegative(m.uptimeNanos(), "uptimeNanos", m);
        nonNegative(m.completed(), "completed", m);
        nonNegative(m.failed(), "failed", m);
        nonNegative(m.cancelled(), "cancelled", m);
        nonNegative(m.queued(), "queued", m);
        nonNegative(m.sharedQueued(), "sharedQueued", m);
        nonNegative(m.rejected(), "rejected", m);
        nonNegative(m.discarded(), "discarded", m);
        nonNegative(m.listenerErrors(), "listenerErrors", m);
        nonNegative(m.strategyErrors(), "strategyErrors", m);
        nonNegative(m.migrations(), "migrations", m);
        nonNegative(m.steals(), "steals", m);
        nonNegative(m.lateStarts(), "lateStarts", m);
        nonNegative(m.deadlineMisses(), "deadlineMisses", m);
        nonNegative(m.migrationRate(), "migrationRate", m);
        nonNegative(m.throughputPerSecond(), "throughputPerSecond", m);
        nonNegative(m.utilization(), "utilization", m);
        nonNegative(m.loadVariance(), "loadVariance", m);
        nonNegative(m.loadCoefficientOfVariation(), "loadCoefficientOfVariation", m);
        nonNegative(m.workCoefficientOfVariation(), "workCoefficientOfVariation", m);
        nonNegative(m.workFairness(), "workFairness", m);
        nonNegative(m.tenantFairness(), "tenantFairness", m);
        LatencySummary q = m.queueLatency();
        nonNegative(q.samples(), "queueLatency.samples", m);
        nonNegative(q.p50(), "queueLatency.p50", m);
        nonNegative(q.p90(), "queueLatency.p90", m);
        nonNegative(q.p99(), "queueLatency.p99", m);
        nonNegative(q.p999(), "queueLatency.p999", m);
        nonNegative(q.max(), "queueLatency.max", m);
        nonNegative(q.mean(), "queueLatency.mean", m);
        assertTrue(q.p50() <= q.p90() && q.p90() <= q.p99() && q.p99() <= q.p999() && q.p999() <= q.max(),
                () -> "queue-latency percentiles out of order: " + q);
        AllocationFigures a = m.allocations();
        nonNegative(a.batches(), "allocations.batches", m);
        nonNegative(a.tasksPlaced(), "allocations.tasksPlaced", m);
        nonNegative(a.allocationNanos(), "allocations.allocationNanos", m);
        nonNegative(a.lastElapsedNanos(), "allocations.lastElapsedNanos", m);
        for (AgentMetrics row : m.agents()) {
            String name = "agent " + row.index() + " ";
            nonNegative(row.queued(), name + "queued", m);
            nonNegative(row.completed(), name + "completed", m);
            nonNegative(row.failed(), name + "failed", m);
            nonNegative(row.cancelled(), name + "cancelled", m);
            nonNegative(row.stealsIn(), name + "stealsIn", m);
            nonNegative(row.stealsOut(), name + "stealsOut", m);
            nonNegative(row.migratedIn(), name + "migratedIn", m);
            nonNegative(row.migratedOut(), name + "migratedOut", m);
            nonNegative(row.parks(), name + "parks", m);
            nonNegative(row.lateStarts(), name + "lateStarts", m);
            nonNegative(row.deadlineMisses(), name + "deadlineMisses", m);
            nonNegative(row.busyNanos(), name + "busyNanos", m);
            nonNegative(row.utilization(), name + "utilization", m);
            assertTrue(row.utilization() <= 1.0, () -> name + "utilization above 1: " + m);
            nonNegative(row.load(), name + "load", m);
            nonNegative(row.capacity(), name + "capacity", m);
            nonNegative(row.breakerTransitions(), name + "breakerTransitions", m);
            nonNegative(row.rerouted(), name + "rerouted", m);
            assertTrue(row.cpuNanos() >= -1, () -> name + "cpuNanos below -1: " + m);
        }
    }

    /** Counts agent threads that died and were replaced, and tasks' terminal events. */
    private static final class Watch implements SchedulerListener {
        final AtomicInteger replaced = new AtomicInteger();
        final AtomicInteger failedEvents = new AtomicInteger();
        /** One permit per onCompleted or onFailed: sent after the agent's breaker heard the outcome. */
        final Semaphore ended = new Semaphore(0);

        @Override
        public void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
            replaced.incrementAndGet();
        }

        @Override
        public void onCompleted(Object task, int agent, long runNanos) {
            ended.release();
        }

        @Override
        public void onFailed(Object task, int agent, Throwable error) {
            failedEvents.incrementAndGet();
            ended.release();
        }

        void awaitEnded(int tasks) throws InterruptedException {
            assertTrue(ended.tryAcquire(tasks, WAIT_SECONDS, TimeUnit.SECONDS),
                    "only " + ended.availablePermits() + " of " + tasks + " tasks reported their end");
        }
    }

    // ------------------------------------------------------------------ 1. deadlines at the limit

    /** One task of the EDF case: its name, options, and where EDF must put it. */
    private record Dated(String name, TaskOptions options, int group, long rank) {
    }

    /**
     * Fault: relative deadlines at the largest value {@link TaskOptions.Builder#deadline} accepts
     * ({@code Long.MAX_VALUE / 2} ns, about 146 years; one nanosecond more is refused), a group an
     * hour shorter, undated tasks and short deadlines (5–14 s), all queued on a one-agent EDF
     * scheduler ({@code Policies.edf()}, defaults) while a gate task holds the agent, in a shuffled
     * order. Must hold: released, they run in EDF order as {@link io.github.loadstar.algorithms.edf.EdfPolicy}
     * defines it — undated tasks (keyed submission + 1 s) first, then the short deadlines by
     * deadline, then the hour-shorter group, then the limit group; within a group of equal
     * relative deadline, in submission order (ties go to the earlier submission) — each exactly
     * once; no task at the limit counts as a late start or a miss (submission + deadline must not
     * overflow into the past); no figure is negative or NaN; new work still runs.
     */
    @Test
    void deadlinesAtTheBuilderLimitRunInEdfOrderAfterTheShortOnes() throws Exception {
        Duration limit = Duration.ofNanos(Long.MAX_VALUE / 2);
        assertEquals(Long.MAX_VALUE / 2, TaskOptions.builder().deadline(limit).build().relativeDeadlineNanos());
        assertThrows(IllegalArgumentException.class, () -> TaskOptions.builder().deadline(limit.plusNanos(1)),
                "the limit is the largest deadline accepted");
        Duration nearLimit = limit.minusHours(1);

        List<Dated> specs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            specs.add(new Dated("short-" + (5 + i) + "s", TaskOptions.builder().deadline(Duration.ofSeconds(5 + i)).build(),
                    1, 5 + i));
        }
        for (int i = 0; i < 12; i++) {
            specs.add(new Dated("limit-" + i, TaskOptions.builder().deadline(limit).build(), 3, -1));
        }
        for (int i = 0; i < 5; i++) {
            specs.add(new Dated("nearLimit-" + i, TaskOptions.builder().deadline(nearLimit).build(), 2, -1));
        }
        for (int i = 0; i < 5; i++) {
            specs.add(new Dated("undated-" + i, TaskOptions.DEFAULT, 0, -1));
        }
        Collections.shuffle(specs, new Random(0xEDFL));
        // groups of equal relative deadline run in submission order: rank them by it
        List<Dated> submitted = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Dated d = specs.get(i);
            submitted.add(d.rank() < 0 ? new Dated(d.name(), d.options(), d.group(), i) : d);
        }
        List<String> expected = submitted.stream()
                .sorted(Comparator.comparingInt(Dated::group).thenComparingLong(Dated::rank))
                .map(Dated::name).toList();

        int n = submitted.size();
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try (Scheduler s = Scheduler.builder().name("edf-limit").agents(1).orderingPolicy(Policies.edf()).build()) {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<TaskFuture<?>> futures = new ArrayList<>();
            long window;
            try {
                s.execute(Gate.holdUntil(held, release));
                assertTrue(held.await(WAIT_SECONDS, TimeUnit.SECONDS));
                long first = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    int id = i;
                    String name = submitted.get(i).name();
                    futures.add(s.submit(() -> {
                        runs.incrementAndGet(id);
                        order.add(name);
                    }, submitted.get(i).options()));
                }
                window = System.nanoTime() - first;
                assertEquals(n, s.metrics().queued(), "all queued behind the gate");
            } finally {
                release.countDown();
            }
            awaitAll(futures);
            // the groups are 1 s or more apart; a submitter stalled for longer would shift the
            // later tasks' absolute deadlines and legitimately change the expected order
            assumeTrue(window < TimeUnit.MILLISECONDS.toNanos(500), "the submitting thread stalled for "
                    + window / 1_000_000 + " ms: the expected order no longer follows from the relative deadlines");
            assertEquals(expected, List.copyOf(order), "EDF order");
            for (int i = 0; i < n; i++) {
                assertEquals(1, runs.get(i), "task " + submitted.get(i).name() + " runs exactly once");
            }
            figuresAreSane(s.metrics());
            servesNewWork(s, TaskOptions.builder().deadline(limit).build());

            terminate(s);
            SchedulerMetrics m = s.metrics();
            int total = 1 + n + 10 + s.agentCount();    // the gate, the batch, the new work
            assertEquals(total, m.completed(), "every task ran once: " + m);
            assertEquals(0, m.failed());
            assertEquals(0, m.cancelled());
            assertEquals(0, m.rejected());
            assertEquals(0, m.queued());
            assertEquals(total, m.queueLatency().samples(), "under an ordering policy every task is timed: " + m);
            // only the ten short tasks can have started or finished late (after a 5 s stall at least)
            assertTrue(m.lateStarts() <= 10, "tasks at the deadline limit counted late: " + m);
            assertTrue(m.deadlineMisses() <= 10, "tasks at the deadline limit counted as misses: " + m);
            figuresAreSane(m);
        }
    }

    // ------------------------------------------------------------------ 2. an allocator that throws

    /** Where the allocation fails. */
    enum AllocatorFault {
        /** The allocator's own {@code allocate} throws. */
        ALLOCATE_THROWS,
        /** The request's progress callback throws inside a real allocator (the genetic one). */
        PROGRESS_CALLBACK_THROWS
    }

    /** An allocator whose {@code allocate} always throws {@code failure}. */
    private static final class ThrowingAllocator implements Allocator {
        final RuntimeException failure;
        final AtomicInteger calls = new AtomicInteger();

        ThrowingAllocator(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public Allocation allocate(AllocationProblem problem, AllocationRequest request) {
            calls.incrementAndGet();
            throw failure;
        }
    }

    private static AllocationProblem problem(int agents, int tasks) {
        AllocationProblem.Builder b = AllocationProblem.builder(agents, tasks);
        for (int i = 0; i < agents; i++) {
            b.capacity(i, 100);
            for (int j = 0; j < tasks; j++) {
                b.demand(j, i, 0, 1 + (i + j) % 3).cost(j, i, 1 + (i * 7 + j) % 5);
            }
        }
        return b.build();
    }

    /**
     * Fault: the allocation throws inside {@link Scheduler#submitAll} — an {@link Allocator} whose
     * {@code allocate} throws, or a progress callback that throws inside the genetic allocator —
     * three batches in a row, pinned or preferred, while every agent is held by a gate. The Javadoc
     * of {@code submitAll} does not name this case; {@code Allocator}'s contract says an exception
     * from the progress callback propagates to the caller, and {@code BatchSubmission} allocates
     * before it submits anything. Must hold: each call either propagates the allocator's exception
     * itself, or returns a result without an assignment that says why; either way nothing of the
     * batch is submitted (queued count unchanged while the gates hold, none of its tasks ever runs,
     * {@code allocations().tasksPlaced()} unchanged, a batch counted only with a status that is not
     * an assignment), and afterwards a batch with a working allocator and plain new work still run.
     */
    @ParameterizedTest
    @EnumSource(AllocatorFault.class)
    void anAllocatorThatThrowsSubmitsNothingOfTheBatch(AllocatorFault fault) throws Exception {
        int agents = 2;
        int tasks = 12;
        AtomicInteger batchRuns = new AtomicInteger();
        List<Callable<Integer>> batch = new ArrayList<>();
        for (int j = 0; j < tasks; j++) {
            batch.add(batchRuns::incrementAndGet);
        }
        Watch watch = new Watch();
        try (Scheduler s = Scheduler.builder().name("alloc-" + fault).agents(agents).listener(watch).build()) {
            CountDownLatch held = new CountDownLatch(agents);
            CountDownLatch release = new CountDownLatch(1);
            try {
                for (int i = 0; i < agents; i++) {
                    s.execute(Gate.holdUntil(held, release), TaskOptions.builder().pinnedTo(i).build());
                }
                assertTrue(held.await(WAIT_SECONDS, TimeUnit.SECONDS));
                int attempt = 0;
                for (BatchPlacement placement : new BatchPlacement[] {BatchPlacement.PINNED, BatchPlacement.PREFERRED,
                        BatchPlacement.PINNED}) {
                    attempt++;
                    IllegalStateException injected = new IllegalStateException("injected allocator fault " + attempt);
                    Allocator allocator;
                    AllocationRequest request;
                    if (fault == AllocatorFault.ALLOCATE_THROWS) {
                        allocator = new ThrowingAllocator(injected);
                        request = AllocationRequest.builder().build();
                    } else {
                        allocator = Allocators.byName("genetic");
                        request = AllocationRequest.builder().timeBudget(Duration.ofSeconds(2))
                                .progress(p -> {
                                    throw injected;
                                }).build();
                    }
                    SchedulerMetrics before = s.metrics();
                    AllocatedBatch<Integer> result = null;
                    RuntimeException thrown = null;
                    try {
                        result = s.submitAll(batch, problem(agents, tasks), allocator, request, placement);
                    } catch (RuntimeException e) {
                        thrown = e;
                    }
                    SchedulerMetrics after = s.metrics();
                    if (thrown != null) {
                        Throwable cause = thrown;
                        while (cause != null && cause != injected) {
                            cause = cause.getCause();
                        }
                        assertSame(injected, cause, "the exception that propagates is (or wraps) the allocator's: "
                                + thrown);
                    } else {
                        assertFalse(result.allocation().found(), "a result despite the fault must have no assignment: "
                                + result.allocation());
                        assertTrue(result.futures().isEmpty(), "no futures without an assignment");
                        assertFalse(result.allocation().reasons().isEmpty(), "the result says why");
                    }
                    if (fault == AllocatorFault.ALLOCATE_THROWS) {
                        assertEquals(1, ((ThrowingAllocator) allocator).calls.get());
                    }
                    assertEquals(before.queued(), after.queued(), "nothing of the batch was queued: " + after);
                    assertEquals(before.completed(), after.completed());
                    AllocationFigures a0 = before.allocations();
                    AllocationFigures a1 = after.allocations();
                    assertEquals(a0.tasksPlaced(), a1.tasksPlaced(), "no task placed: " + a1);
                    assertTrue(a1.batches() == a0.batches() || a1.batches() == a0.batches() + 1, a1::toString);
                    if (a1.batches() > a0.batches()) {
                        assertTrue(a1.lastStatus().equals("INFEASIBLE") || a1.lastStatus().equals("UNKNOWN"),
                                "a counted batch without an assignment: " + a1);
                    }
                    figuresAreSane(after);
                }
            } finally {
                release.countDown();
            }
            // once the agents are free, nothing of the failed batches turns up
            servesNewWork(s, TaskOptions.DEFAULT);
            AllocatedBatch<Integer> working = s.submitAll(batch, problem(agents, tasks), Allocators.byName("lpt"),
                    AllocationRequest.builder().build(), BatchPlacement.PINNED);
            assertTrue(working.allocation().found(), working.allocation()::toString);
            awaitAll(working.futures());
            terminate(s);
            assertEquals(tasks, batchRuns.get(), "only the working batch's tasks ran, each once");
            SchedulerMetrics m = s.metrics();
            assertEquals(agents + 10 + agents + tasks, m.completed(), "gates, new work, the working batch: " + m);
            assertEquals(0, m.failed());
            assertEquals(0, m.cancelled());
            assertEquals(0, m.rejected());
            assertEquals(0, m.queued());
            assertEquals(tasks, m.allocations().tasksPlaced(), m.allocations()::toString);
            assertEquals("lpt", m.allocations().lastAllocator());
            figuresAreSane(m);
        }
        assertEquals(0, watch.replaced.get(), "no agent thread died");
    }

    // ------------------------------------------------------------------ 3. an ordering policy that keeps throwing

    /** How the user's ordering policy fails; every mode keeps failing for the whole run. */
    enum PolicyFault {
        /** Its comparator throws on every comparison (so every offer to a non-empty backlog throws). */
        COMPARATOR_ALWAYS,
        /** Its comparator reads a deadline and throws for tasks without one. */
        COMPARATOR_ON_UNDATED,
        /** Every backlog call throws: offer, poll, peek, size, onStart, onFinish. */
        EVERY_CALL,
        /**
         * A working deadline order, but offer, peek and size throw on every second call, poll on
         * every third, onStart and onFinish on every call.
         */
        INTERMITTENT
    }

    /**
     * A backlog sorted by a comparator, in a list: every throw happens before anything changes
     * (the comparator runs before the insertion), so a failed call leaves it as it was. The
     * failure pattern is deterministic per backlog.
     */
    private static final class FaultyBacklog implements Backlog {
        private final PolicyFault fault;
        private final List<QueuedTask> tasks = new ArrayList<>();
        private final Comparator<QueuedTask> order;
        private long offers;
        private long polls;
        private long peeks;
        private long sizes;

        FaultyBacklog(PolicyFault fault) {
            this.fault = fault;
            this.order = switch (fault) {
                case COMPARATOR_ALWAYS -> (a, b) -> {
                    throw new IllegalStateException("injected: the comparator is broken");
                };
                case COMPARATOR_ON_UNDATED -> (a, b) -> Long.signum(deadline(a) - deadline(b));
                default -> (a, b) -> Long.signum(key(a) - key(b));
            };
        }

        private static long deadline(QueuedTask t) {
            if (!t.hasDeadline()) {
                throw new NoSuchElementException("injected: the comparator assumes every task has a deadline");
            }
            return t.deadlineNanos();
        }

        private static long key(QueuedTask t) {
            return t.hasDeadline() ? t.deadlineNanos() : t.submitNanos() + 1_000_000_000L;
        }

        private void maybeThrow(String call, long count, int every) {
            if (fault == PolicyFault.EVERY_CALL || (fault == PolicyFault.INTERMITTENT && count % every == 0)) {
                throw new IllegalStateException("injected: " + call + " failed (call " + count + ")");
            }
        }

        @Override
        public void offer(QueuedTask task, long now) {
            maybeThrow("offer", ++offers, 2);
            int at = tasks.size();
            for (int i = 0; i < tasks.size(); i++) {
                if (order.compare(task, tasks.get(i)) < 0) {
                    at = i;
                    break;
                }
            }
            tasks.add(at, task);
        }

        @Override
        public QueuedTask poll(long now) {
            maybeThrow("poll", ++polls, 3);
            return tasks.isEmpty() ? null : tasks.remove(0);
        }

        @Override
        public QueuedTask peek(long now) {
            maybeThrow("peek", ++peeks, 2);
            return tasks.isEmpty() ? null : tasks.get(0);
        }

        @Override
        public int size() {
            maybeThrow("size", ++sizes, 2);
            return tasks.size();
        }

        @Override
        public void onStart(QueuedTask task, long now) {
            maybeThrow("onStart", 0, 1);
        }

        @Override
        public void onFinish(QueuedTask task, long runNanos, long now) {
            maybeThrow("onFinish", 0, 1);
        }
    }

    private static OrderingPolicy faultyPolicy(PolicyFault fault) {
        return new OrderingPolicy() {
            @Override
            public String name() {
                return "faulty-" + fault;
            }

            @Override
            public Backlog newBacklog() {
                return new FaultyBacklog(fault);
            }
        };
    }

    /** A round of {@code n} tasks, dated and undated, some pinned; each counts its runs. */
    private static List<TaskFuture<?>> round(Scheduler s, int n, AtomicIntegerArray runs, int offset, long seed) {
        Random random = new Random(seed);
        List<TaskFuture<?>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TaskOptions.Builder o = TaskOptions.builder();
            if (random.nextBoolean()) {
                o.deadline(Duration.ofMillis(1 + random.nextInt(1_000)));
            }
            if (i % 7 == 0) {
                o.pinnedTo(i % s.agentCount());
            }
            int id = offset + i;
            futures.add(s.submit(() -> runs.incrementAndGet(id), o.build()));
        }
        return futures;
    }

    /**
     * Fault: a user's ordering policy whose backlog keeps throwing for the whole run (see
     * {@link PolicyFault}), per agent and in GLOBAL scope. The documented fallback (the overview of
     * core's {@code GuardedBacklog}; {@code metrics().strategyErrors()}): every failed call is counted
     * and answered with a safe default — an offer that threw leaves the task in a FIFO fallback
     * queue served before the policy's order; a poll or peek that threw gives the fallback's head or
     * nothing this time; a size that threw counts the fallback only; an onStart or onFinish that
     * threw leaves the task uncharged — "a policy's bug costs order, never a task". Must hold: every
     * task runs exactly once (a round queued behind gates, then a round on a running scheduler),
     * nothing fails, is cancelled or is rejected; the strategy error count grows in each round; no
     * agent thread dies ({@code onAgentReplaced} never called); the scheduler terminates with nothing
     * queued.
     */
    @ParameterizedTest
    @EnumSource(PolicyFault.class)
    void anOrderingPolicyThatKeepsThrowingCostsOrderNeverATask(PolicyFault fault) throws Exception {
        for (OrderingScope scope : OrderingScope.values()) {
            int agents = 2;
            int first = 300;
            int second = 100;
            AtomicIntegerArray runs = new AtomicIntegerArray(first + second);
            Watch watch = new Watch();
            String context = fault + " " + scope;
            try (Scheduler s = Scheduler.builder().name("faulty-" + fault + "-" + scope).agents(agents)
                    .orderingPolicy(faultyPolicy(fault)).orderingScope(scope).listener(watch).build()) {
                long errors0 = s.metrics().strategyErrors();
                CountDownLatch held = new CountDownLatch(agents);
                CountDownLatch release = new CountDownLatch(1);
                List<TaskFuture<?>> queued;
                try {
                    for (int i = 0; i < agents; i++) {
                        s.execute(Gate.holdUntil(held, release), TaskOptions.builder().pinnedTo(i).build());
                    }
                    assertTrue(held.await(WAIT_SECONDS, TimeUnit.SECONDS), context);
                    queued = round(s, first, runs, 0, 11);
                } finally {
                    release.countDown();
                }
                awaitAll(queued);
                long errors1 = s.metrics().strategyErrors();
                assertTrue(errors1 > errors0, context + ": the policy's failures are counted: " + errors1);
                if (fault == PolicyFault.EVERY_CALL) {
                    assertTrue(errors1 - errors0 >= first, context + ": every offer threw, each counted: " + errors1);
                }

                List<TaskFuture<?>> running = round(s, second, runs, first, 12);
                awaitAll(running);
                long errors2 = s.metrics().strategyErrors();
                assertTrue(errors2 > errors1, context + ": the policy keeps failing, and is still counted: " + errors2);
                servesNewWork(s, TaskOptions.builder().deadline(Duration.ofSeconds(1)).build());

                terminate(s);
                for (int i = 0; i < first + second; i++) {
                    assertEquals(1, runs.get(i), context + ": task " + i + " runs exactly once");
                }
                SchedulerMetrics m = s.metrics();
                int total = agents + first + second + 10 + agents;
                assertEquals(total, m.completed(), context + ": " + m);
                assertEquals(0, m.failed(), context);
                assertEquals(0, m.cancelled(), context);
                assertEquals(0, m.rejected(), context);
                assertEquals(0, m.queued(), context);
                figuresAreSane(m);
            }
            assertEquals(0, watch.replaced.get(), context + ": no agent thread died");
            assertEquals(0, watch.failedEvents.get(), context + ": no task failed");
        }
    }

    /** Which backlog calls fail during a transient outage of the policy. */
    enum Outage {
        /** poll and peek throw; size still answers. */
        POLL,
        /** poll, peek and size throw. */
        POLL_AND_SIZE
    }

    /** A FIFO backlog that fails while {@code down} is set (offer, onStart and onFinish always work). */
    private static final class FlakyBacklog implements Backlog {
        private final Outage outage;
        private final AtomicBoolean down;
        private final AtomicInteger failures;
        private final ArrayDeque<QueuedTask> tasks = new ArrayDeque<>();

        FlakyBacklog(Outage outage, AtomicBoolean down, AtomicInteger failures) {
            this.outage = outage;
            this.down = down;
            this.failures = failures;
        }

        private void check(String call, boolean affected) {
            if (affected && down.get()) {
                failures.incrementAndGet();
                throw new IllegalStateException("injected: the policy is down (" + call + ")");
            }
        }

        @Override
        public void offer(QueuedTask task, long now) {
            tasks.addLast(task);
        }

        @Override
        public QueuedTask poll(long now) {
            check("poll", true);
            return tasks.pollFirst();
        }

        @Override
        public QueuedTask peek(long now) {
            check("peek", true);
            return tasks.peekFirst();
        }

        @Override
        public int size() {
            check("size", outage == Outage.POLL_AND_SIZE);
            return tasks.size();
        }
    }

    static Stream<Arguments> outages() {
        return Stream.of(Outage.values()).flatMap(o -> Stream.of(OrderingScope.values())
                .map(scope -> Arguments.of(o, scope)));
    }

    /**
     * Fault: an ordering policy that fails for a while and then works again — its poll and peek
     * (and, in one mode, its size) throw while an outage flag is set; offers always succeed, so the
     * tasks sit in the policy's own backlog. One agent, 20 tasks queued behind a gate; the outage
     * starts before the gate opens and ends once the agent has parked (or, if it never parks,
     * after it has retried 1,000 times). The documented defaults: a poll that threw gives "nothing
     * this time", a size that threw counts the fallback queue only (so the policy's tasks count as
     * none). Must hold ("a policy's bug costs order, never a task"): once the policy works again
     * every task runs exactly once without any further submission, and the scheduler terminates
     * only after running them; new work still runs.
     *
     * <p>On the current code the POLL_AND_SIZE cases fail (both scopes): the failed size is
     * published as the agent's backlog (0), so the agent parks as if it had nothing queued and
     * nothing asks the policy again — the 20 tasks wait, reported as {@code queued() == 0}, until
     * some other event (a new submission, {@code shutdown()}) wakes the agent. With size answering
     * (POLL) the agent keeps retrying and the tasks run once the policy recovers.
     */
    @ParameterizedTest
    @MethodSource("outages")
    void aPolicyThatFailsForAWhileStrandsNoTask(Outage outage, OrderingScope scope) throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        OrderingPolicy flaky = new OrderingPolicy() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public Backlog newBacklog() {
                return new FlakyBacklog(outage, down, failures);
            }
        };
        int n = 20;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        Watch watch = new Watch();
        String context = outage + " " + scope;
        try (Scheduler s = Scheduler.builder().name("flaky-" + outage + "-" + scope).agents(1).orderingPolicy(flaky)
                .orderingScope(scope).listener(watch).build()) {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<TaskFuture<?>> futures = new ArrayList<>();
            try {
                s.execute(Gate.holdUntil(held, release), TaskOptions.builder().pinnedTo(0).build());
                assertTrue(held.await(WAIT_SECONDS, TimeUnit.SECONDS));
                for (int i = 0; i < n; i++) {
                    int id = i;
                    futures.add(s.submit(() -> runs.incrementAndGet(id)));
                }
                down.set(true);
            } finally {
                release.countDown();
            }
            // the outage lasts until the agent has given up and parked, or has retried a thousand times
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!(failures.get() > 0 && s.metrics().agents().get(0).state()
                    == AgentState.PARKED) && failures.get() < 1_000) {
                assertTrue(System.nanoTime() - until < 0, context + ": the agent neither parked nor retried: "
                        + s.metrics().agents().get(0));
                Thread.sleep(1);
            }
            String when = s.metrics().agents().get(0).state() + " after " + failures.get() + " failed calls";
            down.set(false);        // the policy works again; nothing else happens

            long recovered = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int notRun = 0;
            for (TaskFuture<?> f : futures) {
                try {
                    f.get(Math.max(0, recovered - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    notRun++;
                }
            }
            if (notRun > 0) {
                String stranded = notRun + " of " + n + " tasks never ran within 10 s after the policy recovered (the "
                        + "outage ended with the agent " + when + "); metrics().queued() " + s.metrics().queued()
                        + ", agent " + s.metrics().agents().get(0);
                // what shutdown makes of them (without shutdownNow, close() would wait for them for ever)
                s.shutdown();
                boolean terminated = s.awaitTermination(5, TimeUnit.SECONDS);
                long pending = futures.stream().filter(f -> !f.isDone()).count();
                int returned = s.shutdownNow().size();
                throw new AssertionError(context + ": " + stranded + "; after shutdown(): terminated within 5 s = "
                        + terminated + ", futures still pending " + pending + ", shutdownNow() returned " + returned
                        + ", final " + s.metrics());
            }
            servesNewWork(s, TaskOptions.DEFAULT);
            terminate(s);
            for (int i = 0; i < n; i++) {
                assertEquals(1, runs.get(i), context + ": task " + i + " runs exactly once");
            }
            SchedulerMetrics m = s.metrics();
            assertEquals(1 + n + 10 + 1, m.completed(), context + ": " + m);
            assertEquals(0, m.queued(), context);
            assertTrue(m.strategyErrors() >= failures.get(), context + ": every failure counted: " + m);
        }
        assertEquals(0, watch.replaced.get(), context + ": no agent thread died");
    }

    // ------------------------------------------------------------------ 4. cancellations and breakers

    /**
     * Fault: 20 cancellations on a 4-agent scheduler whose agents have circuit breakers that open
     * after 3 failures (3 consecutive, or 50 % of at least 3 calls): 16 queued tasks (pinned and
     * movable, behind tasks that hold every agent) cancelled with {@code cancel(true)} and
     * {@code cancel(false)}, then the 4 holding tasks cancelled while running — two interrupted
     * ({@code cancel(true)}: they end by throwing {@code InterruptedException}), two not
     * ({@code cancel(false)}: released later, they end by throwing). Must hold (the runtime reports
     * "a cancellation is not the agent's failure" by releasing the permit): every agent's breaker
     * stays CLOSED with no transition, its failure figures stay at 0 and it records exactly the calls
     * of the tasks that ran and were not cancelled; no interrupt leaks into a later task; conservation
     * (completed + cancelled = submitted); new work runs. A real failure afterwards does move agent
     * 0's figures, so the figures are live.
     */
    @Test
    void cancellationsAreNeverBreakerFailures() throws Exception {
        int agents = 4;
        String name = "cancel-breakers";
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
        CircuitBreakerConfig config = CircuitBreakerConfig.builder()
                .consecutiveFailureThreshold(3).failureRateThreshold(50)
                .countBasedWindow(100).minimumNumberOfCalls(3)
                .openDuration(Duration.ofSeconds(60)).build();
        Watch watch = new Watch();
        AtomicInteger strayInterrupts = new AtomicInteger();
        AtomicInteger ranAfterCancel = new AtomicInteger();
        try (Scheduler s = Scheduler.builder().name(name).agents(agents)
                .agentBreakers(CircuitBreakers.perAgent(config, registry)).listener(watch).build()) {
            List<CircuitBreaker> breakers = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                breakers.add(registry.find(name + "-agent-" + i).orElseThrow());
            }
            CountDownLatch held = new CountDownLatch(agents);
            CountDownLatch release = new CountDownLatch(1);
            List<TaskFuture<?>> holders = new ArrayList<>();
            List<TaskFuture<?>> doomed = new ArrayList<>();
            List<TaskFuture<?>> survivors = new ArrayList<>();
            try {
                for (int i = 0; i < agents; i++) {
                    holders.add(s.submit(() -> {
                        held.countDown();
                        if (!release.await(WAIT_SECONDS, TimeUnit.SECONDS)) {     // throws when interrupted
                            throw new TimeoutException("never released");
                        }
                        throw new IllegalStateException("ends by throwing, after its cancellation");
                    }, TaskOptions.builder().pinnedTo(i).build()));
                }
                assertTrue(held.await(WAIT_SECONDS, TimeUnit.SECONDS));
                for (int k = 0; k < 16; k++) {
                    TaskOptions o = k % 2 == 0 ? TaskOptions.builder().pinnedTo(k % agents).build() : TaskOptions.DEFAULT;
                    doomed.add(s.submit(() -> {
                        ranAfterCancel.incrementAndGet();
                        throw new IllegalStateException("a cancelled task ran");
                    }, o));
                }
                for (int k = 0; k < 8; k++) {
                    TaskOptions o = k % 2 == 0 ? TaskOptions.builder().pinnedTo(k % agents).build() : TaskOptions.DEFAULT;
                    survivors.add(s.submit(() -> {
                        if (Thread.currentThread().isInterrupted()) {
                            strayInterrupts.incrementAndGet();
                        }
                    }, o));
                }
                assertEquals(16 + 8, s.metrics().queued(), "queued behind the holders");
                for (int k = 0; k < doomed.size(); k++) {
                    assertTrue(doomed.get(k).cancel(k % 2 == 0), "a queued task can be cancelled");
                }
                for (int i = 0; i < agents; i++) {
                    assertTrue(holders.get(i).cancel(i % 2 == 0), "a running task can be cancelled");
                }
            } finally {
                release.countDown();
            }
            for (TaskFuture<?> f : doomed) {
                assertTrue(f.isCancelled());
            }
            for (TaskFuture<?> f : holders) {
                assertTrue(f.isCancelled());
            }
            awaitAll(survivors);
            servesNewWork(s, TaskOptions.DEFAULT);      // 10 movable + 1 pinned per agent
            // each task that started reports its end after the breaker heard its outcome
            int ran = agents + survivors.size() + 10 + agents;
            watch.awaitEnded(ran);

            SchedulerMetrics m = s.metrics();
            long calls = 0;
            for (int i = 0; i < agents; i++) {
                CircuitBreaker.Metrics b = breakers.get(i).metrics();
                AgentMetrics row = m.agents().get(i);
                assertEquals(CircuitState.CLOSED, b.state(), "agent " + i + ": " + b);
                assertEquals("CLOSED", row.breakerState(), "agent " + i + ": " + m);
                assertEquals(0, row.breakerTransitions(), "agent " + i + ": " + m);
                assertEquals(0, b.transitions(), "agent " + i + ": " + b);
                assertEquals(0, b.failedCalls(), "agent " + i + ": a cancellation counted as a failure: " + b);
                assertEquals(0, b.consecutiveFailures(), "agent " + i + ": " + b);
                assertEquals(0, b.slowCalls(), "agent " + i + ": " + b);
                assertEquals(0, b.notPermittedCalls(), "agent " + i + ": " + b);
                calls += b.calls();
            }
            assertEquals(survivors.size() + 10 + agents, calls,
                    "the breakers recorded exactly the tasks that ran and were not cancelled");
            assertEquals(0, ranAfterCancel.get(), "no task cancelled before it started ran");
            assertEquals(0, strayInterrupts.get(), "an interrupt aimed at a cancelled task reached a later one");
            assertEquals(0, watch.failedEvents.get(), "a task cancelled while running is not reported as failed");

            // the figures are live: one real failure on agent 0 is counted (and, below the threshold, trips nothing)
            TaskFuture<?> failing = s.submit(() -> {
                throw new IllegalStateException("a real failure");
            }, TaskOptions.builder().pinnedTo(0).build());
            assertThrows(ExecutionException.class, () -> failing.get(WAIT_SECONDS, TimeUnit.SECONDS));
            watch.awaitEnded(1);
            assertEquals(1, breakers.get(0).metrics().failedCalls(), breakers.get(0).metrics()::toString);
            assertEquals(CircuitState.CLOSED, breakers.get(0).state());

            terminate(s);
            m = s.metrics();
            int submitted = agents + doomed.size() + survivors.size() + 10 + agents + 1;
            assertEquals(ran + 1, m.completed(), "tasks that ran (the holders ran, then were cancelled): " + m);
            assertEquals(doomed.size(), m.cancelled(), "the 16 dropped before they started: " + m);
            assertEquals(submitted, m.completed() + m.cancelled() + m.rejected(), "conservation: " + m);
            assertEquals(1, m.failed(), "only the real failure: " + m);
            for (int i = 0; i < agents; i++) {
                assertEquals("CLOSED", m.agents().get(i).breakerState(), "agent " + i + ": " + m);
            }
            figuresAreSane(m);
        }
        assertEquals(0, watch.replaced.get(), "no agent thread died");
    }
}
