package io.github.loadstar.algorithms.edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.sim.Preemption;
import io.github.loadstar.algorithms.sim.SimTask;
import io.github.loadstar.algorithms.sim.Simulation;
import io.github.loadstar.algorithms.sim.SimulationListener;
import io.github.loadstar.algorithms.sim.SimulationReport;
import io.github.loadstar.algorithms.sim.Workload;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.algorithms.TestTask;
import io.github.loadstar.core.spi.QueuedTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Earliest Deadline First in the simulator and on its backlog. Theory checked: on one preemptive
 * processor EDF meets every deadline of an implicit-deadline periodic task set iff
 * {@code U = Σ C/T ≤ 1} (Liu and Layland 1973), so a synchronous release simulated with
 * {@link Preemption#ON_ARRIVAL} for whole hyperperiods has no miss when {@code U ≤ 1} (including
 * {@code U = 1} exactly) and must miss when {@code U > 1} (demand over one hyperperiod exceeds its
 * length); every dispatch takes the earliest absolute deadline among queued jobs; ties go in
 * submission order, undated tasks lose ties to dated ones and are never starved (deadline aging by
 * {@code undatedDeadline}); deadlines are compared by the sign of their difference, so
 * {@code nanoTime} wrap-around does not change the order.
 */
final class EdfTest {
    private static final long MS = 1_000_000L;
    /** Periods in ms; their hyperperiod is 120 ms. */
    private static final List<Integer> PERIODS_MS = List.of(4, 5, 6, 8, 10, 12, 15, 20);
    private static final long HYPERPERIOD = 120 * MS;

    // ------------------------------------------------------------------ periodic task sets

    /** A periodic task: period in ms and utilization in thousandths (C = T · permille / 1000, exact in ns). */
    record Periodic(int periodMs, int permille) {
        long periodNanos() {
            return periodMs * MS;
        }

        long executionNanos() {
            return periodMs * 1_000L * permille;
        }
    }

    /**
     * 1–6 tasks with periods from {@link #PERIODS_MS} whose utilizations sum to exactly
     * {@code totalPermille}/1000 (a third of the sets have U = 1 exactly).
     */
    static Gen<List<Periodic>> taskSets(Gen<Integer> totalPermille) {
        Gen<int[]> periodAndWeight = Generate.pick(PERIODS_MS).zip(integers().between(1, 100),
                (p, w) -> new int[] {p, w});
        return lists().of(periodAndWeight).ofSizeBetween(1, 6).zip(totalPermille, EdfTest::split);
    }

    /**
     * Splits {@code total} thousandths over the tasks by their weights, between 1 and 1000 each
     * (C ≤ T), summing exactly to {@code total} clamped to [n, 1000·n].
     */
    static List<Periodic> split(List<int[]> tasks, int total) {
        int n = tasks.size();
        int target = Math.min(1000 * n, Math.max(total, n));
        int budget = target - n;
        long weights = tasks.stream().mapToLong(t -> t[1]).sum();
        int[] shares = new int[n];
        int given = 0;
        for (int i = 0; i < n; i++) {
            shares[i] = Math.min(1000, 1 + (int) (budget * (long) tasks.get(i)[1] / weights));
            given += shares[i];
        }
        for (int i = 0; given < target; i = (i + 1) % n) {
            if (shares[i] < 1000) {
                shares[i]++;
                given++;
            }
        }
        List<Periodic> set = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            set.add(new Periodic(tasks.get(i)[0], shares[i]));
        }
        return set;
    }

    static int totalPermille(List<Periodic> set) {
        return set.stream().mapToInt(Periodic::permille).sum();
    }

    /** Every job of {@code set} released synchronously from 0 until {@code horizon} (deadline = period). */
    static Workload periodicWorkload(List<Periodic> set, long horizon) {
        Workload.Builder b = Workload.builder(1);
        for (int i = 0; i < set.size(); i++) {
            Periodic p = set.get(i);
            b.periodic("task-" + i, p.executionNanos(), p.periodNanos(), horizon, TaskOptions.DEFAULT);
        }
        return b.build();
    }

    static SimulationReport simulatePreemptive(Workload workload, SimulationListener listener) {
        Simulation.Builder b = Simulation.builder(Policies.edf()).agents(1).preemption(Preemption.ON_ARRIVAL);
        if (listener != null) {
            b.listener(listener);
        }
        return b.build().run(workload);
    }

    @Test
    void implicitDeadlinePeriodicSetsWithUtilizationAtMostOneMeetEveryDeadlineOverTwoHyperperiods() {
        Gen<Integer> total = Generate.frequency(
                org.quicktheories.api.Pair.of(1, Generate.constant(1000)),
                org.quicktheories.api.Pair.of(2, integers().between(1, 1000)));
        int[] fullyUtilized = {0};
        qt().withFixedSeed(0xEDF1L).withExamples(300).withShrinkCycles(50)
                .forAll(taskSets(total))
                .checkAssert(set -> {
                    SimulationReport report = simulatePreemptive(periodicWorkload(set, 2 * HYPERPERIOD), null);
                    assertTrue(totalPermille(set) <= 1000);
                    if (totalPermille(set) == 1000) {
                        fullyUtilized[0]++;
                        assertEquals(2 * HYPERPERIOD, report.busyNanos()[0], "U = 1: never idle");
                    }
                    assertEquals(report.tasks().size(), report.completed(), () -> "all jobs complete: " + set);
                    assertEquals(0, report.deadlineMisses(), () -> "U = " + totalPermille(set) + "/1000 " + set
                            + "\n" + report);
                    for (SimTask t : report.tasks()) {
                        assertTrue(t.completionNanos() <= t.deadlineNanos(), () -> t + " completed late");
                    }
                });
        assertTrue(fullyUtilized[0] >= 60, "sets with U = 1 exactly: " + fullyUtilized[0]);
    }

    @Test
    void utilizationExactlyOneWithCoprimePeriodsMeetsEveryDeadline() {
        // (C 2 ms, T 4 ms) + (C 1.5 ms, T 6 ms) + (C 5 ms, T 20 ms): U = 1/2 + 1/4 + 1/4 = 1 exactly
        List<Periodic> set = List.of(new Periodic(4, 500), new Periodic(6, 250), new Periodic(20, 250));
        assertEquals(1000, totalPermille(set));
        SimulationReport report = simulatePreemptive(periodicWorkload(set, 2 * HYPERPERIOD), null);
        assertEquals(0, report.deadlineMisses(), report::toString);
        // the processor is never idle at U = 1: busy for exactly the two hyperperiods
        assertEquals(2 * HYPERPERIOD, report.busyNanos()[0]);
    }

    @Test
    void setsWithUtilizationAboveOneMissDeadlinesAndAreRejectedByAdmission() {
        qt().withFixedSeed(0xEDF2L).withExamples(200).withShrinkCycles(50)
                .forAll(taskSets(integers().between(1001, 1500)).assuming(s -> totalPermille(s) > 1000))
                .checkAssert(set -> {
                    SimulationReport report = simulatePreemptive(periodicWorkload(set, HYPERPERIOD), null);
                    // demand released in [0, H) with deadlines ≤ H is U·H > H: some job must finish after H
                    assertTrue(report.deadlineMisses() > 0, () -> "U = " + totalPermille(set) + "/1000 " + set);
                    EdfAdmissionControl admission = new EdfAdmissionControl(1);
                    List<PeriodicTaskSpec> specs = new ArrayList<>();
                    for (int i = 0; i < set.size(); i++) {
                        Periodic p = set.get(i);
                        specs.add(new PeriodicTaskSpec("t" + i, Duration.ofNanos(p.executionNanos()),
                                Duration.ofNanos(p.periodNanos())));
                    }
                    assertThrows(EdfAdmissionControl.AdmissionRejectedException.class, () -> admission.admitAll(specs));
                    assertEquals(0.0, admission.utilization(0));
                });
    }

    // ------------------------------------------------------------------ dispatch order

    /** Checks at every dispatch that the dispatched task's deadline is the earliest of every queued task's. */
    static final class DeadlineOrderChecker implements SimulationListener {
        private final Map<SimTask, Boolean> queued = new IdentityHashMap<>();
        int dispatches;

        @Override
        public void onArrival(SimTask task, long now) {
            queued.put(task, Boolean.TRUE);
        }

        @Override
        public void onDispatch(int agent, SimTask task, long now) {
            assertNotNull(queued.remove(task), () -> "dispatched a task that was not queued: " + task);
            dispatches++;
            for (SimTask other : queued.keySet()) {
                assertTrue(task.deadlineNanos() - other.deadlineNanos() <= 0, () -> "at " + now + " dispatched "
                        + task + " (deadline " + task.deadlineNanos() + ") while " + other + " (deadline "
                        + other.deadlineNanos() + ") was queued");
            }
        }

        @Override
        public void onRun(int agent, SimTask task, long ranNanos, long now) {
            if (task.remainingNanos() > 0) {
                queued.put(task, Boolean.TRUE);     // preempted: offered back
            }
        }
    }

    @Test
    void everyDispatchTakesTheEarliestDeadlineAmongQueuedJobs() {
        qt().withFixedSeed(0xEDF3L).withExamples(200).withShrinkCycles(50)
                .forAll(longs().all(), integers().between(1, 400), integers().between(0, 2))
                .checkAssert((seed, count, mode) -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    Workload.Builder b = Workload.builder(seed);
                    for (int i = 0; i < count; i++) {
                        b.task(random.nextLong(0, 200 * MS), random.nextLong(1, 5 * MS),
                                TaskOptions.builder().deadline(Duration.ofNanos(random.nextLong(1, 50 * MS))).build());
                    }
                    DeadlineOrderChecker checker = new DeadlineOrderChecker();
                    Preemption preemption = mode == 0 ? Preemption.NONE
                            : mode == 1 ? Preemption.ON_ARRIVAL : Preemption.TIME_SLICED;
                    SimulationReport report = Simulation.builder(Policies.edf()).preemption(preemption)
                            .quantum(Duration.ofMillis(1)).listener(checker).build().run(b.build());
                    assertEquals((long) count, report.completed());
                    assertTrue(checker.dispatches >= count);
                });
    }

    @Test
    void periodicJobsAreDispatchedInDeadlineOrder() {
        qt().withFixedSeed(0xEDF4L).withExamples(100)
                .forAll(taskSets(integers().between(1, 1000)))
                .checkAssert(set -> {
                    DeadlineOrderChecker checker = new DeadlineOrderChecker();
                    simulatePreemptive(periodicWorkload(set, HYPERPERIOD), checker);
                    assertTrue(checker.dispatches > 0);
                });
    }

    // ------------------------------------------------------------------ the backlog itself

    /** A queued task with a name, for driving a backlog directly. */
    static final class Task extends TestTask {
        Task(String name, long submit, TaskOptions options) {
            super(name, options, submit);
        }

        static Task dated(String name, long submit, long relativeDeadline) {
            return new Task(name, submit, TaskOptions.builder().deadline(Duration.ofNanos(relativeDeadline)).build());
        }

        static Task undated(String name, long submit) {
            return new Task(name, submit, TaskOptions.DEFAULT);
        }
    }

    static List<String> drain(Backlog backlog, long now) {
        List<String> order = new ArrayList<>();
        QueuedTask t;
        while ((t = backlog.peek(now)) != null) {
            assertSame(t, backlog.poll(now), "peek and poll agree");
            order.add(t.toString());
        }
        assertEquals(0, backlog.size());
        assertEquals(null, backlog.poll(now));
        return order;
    }

    @Test
    void equalDeadlinesRunInSubmissionOrder() {
        Backlog backlog = Policies.edf().newBacklog();
        List<String> expected = new ArrayList<>();
        // the same absolute deadline (1000) from different submission times and relative deadlines
        for (int i = 0; i < 50; i++) {
            backlog.offer(Task.dated("t" + i, 10 * i, 1000 - 10 * i), 10 * i);
            expected.add("t" + i);
        }
        backlog.offer(Task.dated("earlier", 600, 399), 600);
        expected.add(0, "earlier");
        assertEquals(51, backlog.size());
        assertEquals(expected, drain(backlog, 1000));
    }

    @Test
    void undatedTasksLoseTiesToDatedTasksWithTheSameEffectiveKey() {
        long undated = Duration.ofMillis(200).toNanos();
        Backlog backlog = Policies.edf(EdfConfig.builder().undatedDeadline(Duration.ofNanos(undated)).build())
                .newBacklog();
        // effective key of every task is 1000 ms; the undated ones are offered first
        long key = 1_000 * MS;
        backlog.offer(Task.undated("u0", key - undated), 0);
        backlog.offer(Task.undated("u1", key - undated), 0);
        backlog.offer(Task.dated("d0", key - 300 * MS, 300 * MS), 0);
        backlog.offer(Task.dated("d1", key - 5 * MS, 5 * MS), 0);
        backlog.offer(Task.undated("u2", key - undated), 0);
        backlog.offer(Task.dated("d2", key - 700 * MS, 700 * MS), 0);
        // an earlier undated key and a later dated key around them
        backlog.offer(Task.undated("uEarly", key - undated - 1), 0);
        backlog.offer(Task.dated("dLate", key - 5 * MS, 5 * MS + 1), 0);
        // among the dated ties, submission order: d2 (700 ms before the key), d0 (300), d1 (5)
        assertEquals(List.of("uEarly", "d2", "d0", "d1", "u0", "u1", "u2", "dLate"), drain(backlog, 0));
    }

    /**
     * A continuous stream of dated tasks keeps the agent busy and its backlog non-empty (a burst of
     * {@code BURST} at time 0, then one 1 ms task per ms: load 100 %, every dated task meets its
     * 20 ms deadline on its own). An undated task submitted at s has key s + undatedDeadline: every
     * dated task keyed at or before it (all of which meet their deadlines) runs first, after which
     * it is the earliest, so it starts no later than s + undatedDeadline + one task's work (the task
     * that may be running then, non-preemptively).
     */
    @Test
    void undatedTasksAreNeverStarvedByAStreamOfDatedTasks() {
        for (long undatedMs : new long[] {5, 30, 50, 200}) {
            long undated = undatedMs * MS;
            long work = MS;
            TaskOptions dated = TaskOptions.builder().deadline(Duration.ofMillis(20)).build();
            Workload.Builder b = Workload.builder(3).burst(0, 5, work, dated, "burst");
            for (long t = 0; t < 2_000 * MS; t += MS) {
                b.task(t, work, dated, "stream");
            }
            long[] submits = {10 * MS, 10 * MS + 1, 333 * MS, 1_234 * MS};
            for (long s : submits) {
                b.task(s, work, TaskOptions.DEFAULT, "undated");
            }
            SimulationReport report = Simulation.builder(
                    Policies.edf(EdfConfig.builder().undatedDeadline(Duration.ofNanos(undated)).build()))
                    .build().run(b.build());
            int undatedSeen = 0;
            for (SimTask t : report.tasks()) {
                if (!"undated".equals(t.label())) {
                    continue;
                }
                undatedSeen++;
                long bound = t.submitNanos() + undated + work;
                assertTrue(t.firstStartNanos() >= 0 && t.firstStartNanos() <= bound, () -> t + " started at "
                        + t.firstStartNanos() + ", bound " + bound + " (undatedDeadline " + undated + ")");
            }
            assertEquals(submits.length, undatedSeen);
        }
    }

    @Test
    void undatedDeadlineDelaysUndatedTasksBehindEarlierDatedWork() {
        // the aging is real: with undatedDeadline 50 ms an undated task waits behind dated tasks keyed
        // before its own key, instead of running in submission order
        long undated = 50 * MS;
        TaskOptions dated = TaskOptions.builder().deadline(Duration.ofMillis(40)).build();
        Workload.Builder b = Workload.builder(5).burst(0, 5, MS, dated, "burst");
        for (long t = 0; t < 200 * MS; t += MS) {
            b.task(t, MS, dated, "stream");
        }
        b.task(10 * MS, MS, TaskOptions.DEFAULT, "undated");
        SimulationReport report = Simulation.builder(
                Policies.edf(EdfConfig.builder().undatedDeadline(Duration.ofNanos(undated)).build())).build().run(b.build());
        SimTask u = report.tasks().stream().filter(t -> "undated".equals(t.label())).findFirst().orElseThrow();
        // dated tasks submitted up to 20 ms (key ≤ 60 ms) all precede it
        for (SimTask t : report.tasks()) {
            if (t.hasDeadline() && t.deadlineNanos() <= u.submitNanos() + undated) {
                assertTrue(t.firstStartNanos() < u.firstStartNanos(), () -> t + " should precede " + u);
            }
            if (t.hasDeadline() && t.deadlineNanos() > u.submitNanos() + undated + MS) {
                assertTrue(t.firstStartNanos() > u.firstStartNanos(), () -> t + " should follow " + u);
            }
        }
    }

    // ------------------------------------------------------------------ wrap-around

    @Test
    void deadlinesThatWrapPastLongMaxValueKeepDeadlineOrder() {
        Backlog backlog = Policies.edf().newBacklog();
        long base = Long.MAX_VALUE - 1_000;
        Task wrapped = Task.dated("wrapped", base, 2_000);       // deadline is negative as a long
        Task near = Task.dated("near", base, 500);               // deadline just below Long.MAX_VALUE
        Task before = Task.dated("before", base - 10_000, 9_000);
        assertTrue(wrapped.deadlineNanos() < 0 && near.deadlineNanos() > 0);
        backlog.offer(wrapped, base);
        backlog.offer(near, base);
        backlog.offer(before, base);
        assertEquals(List.of("before", "near", "wrapped"), drain(backlog, base));
    }

    @Test
    void wrappedDeadlinesAndUndatedKeysOrderBySignOfDifference() {
        // submissions straddle Long.MAX_VALUE → Long.MIN_VALUE; the order is the order of the true
        // (unwrapped) keys, computed here as offsets from a base
        qt().withFixedSeed(0xEDF5L).withExamples(300)
                .forAll(longs().between(-(1L << 40), 1L << 40), lists().of(
                        longs().between(0, 1L << 40).zip(longs().between(0, 1L << 40), (s, d) -> new long[] {s, d}))
                        .ofSizeBetween(1, 60))
                .checkAssert((shift, specs) -> {
                    long base = Long.MAX_VALUE - (1L << 40) + shift;
                    long undated = 1L << 39;
                    Backlog backlog = Policies.edf(EdfConfig.builder().undatedDeadline(Duration.ofNanos(undated))
                            .build()).newBacklog();
                    List<long[]> expected = new ArrayList<>();    // {offset key, dated?0:1, seq}
                    for (int i = 0; i < specs.size(); i++) {
                        long s = specs.get(i)[0];
                        long d = specs.get(i)[1];
                        boolean isDated = d > 0;
                        Task t = isDated ? Task.dated(Integer.toString(i), base + s, d)
                                : Task.undated(Integer.toString(i), base + s);
                        backlog.offer(t, base + s);
                        expected.add(new long[] {s + (isDated ? d : undated), isDated ? 0 : 1, i});
                    }
                    expected.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0])
                            : x[1] != y[1] ? Long.compare(x[1], y[1]) : Long.compare(x[2], y[2]));
                    List<String> want = new ArrayList<>();
                    for (long[] e : expected) {
                        want.add(Long.toString(e[2]));
                    }
                    assertEquals(want, drain(backlog, base));
                });
    }

    // ------------------------------------------------------------------ config

    @Test
    void configValidationNamesTheParameter() {
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> EdfConfig.builder().undatedDeadline(null));
        assertTrue(npe.getMessage().contains("undatedDeadline"), npe.getMessage());
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), Duration.ofDays(-1),
                Duration.ofNanos(Long.MAX_VALUE / 2 + 1), Duration.ofDays(365L * 300)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EdfConfig.builder().undatedDeadline(bad), bad::toString);
            assertTrue(e.getMessage().contains("undatedDeadline"), e.getMessage());
        }
        assertEquals(Duration.ofNanos(Long.MAX_VALUE / 2),
                EdfConfig.builder().undatedDeadline(Duration.ofNanos(Long.MAX_VALUE / 2)).build().undatedDeadline());
        assertEquals(Duration.ofNanos(1),
                EdfConfig.builder().undatedDeadline(Duration.ofNanos(1)).build().undatedDeadline());
        assertEquals(EdfConfig.DEFAULT_UNDATED_DEADLINE, EdfConfig.defaults().undatedDeadline());
        assertEquals(Duration.ofSeconds(1), EdfConfig.defaults().undatedDeadline());
    }

    @Test
    void reconfigureBumpsTheVersionAndAppliesTheNewUndatedDeadlineToLaterOffers() {
        EdfPolicy policy = Policies.edf();
        assertEquals(0, policy.configVersion());
        assertEquals(EdfConfig.defaults(), policy.config());
        Backlog backlog = policy.newBacklog();
        // offered under the default (1 s): key 1000 ms, after a dated task due at 500 ms
        backlog.offer(Task.undated("before", 0), 0);
        backlog.offer(Task.dated("due500", 0, 500 * MS), 0);

        EdfConfig shorter = EdfConfig.builder().undatedDeadline(Duration.ofMillis(100)).build();
        policy.reconfigure(shorter);
        assertEquals(1, policy.configVersion());
        assertSame(shorter, policy.config());
        // offered after: key 100 ms, before the dated task; the earlier offer keeps its key
        backlog.offer(Task.undated("after", 0), 0);
        assertEquals(List.of("after", "due500", "before"), drain(backlog, 0));

        policy.reconfigure(shorter);
        assertEquals(2, policy.configVersion(), "every accepted reconfigure counts, even an equal config");
        assertThrows(NullPointerException.class, () -> policy.reconfigure(null));
        assertEquals(2, policy.configVersion());
    }

    // ------------------------------------------------------------------ suspected simulator defects

    /**
     * Non-preemptive EDF on the simulator: two jobs released at the same instant must compete (the
     * simulator's design note: "at equal times a run end before an arrival ... and released jobs
     * then compete"). The simulator dispatches the first arrival at once, before the second is
     * offered, so the order of simultaneous releases decides instead of their deadlines.
     */
    @Test
    void simultaneousReleasesCompeteForTheAgentUnderNonPreemptiveEdf() {
        Workload simultaneousArrivals = Workload.builder(1)
                .task(0, 5 * MS, TaskOptions.builder().deadline(Duration.ofMillis(100)).build(), "late-deadline")
                .task(0, MS, TaskOptions.builder().deadline(Duration.ofMillis(2)).build(), "urgent")
                .build();
        SimulationReport report = Simulation.builder(Policies.edf()).build().run(simultaneousArrivals);
        assertEquals(0, report.deadlineMisses(), report::toString);

        // a release at the instant a run ends competes with the queued work too
        Workload releaseAtRunEnd = Workload.builder(1)
                .task(0, 10 * MS, TaskOptions.builder().deadline(Duration.ofMillis(100)).build(), "running")
                .task(1, 10 * MS, TaskOptions.builder().deadline(Duration.ofMillis(100)).build(), "queued")
                .task(10 * MS, MS, TaskOptions.builder().deadline(Duration.ofMillis(2)).build(), "urgent")
                .build();
        SimulationReport second = Simulation.builder(Policies.edf()).build().run(releaseAtRunEnd);
        assertEquals(0, second.deadlineMisses(), second::toString);
    }

    /**
     * Preemptive EDF preempts only for a strictly earlier deadline, and the policy promises that
     * ties go to the task that arrived first. In the simulator's ON_ARRIVAL mode the running task
     * is offered back as if it were new, so it loses the tie to a job that arrived after it.
     */
    @Test
    void anArrivalWithAnEqualDeadlineDoesNotPreemptTheRunningJob() {
        Workload workload = Workload.builder(1)
                .task(0, 4 * MS, TaskOptions.builder().deadline(Duration.ofMillis(10)).build(), "first")
                .task(MS, MS, TaskOptions.builder().deadline(Duration.ofMillis(9)).build(), "second")
                .build();
        List<String> dispatches = new ArrayList<>();
        Simulation.builder(Policies.edf()).preemption(Preemption.ON_ARRIVAL)
                .listener(new SimulationListener() {
                    @Override
                    public void onDispatch(int agent, SimTask task, long now) {
                        dispatches.add(task.label() + "@" + now / MS);
                    }
                }).build().run(workload);
        assertEquals(List.of("first@0", "first@1", "second@4"), dispatches);
    }
}
