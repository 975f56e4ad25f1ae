package io.github.loadstar.algorithms.mlfq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.sim.Preemption;
import io.github.loadstar.algorithms.sim.SimTask;
import io.github.loadstar.algorithms.sim.Simulation;
import io.github.loadstar.algorithms.sim.SimulationListener;
import io.github.loadstar.algorithms.sim.SimulationReport;
import io.github.loadstar.algorithms.sim.Workload;
import io.github.loadstar.core.Priority;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.algorithms.TestTask;
import io.github.loadstar.core.spi.QueuedTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The multi-level feedback queue in the simulator and on its backlog. Theory checked (OSTEP ch. 8,
 * adapted as MlfqPolicy documents): rule 1, CRITICAL runs first whenever CRITICAL work is queued;
 * rule 2, continuously backlogged HIGH/NORMAL/LOW levels share the agent by their normalised
 * weights — exactly w_k dispatches per round of Σw under smooth weighted round robin — and an empty
 * level's share goes to the others; rule 3, aging bounds every wait, even under a flood of critical
 * work; rule 4, a tenant that yields just before its quantum ends is still demoted once its
 * cumulative run time at a level reaches the allotment; rule 5, a boost undoes demotions.
 * The simulation is deterministic.
 */
final class MlfqTest {
    private static final long MS = 1_000_000L;
    private static final Duration DAY = Duration.ofDays(1);

    /** Aging, boost and feedback off: only rule 1 and the weighted round robin act. */
    private static MlfqConfig.Builder roundRobinOnly() {
        return MlfqConfig.builder().agingThreshold(DAY).boostPeriod(DAY)
                .allotment(Priority.HIGH, Duration.ZERO).allotment(Priority.NORMAL, Duration.ZERO);
    }

    private static TaskOptions options(Priority p) {
        return TaskOptions.builder().priority(p).build();
    }

    private static TaskOptions options(Priority p, String tenant) {
        TaskOptions.Builder b = TaskOptions.builder().priority(p);
        return tenant == null ? b.build() : b.tenant(tenant).build();
    }

    /** The level a dispatched task was polled from (MlfqBacklog records it in the task's policy node). */
    private static int level(SimTask task) {
        Object node = task.policyNode();
        assertTrue(node instanceof Integer, () -> "no level recorded for " + task);
        return (Integer) node;
    }

    /** A policy that hands out MLFQ backlogs and keeps them, so a test can ask them about tenants. */
    private static final class Capturing implements OrderingPolicy {
        final MlfqPolicy policy;
        final List<MlfqPolicy.MlfqBacklog> backlogs = new ArrayList<>();

        Capturing(MlfqPolicy policy) {
            this.policy = policy;
        }

        @Override
        public String name() {
            return policy.name();
        }

        @Override
        public Backlog newBacklog() {
            MlfqPolicy.MlfqBacklog b = (MlfqPolicy.MlfqBacklog) policy.newBacklog();
            backlogs.add(b);
            return b;
        }
    }

    // ------------------------------------------------------------------ rule 1: CRITICAL first

    /** A random mix of every class, tenants and work sizes (possibly overloaded). */
    static Workload randomMix(long seed, long horizon) {
        SplittableRandom r = new SplittableRandom(seed);
        Workload.Builder b = Workload.builder(seed);
        String[] tenants = {null, "a", "b", "c"};
        for (Priority p : Priority.values()) {
            for (String tenant : tenants) {
                if (r.nextInt(3) == 0) {
                    continue;
                }
                b.poisson(p + "/" + tenant, r.nextInt(5, 120), r.nextLong(100_000, 4 * MS), horizon, options(p, tenant));
            }
        }
        return b.build();
    }

    /** Tracks the tasks queued in the backlog (arrived or offered back, not running, not done). */
    private static class Queued implements SimulationListener {
        final Map<SimTask, Boolean> queued = new IdentityHashMap<>();

        @Override
        public void onArrival(SimTask task, long now) {
            queued.put(task, Boolean.TRUE);
        }

        @Override
        public void onDispatch(int agent, SimTask task, long now) {
            assertNotNull(queued.remove(task), () -> "dispatched a task that was not queued: " + task);
        }

        @Override
        public void onRun(int agent, SimTask task, long ranNanos, long now) {
            if (task.remainingNanos() > 0) {
                queued.put(task, Boolean.TRUE);
            }
        }
    }

    @Test
    void criticalWorkAlwaysRunsFirst() {
        int[] contested = {0};      // dispatches with CRITICAL and other work queued together
        qt().withFixedSeed(0x3F1FL).withExamples(150).withShrinkCycles(20)
                .forAll(longs().all(), integers().between(0, 1), integers().between(10, 200))
                .checkAssert((seed, sliced, agingMs) -> {
                    List<Long> criticalOrder = new ArrayList<>();
                    Queued checker = new Queued() {
                        @Override
                        public void onDispatch(int agent, SimTask task, long now) {
                            super.onDispatch(agent, task, now);
                            int level = level(task);
                            if (task.options().priority() == Priority.CRITICAL) {
                                assertEquals(MlfqPolicy.CRITICAL, level, () -> "a CRITICAL task is never demoted: " + task);
                                if (task.firstStartNanos() == now && task.remainingNanos() == task.workNanos()) {
                                    criticalOrder.add(task.arrivalNanos());
                                }
                            }
                            boolean criticalQueued = false;
                            boolean otherQueued = false;
                            for (SimTask q : queued.keySet()) {
                                if (q.options().priority() == Priority.CRITICAL) {
                                    criticalQueued = true;
                                } else {
                                    otherQueued = true;
                                }
                            }
                            if (criticalQueued) {
                                // the dispatched task is at the CRITICAL level: a CRITICAL task or an aged one
                                assertEquals(MlfqPolicy.CRITICAL, level, () -> "at " + now + " dispatched " + task
                                        + " from level " + level + " while CRITICAL work was queued");
                                if (otherQueued) {
                                    contested[0]++;
                                }
                            }
                        }
                    };
                    MlfqConfig config = MlfqConfig.builder().agingThreshold(Duration.ofMillis(agingMs)).build();
                    SimulationReport report = Simulation.builder(Policies.mlfq(config))
                            .preemption(sliced == 1 ? Preemption.TIME_SLICED : Preemption.NONE)
                            .listener(checker).build().run(randomMix(seed, 500 * MS));
                    assertEquals(report.tasks().size(), report.completed());
                    if (sliced == 0) {
                        // FIFO within the CRITICAL class (run to completion: first dispatch order = arrival order)
                        List<Long> sorted = new ArrayList<>(criticalOrder);
                        sorted.sort(null);
                        assertEquals(sorted, criticalOrder, "CRITICAL tasks start in arrival order (by arrival time)");
                    }
                });
        assertTrue(contested[0] > 5_000, "the mixes must contest the agent: " + contested[0]);
    }

    // ------------------------------------------------------------------ rule 2: weighted shares

    /**
     * Service (run time) of each class's tasks until {@code horizon}, all arriving at 0 and
     * backlogged from the start: a 1 ms CRITICAL task at 0 holds the agent while they are all
     * offered (the simulator dispatches an idle agent at the first arrival), so the round robin
     * starts with every level queued; it is not counted, nor its dispatch recorded in {@code levels}.
     */
    static long[] serviceByClass(MlfqConfig config, int[] tasksPerClass, long work, long horizon, List<Integer> levels) {
        Workload.Builder b = Workload.builder(1).task(0, MS, options(Priority.CRITICAL), "starter");
        horizon += MS;
        for (Priority p : new Priority[] {Priority.HIGH, Priority.NORMAL, Priority.LOW}) {
            b.burst(0, tasksPerClass[p.ordinal()], work, options(p), p.name());
        }
        long[] service = new long[4];
        Simulation.builder(Policies.mlfq(config)).horizon(Duration.ofNanos(horizon))
                .listener(new SimulationListener() {
                    @Override
                    public void onDispatch(int agent, SimTask task, long now) {
                        if (levels != null && task.options().priority() != Priority.CRITICAL) {
                            levels.add(level(task));
                        }
                    }

                    @Override
                    public void onRun(int agent, SimTask task, long ranNanos, long now) {
                        service[task.options().priority().ordinal()] += ranNanos;
                    }
                }).build().run(b.build());
        return service;
    }

    static void assertShares(long[] service, double[] weights, double tolerance, String what) {
        double total = service[1] + service[2] + service[3];
        double weightSum = weights[1] + weights[2] + weights[3];
        for (int level = 1; level <= 3; level++) {
            double expected = weights[level] / weightSum;
            double actual = service[level] / total;
            int l = level;
            assertTrue(Math.abs(actual / expected - 1) <= tolerance, () -> what + ": level " + l + " share "
                    + actual + ", expected " + expected + " ± " + tolerance * 100 + " %");
        }
    }

    @Test
    void continuouslyBackloggedLevelsShareByTheDefaultWeights() {
        // 0.3 / 0.2 / 0.1 → 1/2, 1/3, 1/6; 1 ms tasks, 600 ms: every level stays backlogged throughout
        List<Integer> levels = new ArrayList<>();
        long[] service = serviceByClass(roundRobinOnly().build(), new int[] {0, 600, 600, 600}, MS, 600 * MS, levels);
        assertEquals(600 * MS, service[1] + service[2] + service[3], "work conserving");
        assertShares(service, new double[] {0, 0.3, 0.2, 0.1}, 0.02, "defaults");
        // deterministic smooth round robin: every round of 6 dispatches is H N H L H N (or a rotation of counts 3/2/1)
        for (int round = 0; round + 6 <= levels.size(); round += 6) {
            int[] counts = new int[4];
            for (int i = round; i < round + 6; i++) {
                counts[levels.get(i)]++;
            }
            assertEquals(List.of(3, 2, 1), List.of(counts[1], counts[2], counts[3]), "round at dispatch " + round);
        }
    }

    @Test
    void integerWeightsGiveExactlyTheirWeightPerRound() {
        qt().withFixedSeed(0x5EA1L).withExamples(60)
                .forAll(integers().between(1, 10), integers().between(1, 10), integers().between(1, 10))
                .checkAssert((h, n, l) -> {
                    MlfqConfig config = roundRobinOnly().weights(h, n, l).build();
                    int round = h + n + l;
                    int dispatches = 100 * round;
                    List<Integer> levels = new ArrayList<>();
                    long[] service = serviceByClass(config, new int[] {0, dispatches, dispatches, dispatches}, MS,
                            dispatches * MS, levels);
                    assertShares(service, new double[] {0, h, n, l}, 0.02, "weights " + h + "/" + n + "/" + l);
                    for (int start = 0; start + round <= levels.size(); start += round) {
                        int[] counts = new int[4];
                        for (int i = start; i < start + round; i++) {
                            counts[levels.get(i)]++;
                        }
                        assertEquals(List.of(h, n, l), List.of(counts[1], counts[2], counts[3]),
                                "dispatches per round starting at " + start);
                    }
                });
    }

    @Test
    void arbitraryWeightsGiveTheirNormalisedShareWithinTwoPercent() {
        // smooth WRR keeps every level within a few dispatches of its ideal share; over 4000 dispatches
        // that is far inside 2 % for shares ≥ 1/21 (weights within a factor of 10 of each other)
        qt().withFixedSeed(0x5EA2L).withExamples(40)
                .forAll(doubles().between(0.05, 0.5), doubles().between(0.05, 0.5), doubles().between(0.05, 0.5))
                .checkAssert((h, n, l) -> {
                    MlfqConfig config = roundRobinOnly().weights(h, n, l).build();
                    long[] service = serviceByClass(config, new int[] {0, 4000, 4000, 4000}, MS, 4000 * MS, null);
                    assertShares(service, new double[] {0, h, n, l}, 0.02, "weights " + h + "/" + n + "/" + l);
                });
    }

    @Test
    void anEmptyLevelsShareGoesToTheOthers() {
        // NORMAL has no work: HIGH and LOW split 0.3 : 0.1 = 3/4 : 1/4, and the agent never idles
        long[] service = serviceByClass(roundRobinOnly().build(), new int[] {0, 1000, 0, 1000}, MS, 800 * MS, null);
        assertEquals(800 * MS, service[1] + service[3]);
        assertEquals(0.75, service[1] / (double) (800 * MS), 0.75 * 0.02);
        assertEquals(0.25, service[3] / (double) (800 * MS), 0.25 * 0.02);

        // HIGH runs out part way: from then on NORMAL and LOW split 2 : 1
        List<Integer> levels = new ArrayList<>();
        long[] partial = serviceByClass(roundRobinOnly().build(), new int[] {0, 100, 1000, 1000}, MS, 1000 * MS, levels);
        assertEquals(100 * MS, partial[1], "HIGH got all its work");
        assertEquals(1000 * MS, partial[1] + partial[2] + partial[3], "work conserving");
        int lastHigh = levels.lastIndexOf(MlfqPolicy.HIGH);
        long normalAfter = levels.subList(lastHigh + 1, levels.size()).stream().filter(x -> x == 2).count();
        long lowAfter = levels.subList(lastHigh + 1, levels.size()).stream().filter(x -> x == 3).count();
        assertEquals(2.0, normalAfter / (double) lowAfter, 2.0 * 0.02, normalAfter + " : " + lowAfter);
    }

    // ------------------------------------------------------------------ determinism

    @Test
    void theSameWorkloadGivesTheSameDispatchSequence() {
        qt().withFixedSeed(0xD37L).withExamples(40)
                .forAll(longs().all(), integers().between(1, 3), integers().between(0, 2))
                .checkAssert((seed, agents, mode) -> {
                    Preemption preemption = Preemption.values()[mode];
                    Workload workload = randomMix(seed, 2_500 * MS);
                    List<String> trace = new ArrayList<>();
                    SimulationListener recorder = new SimulationListener() {
                        @Override
                        public void onDispatch(int agent, SimTask task, long now) {
                            trace.add(now + ":" + agent + ":" + task.id() + "@" + level(task));
                        }

                        @Override
                        public void onRun(int agent, SimTask task, long ranNanos, long now) {
                            trace.add(now + ":" + agent + ":" + task.id() + "+" + ranNanos);
                        }
                    };
                    List<List<String>> traces = new ArrayList<>();
                    Simulation simulation = Simulation.builder(Policies.mlfq()).agents(agents)
                            .preemption(preemption).listener(recorder).build();
                    for (Simulation run : List.of(simulation, simulation, Simulation.builder(Policies.mlfq())
                            .agents(agents).preemption(preemption).listener(recorder).build())) {
                        run.run(workload);
                        traces.add(new ArrayList<>(trace));
                        trace.clear();
                    }
                    assertTrue(traces.get(0).size() > 100, "a real workload");
                    assertEquals(traces.get(0), traces.get(1), "the same simulation run twice");
                    assertEquals(traces.get(0), traces.get(2), "a fresh policy and simulation");
                });
    }

    // ------------------------------------------------------------------ rule 3: no task waits forever

    /** The unfinished work of a single work-conserving agent, maximised over time (Lindley's recursion). */
    static long maxUnfinishedWork(List<SimTask> tasksByArrival) {
        long v = 0;
        long max = 0;
        long last = 0;
        for (SimTask t : tasksByArrival) {
            v = Math.max(0, v - (t.arrivalNanos() - last)) + t.workNanos();
            last = t.arrivalNanos();
            max = Math.max(max, v);
        }
        return max;
    }

    /**
     * The wait bound for one agent, derived from the config. A waiting task moves up a level when a
     * poll finds it has waited {@code T = agingThreshold} there; polls come at least every run
     * (≤ W, the longest task or slice), so each level takes at most T + W, and its waiting time
     * restarts at the level it enters. From LOW it needs ⌈3/b⌉ such steps to reach CRITICAL
     * (b = agingBoost); a boost may end one step early and return a demoted task to its class
     * (≤ NORMAL), after which ⌈2/b⌉ steps remain: k = max(⌈3/b⌉, 1 + ⌈2/b⌉) steps. At CRITICAL it
     * queues FIFO behind at most the unfinished work then, ≤ V_max, which for one work-conserving
     * agent is a property of the workload alone. So every wait ≤ k·(T + W) + V_max.
     */
    static long waitBound(MlfqConfig config, long maxWork, long maxUnfinished) {
        int b = config.agingBoost();
        int k = Math.max(ceilDiv(3, b), 1 + ceilDiv(2, b));
        return k * (config.agingThreshold().toNanos() + maxWork) + maxUnfinished;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * A flood of CRITICAL work at 90–100 % of the agent for 0.5–2 s (so CRITICAL is never empty),
     * plus HIGH/NORMAL/LOW tasks of several tenants arriving during it; total load over [0, 2F]
     * below 100 %.
     */
    static Workload flood(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long f = r.nextLong(500, 2_001) * MS;
        long criticalWork = r.nextLong(1, 6) * MS;
        int percent = r.nextInt(90, 101);
        long gap = criticalWork * 100 / percent;
        String[] tenants = {null, "a", "b"};
        Workload.Builder b = Workload.builder(seed).burst(0, r.nextInt(0, 5), criticalWork,
                options(Priority.CRITICAL), "critical-burst");
        for (long t = 0; t < f; t += gap) {
            b.task(t, criticalWork, options(Priority.CRITICAL, tenants[r.nextInt(3)]), "critical");
        }
        int others = r.nextInt(5, 41);
        Priority[] classes = {Priority.HIGH, Priority.NORMAL, Priority.LOW};
        for (int i = 0; i < others; i++) {
            Priority p = classes[r.nextInt(3)];
            b.task(r.nextLong(0, f), r.nextLong(MS, 5 * MS + 1), options(p, tenants[r.nextInt(3)]), p.name());
        }
        return b.build();
    }

    @Test
    void noTaskWaitsLongerThanTheAgingBoundUnderACriticalFlood() {
        int[] agingNeeded = {0};
        qt().withFixedSeed(0xA9E5L).withExamples(200).withShrinkCycles(10)
                .forAll(longs().all(), integers().between(0, 2), integers().between(1, 3), integers().between(0, 5))
                .checkAssert((seed, thresholdIndex, agingBoost, variant) -> {
                    long[] thresholdsMs = {20, 50, 100};
                    long[] boostsMs = {200, 1_000, DAY.toMillis()};
                    MlfqConfig config = MlfqConfig.builder()
                            .agingThreshold(Duration.ofMillis(thresholdsMs[thresholdIndex]))
                            .agingBoost(agingBoost).boostPeriod(Duration.ofMillis(boostsMs[variant % 3])).build();
                    Preemption preemption = variant < 3 ? Preemption.NONE : Preemption.TIME_SLICED;
                    Workload workload = flood(seed);
                    SimulationReport report = Simulation.builder(Policies.mlfq(config)).preemption(preemption)
                            .build().run(workload);
                    List<SimTask> tasks = report.tasks();
                    long totalWork = tasks.stream().mapToLong(SimTask::workNanos).sum();
                    long lastArrival = tasks.get(tasks.size() - 1).arrivalNanos();
                    assertTrue(totalWork < 2 * lastArrival + 2 * 5 * MS, "load below 100 % over [0, 2F]");
                    long maxWork = tasks.stream().mapToLong(SimTask::workNanos).max().orElseThrow();
                    long bound = waitBound(config, maxWork, maxUnfinishedWork(tasks));
                    long maxOtherWait = 0;
                    for (SimTask t : tasks) {
                        assertTrue(t.completed(), () -> t + " never completed");
                        long wait = t.firstStartNanos() - t.arrivalNanos();
                        assertTrue(wait <= bound, () -> t + " waited " + wait / 1e6 + " ms > bound " + bound / 1e6
                                + " ms; " + config + ", " + preemption);
                        if (t.options().priority() != Priority.CRITICAL) {
                            maxOtherWait = Math.max(maxOtherWait, wait);
                        }
                    }
                    if (maxOtherWait > config.agingThreshold().toNanos()) {
                        agingNeeded[0]++;
                    }
                });
        assertTrue(agingNeeded[0] >= 100, "the floods must make tasks age: " + agingNeeded[0]);
    }

    /**
     * MlfqPolicy and docs/algorithms.md bound every wait by the aging time to CRITICAL,
     * 3 × agingThreshold / agingBoost from LOW, plus the critical work ahead then. Aging is
     * clocked by polls, though: a task moves up only at a poll, and its wait at the new level
     * restarts at that poll ({@code enqueue} sets policyKey = now), so the time by which a poll
     * overshoots the threshold — up to one run — is lost at every level. With 90 ms critical jobs
     * and a 100 ms threshold a LOW task reaches CRITICAL at 540 ms, not 300 ms.
     */
    @Test
    void aLowTaskReachesCriticalWithinThreeAgingThresholds() {
        long threshold = 100 * MS;
        long work = 90 * MS;
        MlfqConfig config = MlfqConfig.builder().agingThreshold(Duration.ofNanos(threshold)).boostPeriod(DAY).build();
        Workload.Builder b = Workload.builder(1).burst(0, 3, work, options(Priority.CRITICAL), "critical");
        for (long t = work; t < 3_000 * MS; t += work) {
            b.task(t, work, options(Priority.CRITICAL), "critical");
        }
        b.task(MS, MS, options(Priority.LOW), "low");
        Workload workload = b.build();
        SimulationReport report = Simulation.builder(Policies.mlfq(config)).build().run(workload);
        SimTask low = report.tasks().stream().filter(t -> "low".equals(t.label())).findFirst().orElseThrow();
        long wait = low.firstStartNanos() - low.arrivalNanos();
        // documented: 3·T to reach CRITICAL, + one run for the poll that notices, + the work ahead then
        long documented = 3 * threshold + work + maxUnfinishedWork(report.tasks());
        assertTrue(wait <= documented, "waited " + wait / 1e6 + " ms, documented bound " + documented / 1e6 + " ms");
    }

    // ------------------------------------------------------------------ rule 3 on the backlog

    /** A queued task with a name, for driving a backlog directly. */
    static final class Task extends TestTask {
        Task(String name, long submit, TaskOptions options) {
            super(name, options, submit);
        }

        int level() {
            return (Integer) policyNode();
        }
    }

    @Test
    void aTaskThatWaitedTheAgingThresholdMovesUpAgingBoostLevels() {
        for (int boost = 1; boost <= 3; boost++) {
            MlfqPolicy policy = Policies.mlfq(MlfqConfig.builder().agingThreshold(Duration.ofMillis(100))
                    .agingBoost(boost).boostPeriod(DAY).build());
            Backlog early = policy.newBacklog();
            Task waiting = new Task("low", 0, options(Priority.LOW));
            early.offer(waiting, 0);
            assertSame(waiting, early.poll(100 * MS - 1));
            assertEquals(MlfqPolicy.LOW, waiting.level(), "not yet aged");

            Backlog aged = policy.newBacklog();
            Task old = new Task("low", 0, options(Priority.LOW));
            aged.offer(old, 0);
            assertSame(old, aged.poll(100 * MS));
            assertEquals(MlfqPolicy.LOW - boost, old.level(), "aged by " + boost);
        }
        // an aged LOW task overtakes a NORMAL task that has not waited long
        Backlog backlog = Policies.mlfq(MlfqConfig.builder().agingThreshold(Duration.ofMillis(100)).agingBoost(3)
                .boostPeriod(DAY).build()).newBacklog();
        Task low = new Task("low", 0, options(Priority.LOW));
        Task normal = new Task("normal", 0, options(Priority.NORMAL));
        backlog.offer(low, 0);
        backlog.offer(normal, 50 * MS);
        assertSame(low, backlog.poll(100 * MS));
        assertEquals(MlfqPolicy.CRITICAL, low.level());
    }

    /**
     * The Backlog contract: peek returns what poll would return "without removing it or changing
     * any state". MLFQ's peek runs boost and aging, so a peek moves tasks up early and changes what
     * a later poll returns.
     */
    @Test
    void peekDoesNotChangeWhatALaterPollReturns() {
        MlfqPolicy policy = Policies.mlfq(MlfqConfig.builder().agingThreshold(Duration.ofMillis(100)).boostPeriod(DAY)
                .build());
        List<String> withoutPeek = new ArrayList<>();
        List<String> withPeek = new ArrayList<>();
        for (boolean peek : new boolean[] {false, true}) {
            Backlog backlog = policy.newBacklog();
            backlog.offer(new Task("low", 0, options(Priority.LOW)), 0);
            if (peek) {
                assertEquals("low", backlog.peek(150 * MS).toString());
            }
            backlog.offer(new Task("normal", 200 * MS, options(Priority.NORMAL)), 200 * MS);
            QueuedTask first = backlog.poll(260 * MS);
            (peek ? withPeek : withoutPeek).add(first + "@" + ((Task) first).level());
        }
        assertEquals(withoutPeek, withPeek);
    }

    // ------------------------------------------------------------------ rule 4: gaming

    /**
     * A tenant's HIGH tasks each run 9.9 ms against a 10 ms quantum, the next arriving as the last
     * completes (OSTEP's "yield just before the slice ends"). Its use is summed across tasks:
     * after ⌈50/9.9⌉ = 6 tasks it has used the 50 ms HIGH allotment and its tasks enter NORMAL;
     * after ⌈100/9.9⌉ = 11 more, the NORMAL allotment, and they enter LOW.
     */
    @Test
    void aTenantThatYieldsJustBeforeItsQuantumIsStillDemoted() {
        long work = 9_900_000L;
        Capturing policy = new Capturing(Policies.mlfq());
        assertEquals(10 * MS, policy.policy.config().quantum(Priority.HIGH).toNanos());
        Workload.Builder b = Workload.builder(1);
        for (int i = 0; i < 30; i++) {
            b.task(i * work, work, options(Priority.HIGH, "gamer"), "gamer");
        }
        List<Integer> gamerLevels = new ArrayList<>();
        List<Long> gamerRuns = new ArrayList<>();
        Simulation.builder(policy).preemption(Preemption.TIME_SLICED).listener(new SimulationListener() {
            @Override
            public void onDispatch(int agent, SimTask task, long now) {
                gamerLevels.add(level(task));
            }

            @Override
            public void onRun(int agent, SimTask task, long ranNanos, long now) {
                gamerRuns.add(ranNanos);
            }
        }).build().run(b.build());
        assertTrue(gamerRuns.stream().allMatch(r -> r == work), "every task yields before its slice ends: " + gamerRuns);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            expected.add(i < 6 ? MlfqPolicy.HIGH : i < 17 ? 2 : MlfqPolicy.LOW);
        }
        assertEquals(expected, gamerLevels);
        MlfqPolicy.MlfqBacklog backlog = policy.backlogs.get(0);
        assertEquals(MlfqPolicy.LOW, backlog.entryLevel("gamer", Priority.HIGH));
        assertEquals(MlfqPolicy.LOW, backlog.entryLevel("gamer", Priority.NORMAL));
        assertEquals(MlfqPolicy.CRITICAL, backlog.entryLevel("gamer", Priority.CRITICAL), "CRITICAL is never demoted");
        assertEquals(MlfqPolicy.HIGH, backlog.entryLevel("someone-else", Priority.HIGH));
        assertEquals(MlfqPolicy.HIGH, backlog.entryLevel(null, Priority.HIGH));
    }

    @Test
    void runTimeOfAnAgedTaskDoesNotCountTowardsItsTenantsAllotment() {
        // aging lifts a starved task; its run above the tenant's level is not the tenant's use of that level
        MlfqPolicy policy = Policies.mlfq(MlfqConfig.builder().agingThreshold(Duration.ofMillis(100)).boostPeriod(DAY)
                .build());
        MlfqPolicy.MlfqBacklog backlog = (MlfqPolicy.MlfqBacklog) policy.newBacklog();
        Task aged = new Task("aged", 0, options(Priority.NORMAL, "t"));
        backlog.offer(aged, 0);
        assertSame(aged, backlog.poll(100 * MS));
        assertEquals(MlfqPolicy.HIGH, aged.level(), "aged from NORMAL to HIGH");
        backlog.onStart(aged, 100 * MS);
        backlog.onFinish(aged, 500 * MS, 600 * MS);     // far beyond both allotments
        assertEquals(2, backlog.entryLevel("t", Priority.NORMAL));
        assertEquals(MlfqPolicy.HIGH, backlog.entryLevel("t", Priority.HIGH));
        // while a run at its own level does count
        Task own = new Task("own", 600 * MS, options(Priority.NORMAL, "t"));
        backlog.offer(own, 600 * MS);
        assertSame(own, backlog.poll(600 * MS));
        assertEquals(2, own.level());
        backlog.onStart(own, 600 * MS);
        backlog.onFinish(own, 100 * MS, 700 * MS);
        assertEquals(MlfqPolicy.LOW, backlog.entryLevel("t", Priority.NORMAL));
        assertEquals(2, backlog.entryLevel("t", Priority.HIGH), "the tenant's demotion applies to all its classes");
    }

    @Test
    void aLongTaskIsDemotedSliceBySliceWithEachLevelsQuantum() {
        // 200 ms of work at HIGH: 5 slices of 10 ms use the 50 ms allotment, 5 of 20 ms the 100 ms one,
        // then LOW's 40 ms slices (LOW has no allotment); without a tenant it is never demoted
        List<Long> slices = new ArrayList<>();
        List<Integer> levels = new ArrayList<>();
        List<Integer> anonymousLevels = new ArrayList<>();
        Simulation.builder(Policies.mlfq()).preemption(Preemption.TIME_SLICED).listener(new SimulationListener() {
            @Override
            public void onDispatch(int agent, SimTask task, long now) {
                (task.options().tenant() == null ? anonymousLevels : levels).add(level(task));
            }

            @Override
            public void onRun(int agent, SimTask task, long ranNanos, long now) {
                if (task.options().tenant() != null) {
                    slices.add(ranNanos / MS);
                }
            }
        }).build().run(Workload.builder(1).task(0, 200 * MS, options(Priority.HIGH, "batch"))
                .task(1_000 * MS, 200 * MS, options(Priority.HIGH)).build());
        assertEquals(List.of(10L, 10L, 10L, 10L, 10L, 20L, 20L, 20L, 20L, 20L, 40L, 10L), slices);
        assertEquals(List.of(1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3), levels);
        assertEquals(20, anonymousLevels.size(), "20 slices of 10 ms");
        assertTrue(anonymousLevels.stream().allMatch(l -> l == MlfqPolicy.HIGH), anonymousLevels::toString);
    }

    // ------------------------------------------------------------------ rule 5: boost

    @Test
    void afterTheBoostPeriodDemotionsAreUndone() {
        // the gamer keeps going past the 1 s boost: it starts again at HIGH and is demoted again after 6 tasks
        long work = 9_900_000L;
        Capturing policy = new Capturing(Policies.mlfq());
        Workload.Builder b = Workload.builder(1);
        int count = 120;
        for (int i = 0; i < count; i++) {
            b.task(i * work, work, options(Priority.HIGH, "gamer"), "gamer");
        }
        List<long[]> dispatches = new ArrayList<>();    // {time, level}
        Simulation.builder(policy).preemption(Preemption.TIME_SLICED).listener(new SimulationListener() {
            @Override
            public void onDispatch(int agent, SimTask task, long now) {
                dispatches.add(new long[] {now, level(task)});
            }
        }).build().run(b.build());
        int firstAfterBoost = -1;
        for (int i = 0; i < dispatches.size(); i++) {
            if (dispatches.get(i)[0] >= 1_000 * MS) {
                firstAfterBoost = i;
                break;
            }
        }
        assertTrue(firstAfterBoost > 17);
        assertEquals(MlfqPolicy.LOW, dispatches.get(firstAfterBoost - 1)[1], "demoted to LOW before the boost");
        for (int i = firstAfterBoost; i < firstAfterBoost + 6; i++) {
            assertEquals(MlfqPolicy.HIGH, dispatches.get(i)[1], "HIGH again after the boost, task " + i);
        }
        assertEquals(2, dispatches.get(firstAfterBoost + 6)[1], "and demoted again by its use");
    }

    @Test
    void aBoostReturnsQueuedDemotedTasksToTheirClass() {
        MlfqPolicy policy = Policies.mlfq(MlfqConfig.builder().agingThreshold(DAY).boostPeriod(Duration.ofSeconds(1))
                .build());
        MlfqPolicy.MlfqBacklog backlog = (MlfqPolicy.MlfqBacklog) policy.newBacklog();
        // the tenant uses its 50 ms HIGH allotment
        Task hog = new Task("hog", 0, options(Priority.HIGH, "t"));
        backlog.offer(hog, 0);
        assertSame(hog, backlog.poll(0));
        backlog.onStart(hog, 0);
        backlog.onFinish(hog, 50 * MS, 50 * MS);
        assertEquals(2, backlog.entryLevel("t", Priority.HIGH));
        // queued behind an undated NORMAL task, at NORMAL
        Task normal = new Task("normal", 100 * MS, options(Priority.NORMAL));
        Task demoted = new Task("demoted", 101 * MS, options(Priority.HIGH, "t"));
        backlog.offer(normal, 100 * MS);
        backlog.offer(demoted, 101 * MS);
        assertEquals(2, backlog.entryLevel("t", Priority.HIGH), "no boost before the period ends");
        // the first poll after the period boosts: the demoted task is back at HIGH and goes first
        assertSame(demoted, backlog.poll(1_000 * MS));
        assertEquals(MlfqPolicy.HIGH, demoted.level());
        assertEquals(MlfqPolicy.HIGH, backlog.entryLevel("t", Priority.HIGH));
        assertSame(normal, backlog.poll(1_000 * MS));
        assertEquals(0, backlog.size());

        // without a boost (period not reached) the same queue serves the NORMAL task first
        MlfqPolicy.MlfqBacklog control = (MlfqPolicy.MlfqBacklog) policy.newBacklog();
        Task hog2 = new Task("hog", 0, options(Priority.HIGH, "t"));
        control.offer(hog2, 0);
        control.poll(0);
        control.onFinish(hog2, 50 * MS, 50 * MS);
        control.offer(new Task("normal", 100 * MS, options(Priority.NORMAL)), 100 * MS);
        control.offer(new Task("demoted", 101 * MS, options(Priority.HIGH, "t")), 101 * MS);
        assertEquals("normal", control.poll(999 * MS).toString());
    }

    // ------------------------------------------------------------------ config

    private static <E extends Throwable> void assertNames(Class<E> type, String parameter, Executable call) {
        E e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(parameter),
                () -> "message should name " + parameter + ": " + e.getMessage());
    }

    @Test
    void configValidationNamesTheParameter() {
        assertNames(IllegalArgumentException.class, "weights.high", () -> MlfqConfig.builder().weights(0, 1, 1));
        assertNames(IllegalArgumentException.class, "weights.high", () -> MlfqConfig.builder().weights(-1, 1, 1));
        assertNames(IllegalArgumentException.class, "weights.normal",
                () -> MlfqConfig.builder().weights(1, Double.NaN, 1));
        assertNames(IllegalArgumentException.class, "weights.low",
                () -> MlfqConfig.builder().weights(1, 1, Double.POSITIVE_INFINITY));
        assertNames(NullPointerException.class, "agingThreshold", () -> MlfqConfig.builder().agingThreshold(null));
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), DAY.plusNanos(1)}) {
            assertNames(IllegalArgumentException.class, "agingThreshold", () -> MlfqConfig.builder().agingThreshold(bad));
            assertNames(IllegalArgumentException.class, "boostPeriod", () -> MlfqConfig.builder().boostPeriod(bad));
            assertNames(IllegalArgumentException.class, "quantum",
                    () -> MlfqConfig.builder().quantum(Priority.NORMAL, bad));
        }
        assertNames(NullPointerException.class, "boostPeriod", () -> MlfqConfig.builder().boostPeriod(null));
        assertNames(IllegalArgumentException.class, "agingBoost", () -> MlfqConfig.builder().agingBoost(0));
        assertNames(IllegalArgumentException.class, "agingBoost", () -> MlfqConfig.builder().agingBoost(4));
        assertNames(NullPointerException.class, "level", () -> MlfqConfig.builder().allotment(null, Duration.ZERO));
        assertNames(NullPointerException.class, "allotment", () -> MlfqConfig.builder().allotment(Priority.HIGH, null));
        assertNames(IllegalArgumentException.class, "allotment",
                () -> MlfqConfig.builder().allotment(Priority.CRITICAL, Duration.ofMillis(1)));
        assertNames(IllegalArgumentException.class, "allotment",
                () -> MlfqConfig.builder().allotment(Priority.LOW, Duration.ofMillis(1)));
        assertNames(IllegalArgumentException.class, "allotment",
                () -> MlfqConfig.builder().allotment(Priority.HIGH, Duration.ofNanos(-1)));
        assertNames(IllegalArgumentException.class, "allotment",
                () -> MlfqConfig.builder().allotment(Priority.NORMAL, DAY.plusNanos(1)));
        assertNames(NullPointerException.class, "level", () -> MlfqConfig.builder().quantum(null, Duration.ofMillis(1)));
        assertNames(NullPointerException.class, "quantum", () -> MlfqConfig.builder().quantum(Priority.LOW, null));
        assertNames(IllegalArgumentException.class, "CRITICAL", () -> MlfqConfig.defaults().weight(Priority.CRITICAL));
        // the boundaries are valid
        MlfqConfig edge = MlfqConfig.builder().agingThreshold(DAY).boostPeriod(Duration.ofNanos(1)).agingBoost(3)
                .allotment(Priority.HIGH, DAY).allotment(Priority.NORMAL, Duration.ZERO)
                .quantum(Priority.CRITICAL, Duration.ofNanos(1)).weights(Double.MIN_VALUE, 1, Double.MAX_VALUE).build();
        assertEquals(DAY, edge.allotment(Priority.HIGH));
        assertEquals(Duration.ZERO, edge.allotment(Priority.NORMAL));
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        MlfqConfig d = MlfqConfig.defaults();
        assertEquals(0.3, d.weight(Priority.HIGH));
        assertEquals(0.2, d.weight(Priority.NORMAL));
        assertEquals(0.1, d.weight(Priority.LOW));
        assertEquals(Duration.ofMillis(100), d.agingThreshold());
        assertEquals(1, d.agingBoost());
        assertEquals(Duration.ofMillis(50), d.allotment(Priority.HIGH));
        assertEquals(Duration.ofMillis(100), d.allotment(Priority.NORMAL));
        assertEquals(Duration.ZERO, d.allotment(Priority.LOW));
        assertEquals(Duration.ZERO, d.allotment(Priority.CRITICAL));
        assertEquals(List.of(5L, 10L, 20L, 40L), List.of(d.quantum(Priority.CRITICAL).toMillis(),
                d.quantum(Priority.HIGH).toMillis(), d.quantum(Priority.NORMAL).toMillis(),
                d.quantum(Priority.LOW).toMillis()));
        assertEquals(Duration.ofSeconds(1), d.boostPeriod());
        assertEquals(d, d.toBuilder().build());
        assertEquals(d.hashCode(), d.toBuilder().build().hashCode());
        // a builder is independent of the configs built from it and of the config it started from
        MlfqConfig.Builder builder = d.toBuilder();
        MlfqConfig built = builder.build();
        builder.allotment(Priority.HIGH, Duration.ofMillis(7)).quantum(Priority.LOW, Duration.ofMillis(3));
        assertEquals(Duration.ofMillis(50), built.allotment(Priority.HIGH));
        assertEquals(Duration.ofMillis(40), built.quantum(Priority.LOW));
        assertEquals(Duration.ofMillis(50), d.allotment(Priority.HIGH));
        assertEquals(Duration.ofMillis(7), builder.build().allotment(Priority.HIGH));
    }

    @Test
    void reconfigureBumpsTheVersionAndReachesExistingBacklogs() {
        MlfqPolicy policy = Policies.mlfq();
        assertEquals(0, policy.configVersion());
        MlfqPolicy.MlfqBacklog backlog = (MlfqPolicy.MlfqBacklog) policy.newBacklog();
        Task t = new Task("t", 0, options(Priority.NORMAL));
        backlog.offer(t, 0);
        assertSame(t, backlog.poll(0));
        assertEquals(20 * MS, backlog.sliceNanos(t, 0));

        MlfqConfig next = MlfqConfig.builder().quantum(Priority.NORMAL, Duration.ofMillis(3)).build();
        policy.reconfigure(next);
        assertEquals(1, policy.configVersion());
        assertSame(next, policy.config());
        assertEquals(3 * MS, backlog.sliceNanos(t, 0), "an existing backlog reads the new config");
        policy.reconfigure(MlfqConfig.defaults());
        assertEquals(2, policy.configVersion());
        assertThrows(NullPointerException.class, () -> policy.reconfigure(null));
        assertEquals(2, policy.configVersion());
        assertEquals(MlfqConfig.defaults(), policy.config());
    }
}
