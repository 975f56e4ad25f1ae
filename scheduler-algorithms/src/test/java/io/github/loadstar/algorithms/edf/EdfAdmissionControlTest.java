package io.github.loadstar.algorithms.edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.edf.EdfAdmissionControl.Admission;
import io.github.loadstar.algorithms.edf.EdfAdmissionControl.AdmissionRejectedException;
import io.github.loadstar.algorithms.sim.Preemption;
import io.github.loadstar.algorithms.sim.Simulation;
import io.github.loadstar.algorithms.sim.SimulationReport;
import io.github.loadstar.algorithms.sim.Workload;
import io.github.loadstar.core.TaskOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Admission control for periodic tasks under partitioned EDF. Theory checked: on one preemptive
 * processor an implicit-deadline set is EDF-schedulable iff {@code Σ C/T ≤ 1} (Liu and Layland
 * 1973) — the exact test, summed exactly (floating-point sums can admit 1.0000000000000002 or
 * reject an exact 1), and not the rate-monotonic bound {@code n(2^(1/n) − 1)}; tasks are
 * partitioned first-fit, batches first-fit decreasing and all or nothing; any set of total
 * utilization at most {@code (βm + 1)/(β + 1)}, β = ⌊1/u_max⌋, fits on m agents by first fit
 * (López, Díaz, García 2004); an admitted partition simulated per agent with preemptive EDF meets
 * every deadline.
 */
final class EdfAdmissionControlTest {
    private static final long MS = 1_000_000L;

    static PeriodicTaskSpec spec(String name, long executionNanos, long periodNanos) {
        return new PeriodicTaskSpec(name, Duration.ofNanos(executionNanos), Duration.ofNanos(periodNanos));
    }

    /** A task of utilization {@code percent}/100 (C = percent ms, T = 100 ms). */
    static PeriodicTaskSpec percent(String name, int percent) {
        return spec(name, percent * MS, 100 * MS);
    }

    // ------------------------------------------------------------------ the exact bound

    @Test
    void threeThirdsAreAdmittedExactlyAndAnythingMoreIsRejected() {
        EdfAdmissionControl admission = new EdfAdmissionControl(1);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, admission.admit(spec("third-" + i, 1, 3)).agent());
        }
        assertTrue(admission.withinBound(0));
        assertEquals(1.0, admission.utilization(0));
        // the smallest positive utilization a spec can have: 1 ns every ~146 years; 1 + 2^-62 is 1.0 as a double
        PeriodicTaskSpec tiny = spec("tiny", 1, Long.MAX_VALUE / 2);
        AdmissionRejectedException e = assertThrows(AdmissionRejectedException.class, () -> admission.admit(tiny));
        assertTrue(e.getMessage().contains("tiny") && e.getMessage().contains("1.000000"), e.getMessage());
        assertThrows(AdmissionRejectedException.class, () -> admission.admit(spec("also", 1, 7)));
        assertThrows(AdmissionRejectedException.class, () -> admission.admitAll(List.of(tiny)));
        assertEquals(1.0, admission.utilization(0));
    }

    @Test
    void sumsThatRoundInFloatingPointAreDecidedExactly() {
        // 1/7 + 11/21 + 2/11 + 5/33 = 1 exactly, but summed as doubles in this order it is 1.0000000000000002
        double doubleSum = 0;
        EdfAdmissionControl admission = new EdfAdmissionControl(1);
        long[][] exactlyOne = {{1, 7}, {11, 21}, {2, 11}, {5, 33}};
        for (long[] ct : exactlyOne) {
            doubleSum += (double) ct[0] / ct[1];
            assertEquals(0, admission.admit(spec(ct[0] + "/" + ct[1], ct[0], ct[1])).agent());
        }
        assertTrue(doubleSum > 1.0, "the example must round up as doubles: " + doubleSum);
        assertTrue(admission.withinBound(0));
        assertThrows(AdmissionRejectedException.class, () -> admission.admit(spec("tiny", 1, Long.MAX_VALUE / 2)));

        // 1/3 + 4/7 + 2/21 = 1 exactly, but 0.9999999999999999 as doubles: room for more to a double sum
        EdfAdmissionControl second = new EdfAdmissionControl(1);
        double low = 0;
        for (long[] ct : new long[][] {{1, 3}, {4, 7}, {2, 21}}) {
            low += (double) ct[0] / ct[1];
            second.admit(spec(ct[0] + "/" + ct[1], ct[0], ct[1]));
        }
        assertTrue(low < 1.0, "the example must round down as doubles: " + low);
        assertThrows(AdmissionRejectedException.class, () -> second.admit(spec("tiny", 1, Long.MAX_VALUE / 2)));
        // as a batch too (first-fit decreasing), and on a second agent the rest fits
        EdfAdmissionControl batch = new EdfAdmissionControl(2);
        List<Admission> placed = batch.admitAll(List.of(spec("a", 1, 3), spec("b", 4, 7), spec("c", 2, 21),
                spec("tiny", 1, Long.MAX_VALUE / 2)));
        Map<String, Integer> agents = agentsByName(placed);
        assertEquals(Map.of("b", 0, "a", 0, "c", 0, "tiny", 1), agents);
    }

    @Test
    void rejectionMessageSaysWhy() {
        EdfAdmissionControl admission = new EdfAdmissionControl(2);
        admission.admit(percent("first", 70));
        admission.admit(percent("second", 45));
        AdmissionRejectedException e = assertThrows(AdmissionRejectedException.class,
                () -> admission.admit(percent("big", 60)));
        String m = e.getMessage();
        assertTrue(m.contains("'big'"), m);
        assertTrue(m.contains("0.600000"), "the task's utilization: " + m);
        assertTrue(m.contains("0.700000") && m.contains("0.450000"), "every agent's utilization: " + m);
        assertTrue(m.contains("PT0.06S") && m.contains("PT0.1S"), "C and T: " + m);

        AdmissionRejectedException batch = assertThrows(AdmissionRejectedException.class,
                () -> admission.admitAll(List.of(percent("x", 20), percent("y", 60))));
        assertTrue(batch.getMessage().contains("'y'") && batch.getMessage().contains("batch of 2"), batch.getMessage());
    }

    @Test
    void utilizationAboveTheRateMonotonicBoundIsAdmittedOnOneAgent() {
        EdfAdmissionControl admission = new EdfAdmissionControl(1);
        // U = 0.9 > 2(√2 − 1) ≈ 0.828: rate-monotonic admission would refuse; EDF schedules it
        assertEquals(0, admission.admit(percent("a", 45)).agent());
        assertEquals(0, admission.admit(percent("b", 45)).agent());
        assertEquals(0.9, admission.utilization(0), 1e-12);
        // and it is indeed schedulable: preemptive EDF over a hyperperiod
        Workload w = Workload.builder(1)
                .periodic("a", 45 * MS, 100 * MS, 100 * MS, TaskOptions.DEFAULT)
                .periodic("b", 9 * MS, 20 * MS, 100 * MS, TaskOptions.DEFAULT)     // also 0.45
                .build();
        assertEquals(0, Simulation.builder(Policies.edf()).preemption(Preemption.ON_ARRIVAL).build().run(w)
                .deadlineMisses());
        // six tasks of 1/6 each exceed the Liu–Layland bound for n = 6 (≈ 0.735) and still fit
        EdfAdmissionControl six = new EdfAdmissionControl(1);
        for (int i = 0; i < 6; i++) {
            assertEquals(0, six.admit(spec("s" + i, 1, 6)).agent());
        }
        assertTrue(six.withinBound(0));
    }

    // ------------------------------------------------------------------ partitioning

    @Test
    void singleAdmissionsGoToTheLowestNumberedAgentTheyFitOn() {
        EdfAdmissionControl admission = new EdfAdmissionControl(3);
        assertEquals(0, admission.admit(percent("a", 60)).agent());
        assertEquals(1, admission.admit(percent("b", 50)).agent());
        assertEquals(0, admission.admit(percent("c", 40)).agent());   // fits exactly on 0
        assertEquals(1, admission.admit(percent("d", 30)).agent());
        assertEquals(2, admission.admit(percent("e", 30)).agent());
        assertEquals(1, admission.admit(percent("f", 20)).agent());   // 1 is at 0.8
        assertEquals(2, admission.admit(percent("g", 1)).agent());
        assertEquals(1.0, admission.utilization(0));
        assertEquals(1.0, admission.utilization(1));
        assertEquals(0.31, admission.utilization(2), 1e-12);
    }

    @Test
    void batchesArePartitionedFirstFitDecreasing() {
        // increasing order one by one: 0.2, 0.3, 0.4 → agent 0 (0.9), 0.5 → agent 1, 0.6 fits nowhere
        EdfAdmissionControl oneByOne = new EdfAdmissionControl(2);
        for (int u : new int[] {20, 30, 40, 50}) {
            oneByOne.admit(percent("u" + u, u));
        }
        assertThrows(AdmissionRejectedException.class, () -> oneByOne.admit(percent("u60", 60)));

        // the same tasks as a batch, in increasing order: sorted 0.6, 0.5, 0.4, 0.3, 0.2 and placed first fit
        EdfAdmissionControl admission = new EdfAdmissionControl(2);
        List<Admission> placed = admission.admitAll(List.of(percent("u20", 20), percent("u30", 30),
                percent("u40", 40), percent("u50", 50), percent("u60", 60)));
        assertEquals(List.of("u60", "u50", "u40", "u30", "u20"),
                placed.stream().map(a -> a.task().name()).toList(), "admissions in placement order");
        assertEquals(Map.of("u60", 0, "u40", 0, "u50", 1, "u30", 1, "u20", 1), agentsByName(placed));
        assertEquals(1.0, admission.utilization(0));
        assertEquals(1.0, admission.utilization(1));
        assertTrue(admission.withinBound(0) && admission.withinBound(1));
        assertThrows(AdmissionRejectedException.class, () -> admission.admit(spec("tiny", 1, Long.MAX_VALUE / 2)));
    }

    @Test
    void aBatchThatDoesNotFitChangesNothing() {
        EdfAdmissionControl admission = new EdfAdmissionControl(2);
        admission.admit(percent("existing", 50));
        // 0.5 + 0.5 fit, 0.9 would fit only alone: the batch of 3 does not fit on what is left
        List<PeriodicTaskSpec> batch = List.of(percent("a", 50), percent("b", 50), percent("c", 90));
        AdmissionRejectedException e = assertThrows(AdmissionRejectedException.class, () -> admission.admitAll(batch));
        assertTrue(e.getMessage().contains("rejected as a whole"), e.getMessage());
        assertEquals(0.5, admission.utilization(0));
        assertEquals(0.0, admission.utilization(1));
        // nothing of the batch was recorded as admitted: none of it can be released
        assertThrows(IllegalArgumentException.class, () -> admission.release(new Admission(percent("c", 90), 0)));
        assertThrows(IllegalArgumentException.class, () -> admission.release(new Admission(percent("c", 90), 1)));
        // a null element is rejected before anything changes
        List<PeriodicTaskSpec> withNull = new ArrayList<>(List.of(percent("ok", 10)));
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> admission.admitAll(withNull));
        assertThrows(NullPointerException.class, () -> admission.admitAll(null));
        assertThrows(NullPointerException.class, () -> admission.admit(null));
        assertEquals(0.5, admission.utilization(0));
        assertEquals(0.0, admission.utilization(1));
        // and the same room is still there
        assertEquals(Map.of("c", 1), agentsByName(admission.admitAll(List.of(percent("c", 90)))));
        assertEquals(List.of(), admission.admitAll(List.of()));
    }

    @Test
    void releaseGivesTheShareBack() {
        EdfAdmissionControl admission = new EdfAdmissionControl(2);
        Admission a = admission.admit(spec("a", 1, 3));
        Admission b = admission.admit(spec("b", 2, 3));
        Admission c = admission.admit(spec("c", 1, 7));
        assertEquals(0, a.agent());
        assertEquals(0, b.agent());
        assertEquals(1, c.agent());
        admission.release(b);
        assertEquals(1.0 / 3, admission.utilization(0), 1e-12);
        // the exact share came back: exactly 2/3 fits again on agent 0, not a hair more
        assertEquals(0, admission.admit(spec("b2", 2, 3)).agent());
        assertEquals(1, admission.admit(spec("tiny", 1, Long.MAX_VALUE / 2)).agent());
        admission.release(a);
        admission.release(c);
        assertThrows(IllegalArgumentException.class, () -> admission.release(a), "released twice");
        assertThrows(IllegalArgumentException.class, () -> admission.release(new Admission(spec("b2", 2, 3), 1)),
                "admitted on another agent");
        assertThrows(NullPointerException.class, () -> admission.release(null));
        assertEquals(2.0 / 3, admission.utilization(0), 1e-12);
        assertTrue(admission.utilization(1) > 0 && admission.utilization(1) < 1e-15);
        // two equal specs: each admission releases one share
        EdfAdmissionControl twins = new EdfAdmissionControl(1);
        Admission t1 = twins.admit(percent("twin", 50));
        Admission t2 = twins.admit(percent("twin", 50));
        twins.release(t1);
        assertEquals(0.5, twins.utilization(0));
        twins.release(t2);
        assertEquals(0.0, twins.utilization(0));
        assertThrows(IllegalArgumentException.class, () -> twins.release(t2));
    }

    @Test
    void releasingAnAdmissionForANonexistentAgentIsAnIllegalArgument() {
        EdfAdmissionControl admission = new EdfAdmissionControl(2);
        PeriodicTaskSpec task = percent("a", 10);
        admission.admit(task);
        assertThrows(IllegalArgumentException.class, () -> admission.release(new Admission(task, 2)));
        assertThrows(IllegalArgumentException.class, () -> admission.release(new Admission(task, -1)));
        assertEquals(0.1, admission.utilization(0), 1e-12);
    }

    @Test
    @Timeout(30)
    void concurrentAdmissionsNeverOvershootTheBound() throws Exception {
        EdfAdmissionControl admission = new EdfAdmissionControl(1);
        int threads = 8;
        int perThread = 50;
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    try {
                        admission.admit(spec("w" + id + "-" + i, 10, 1000));    // 1/100
                        admitted.incrementAndGet();
                    } catch (AdmissionRejectedException e) {
                        rejected.incrementAndGet();
                    }
                }
            });
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(100, admitted.get());
        assertEquals(threads * perThread - 100, rejected.get());
        assertTrue(admission.withinBound(0));
        assertEquals(1.0, admission.utilization(0));

        // churn: concurrent admit/release pairs must leave exactly nothing behind (a lost update would not)
        EdfAdmissionControl churn = new EdfAdmissionControl(2);
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> churners = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < 20_000; i++) {
                        // utilization ≤ 1/2: any four always fit on two agents by first fit
                        churn.release(churn.admit(spec("c" + id, 1 + (i + id) % 5, 10)));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            churners.add(worker);
            worker.start();
        }
        go.countDown();
        for (Thread w : churners) {
            w.join();
        }
        assertEquals(List.of(), errors);
        assertEquals(0.0, churn.utilization(0));
        assertEquals(0.0, churn.utilization(1));
    }

    // ------------------------------------------------------------------ validation

    @Test
    void specValidationNamesTheParameter() {
        Duration ms = Duration.ofMillis(1);
        assertMessage(NullPointerException.class, "name", () -> new PeriodicTaskSpec(null, ms, ms));
        assertMessage(NullPointerException.class, "executionTime", () -> new PeriodicTaskSpec("x", null, ms));
        assertMessage(NullPointerException.class, "period", () -> new PeriodicTaskSpec("x", ms, null));
        assertMessage(IllegalArgumentException.class, "executionTime",
                () -> new PeriodicTaskSpec("x", Duration.ZERO, ms));
        assertMessage(IllegalArgumentException.class, "executionTime",
                () -> new PeriodicTaskSpec("x", Duration.ofNanos(-1), ms));
        assertMessage(IllegalArgumentException.class, "period", () -> new PeriodicTaskSpec("x", ms, Duration.ZERO));
        assertMessage(IllegalArgumentException.class, "period",
                () -> new PeriodicTaskSpec("x", ms, Duration.ofMillis(-5)));
        IllegalArgumentException tooBig = assertMessage(IllegalArgumentException.class, "executionTime",
                () -> new PeriodicTaskSpec("x", Duration.ofNanos(1_000_001), ms));
        assertTrue(tooBig.getMessage().contains("period"), tooBig.getMessage());
        assertMessage(IllegalArgumentException.class, "period",
                () -> new PeriodicTaskSpec("x", ms, Duration.ofNanos(Long.MAX_VALUE / 2 + 1)));
        assertMessage(IllegalArgumentException.class, "agents", () -> new EdfAdmissionControl(0));
        assertMessage(IllegalArgumentException.class, "agents", () -> new EdfAdmissionControl(-3));
        // the boundary cases are valid: C = T (utilization 1) and the longest period
        assertEquals(1.0, new PeriodicTaskSpec("full", ms, ms).utilizationEstimate());
        new PeriodicTaskSpec("long", ms, Duration.ofNanos(Long.MAX_VALUE / 2));
        EdfAdmissionControl one = new EdfAdmissionControl(1);
        one.admit(new PeriodicTaskSpec("full", ms, ms));
        assertThrows(AdmissionRejectedException.class, () -> one.admit(spec("tiny", 1, Long.MAX_VALUE / 2)));
    }

    static <E extends Throwable> E assertMessage(Class<E> type, String parameter,
                                                 org.junit.jupiter.api.function.Executable call) {
        E e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(parameter),
                () -> "message should name " + parameter + ": " + e.getMessage());
        return e;
    }

    static Map<String, Integer> agentsByName(List<Admission> admissions) {
        Map<String, Integer> m = new HashMap<>();
        for (Admission a : admissions) {
            m.put(a.task().name(), a.agent());
        }
        return m;
    }

    // ------------------------------------------------------------------ properties

    private static final List<Integer> PERIODS_MS = List.of(4, 5, 6, 8, 10, 12, 15, 20);
    private static final long HYPERPERIOD = 120 * MS;

    /** A periodic task: T in ms, C in units of 100 µs (1..10·T), so C/T is a step of 1/(10·T ms). */
    record Task(int periodMs, int execution100us) {
    }

    static Gen<List<Task>> randomTasks(int max) {
        Gen<Task> task = Generate.pick(PERIODS_MS).flatMap(p ->
                integers().between(1, 10 * p).map(c -> new Task(p, c)));
        return lists().of(task).ofSizeBetween(1, max);
    }

    static long executionNanos(Task t) {
        return t.execution100us() * 100_000L;
    }

    static long periodNanos(Task t) {
        return t.periodMs() * MS;
    }

    /** Utilization as a multiple of 1/H (H the hyperperiod in ns): exact in a long. */
    static long share(Task t) {
        return executionNanos(t) * (HYPERPERIOD / periodNanos(t));
    }

    static PeriodicTaskSpec toSpec(int i, Task t) {
        return spec("t" + i, executionNanos(t), periodNanos(t));
    }

    /**
     * An independent oracle: {@code single} tasks first fit in order, then the batch sorted by
     * decreasing utilization (stable) first fit, all or nothing, in exact integer arithmetic.
     * Returns the agent of each task by name, or null for the batch if it does not fit.
     */
    static Map<String, Integer> oracle(int agents, List<Task> single, List<Task> batch, long[] used) {
        Map<String, Integer> placement = new HashMap<>();
        for (int i = 0; i < single.size(); i++) {
            long u = share(single.get(i));
            for (int a = 0; a < agents; a++) {
                if (used[a] + u <= HYPERPERIOD) {
                    used[a] += u;
                    placement.put("s" + i, a);
                    break;
                }
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            order.add(i);
        }
        order.sort((x, y) -> Long.compare(share(batch.get(y)), share(batch.get(x))));
        long[] trial = used.clone();
        Map<String, Integer> batchPlacement = new HashMap<>();
        for (int i : order) {
            long u = share(batch.get(i));
            int placed = -1;
            for (int a = 0; a < agents && placed < 0; a++) {
                if (trial[a] + u <= HYPERPERIOD) {
                    trial[a] += u;
                    placed = a;
                }
            }
            if (placed < 0) {
                return placement;     // the batch is rejected: only the single admissions stand
            }
            batchPlacement.put("t" + i, placed);
        }
        System.arraycopy(trial, 0, used, 0, agents);
        placement.putAll(batchPlacement);
        return placement;
    }

    @Test
    void randomSetsArePartitionedExactlyAsFirstFitDecreasingAndEveryAgentMeetsItsDeadlines() {
        int[] outcomes = new int[2];    // batches admitted, batches rejected
        qt().withFixedSeed(0xAD317L).withExamples(250).withShrinkCycles(30)
                .forAll(integers().between(1, 4), randomTasks(6), randomTasks(12))
                .checkAssert((agents, single, batch) -> {
                    EdfAdmissionControl admission = new EdfAdmissionControl(agents);
                    long[] used = new long[agents];
                    Map<String, Integer> expected = oracle(agents, single, batch, used);
                    Map<String, Integer> actual = new HashMap<>();
                    List<List<Task>> perAgent = new ArrayList<>();
                    for (int a = 0; a < agents; a++) {
                        perAgent.add(new ArrayList<>());
                    }
                    for (int i = 0; i < single.size(); i++) {
                        PeriodicTaskSpec s = spec("s" + i, executionNanos(single.get(i)), periodNanos(single.get(i)));
                        try {
                            Admission a = admission.admit(s);
                            actual.put(s.name(), a.agent());
                            perAgent.get(a.agent()).add(single.get(i));
                        } catch (AdmissionRejectedException e) {
                            // the oracle has no entry for it either
                        }
                    }
                    double[] before = new double[agents];
                    for (int a = 0; a < agents; a++) {
                        before[a] = admission.utilization(a);
                    }
                    List<PeriodicTaskSpec> specs = new ArrayList<>();
                    for (int i = 0; i < batch.size(); i++) {
                        specs.add(toSpec(i, batch.get(i)));
                    }
                    try {
                        for (Admission a : admission.admitAll(specs)) {
                            actual.put(a.task().name(), a.agent());
                            perAgent.get(a.agent()).add(batch.get(Integer.parseInt(a.task().name().substring(1))));
                        }
                        outcomes[0]++;
                    } catch (AdmissionRejectedException e) {
                        outcomes[1]++;
                        for (int a = 0; a < agents; a++) {
                            assertEquals(before[a], admission.utilization(a), "a rejected batch changes nothing");
                        }
                    }
                    assertEquals(expected, actual, "first fit, then first-fit decreasing for the batch");
                    for (int a = 0; a < agents; a++) {
                        assertTrue(admission.withinBound(a), "agent " + a);
                        assertTrue(used[a] <= HYPERPERIOD);
                        assertEquals((double) used[a] / HYPERPERIOD, admission.utilization(a), 1e-9);
                        assertNoMisses(perAgent.get(a));
                    }
                });
        assertTrue(outcomes[0] >= 25 && outcomes[1] >= 25, "both outcomes exercised: " + Arrays.toString(outcomes));
    }

    /** López et al.: first fit places any set with Σu ≤ (βm + 1)/(β + 1), β = ⌊1/u_max⌋, on m agents. */
    @Test
    void everySetBelowTheFirstFitUtilizationBoundIsAdmitted() {
        int[] cases = new int[2];   // below the bound, above m
        qt().withFixedSeed(0xB0B0L).withExamples(400)
                .forAll(integers().between(1, 4), randomTasks(16))
                .checkAssert((agents, tasks) -> {
                    long total = 0;
                    long beta = Long.MAX_VALUE;
                    for (Task t : tasks) {
                        total += share(t);
                        beta = Math.min(beta, periodNanos(t) / executionNanos(t));    // ⌊T/C⌋ = ⌊1/u⌋
                    }
                    List<PeriodicTaskSpec> specs = new ArrayList<>();
                    for (int i = 0; i < tasks.size(); i++) {
                        specs.add(toSpec(i, tasks.get(i)));
                    }
                    boolean belowBound = total * (beta + 1) <= (beta * agents + 1) * HYPERPERIOD;
                    if (belowBound) {
                        cases[0]++;
                        EdfAdmissionControl batch = new EdfAdmissionControl(agents);
                        assertEquals(tasks.size(), batch.admitAll(specs).size());
                        EdfAdmissionControl oneByOne = new EdfAdmissionControl(agents);
                        for (PeriodicTaskSpec s : specs) {
                            oneByOne.admit(s);
                        }
                    }
                    if (total > (long) agents * HYPERPERIOD) {
                        cases[1]++;
                        assertThrows(AdmissionRejectedException.class,
                                () -> new EdfAdmissionControl(agents).admitAll(specs));
                    }
                });
        assertTrue(cases[0] >= 40 && cases[1] >= 40, "both cases exercised: " + Arrays.toString(cases));
    }

    static void assertNoMisses(List<Task> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        Workload.Builder b = Workload.builder(1);
        for (int i = 0; i < tasks.size(); i++) {
            b.periodic("t" + i, executionNanos(tasks.get(i)), periodNanos(tasks.get(i)), HYPERPERIOD, TaskOptions.DEFAULT);
        }
        SimulationReport report = Simulation.builder(Policies.edf()).preemption(Preemption.ON_ARRIVAL).build()
                .run(b.build());
        assertEquals(0, report.deadlineMisses(), () -> tasks + "\n" + report);
    }
}
