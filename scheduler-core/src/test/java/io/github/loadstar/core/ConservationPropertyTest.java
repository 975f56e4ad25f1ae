package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.PlacementPolicies;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.RebalancePolicies;
import io.github.loadstar.core.spi.StealPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The scheduler's bookkeeping invariant over random workloads: every task that anyone tried to
 * submit is executed, returned by {@code shutdownNow}, or rejected — exactly one of the three —
 * and no task runs twice.
 *
 * <p>A workload is drawn by QuickTheories (fixed seed, so a failure reproduces): 1–8 agents; a
 * placement (the default power of two choices, round robin, everything on agent 0, or everything
 * pinned to one agent); a steal policy; a few hundred tasks of four kinds (plain {@code execute},
 * {@code submit} of a callable, {@code execute} with options, tasks that submit nested tasks from
 * inside the pool, two levels deep); some tasks spin for a few microseconds so queues build up;
 * and an ending: wait for everything, {@code shutdown()} after the k-th submission, or
 * {@code shutdownNow()} after the k-th submission. In half the workloads agents are added, drained
 * and removed, and capacities changed, while the tasks are submitted (room for two more agents).
 */
final class ConservationPropertyTest {
    private static final long SEED = 0x10AD5_7A2L;
    private static final int EXAMPLES = Boolean.getBoolean("loadstar.stress") ? 2_000 : 120;

    /** How a workload ends. */
    enum Ending { DRAIN, SHUTDOWN, SHUTDOWN_NOW }

    /** How external tasks are placed. */
    enum Placement { POWER_OF_TWO, ROUND_ROBIN, ALL_ON_AGENT_ZERO, ALL_PINNED }

    /** A generated workload. */
    static final class Workload {
        final int agents;
        final Placement placement;
        final int stealPolicy;
        final int tasks;
        final Ending ending;
        final int endAfter;
        final long detailSeed;

        Workload(int agents, Placement placement, int stealPolicy, int tasks, Ending ending, int endAfter,
                 long detailSeed) {
            this.agents = agents;
            this.placement = placement;
            this.stealPolicy = stealPolicy;
            this.tasks = tasks;
            this.ending = ending;
            this.endAfter = Math.min(endAfter, tasks);
            this.detailSeed = detailSeed;
        }

        @Override
        public String toString() {
            return "Workload{agents=" + agents + ", placement=" + placement + ", stealPolicy=" + stealPolicy
                    + ", tasks=" + tasks + ", ending=" + ending + " after " + endAfter
                    + ", detailSeed=" + detailSeed + "}";
        }
    }

    private static Gen<Workload> workloads() {
        Gen<Integer> agents = integers().between(1, 8);
        Gen<Placement> placement = integers().between(0, 3).map(i -> Placement.values()[i]);
        Gen<Integer> stealPolicy = integers().between(0, 2);
        Gen<Integer> tasks = integers().between(1, 400);
        Gen<Ending> ending = integers().between(0, 2).map(i -> Ending.values()[i]);
        Gen<Integer> endAfter = integers().between(0, 400);
        Gen<Long> detail = longs().all();
        return agents.zip(placement, stealPolicy, tasks,
                (a, p, s, t) -> new Object[] {a, p, s, t})
                .zip(ending, endAfter, detail, (head, e, k, d) -> new Workload((Integer) head[0],
                        (Placement) head[1], (Integer) head[2], (Integer) head[3], e, k, d));
    }

    @Test
    void everyTaskIsExecutedReturnedOrRejectedExactlyOnce() {
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).withShrinkCycles(20)
                .forAll(workloads())
                .checkAssert(ConservationPropertyTest::check);
    }

    /**
     * Adds an agent, removes one, changes one's capacity, or sets the agent count; a step the
     * scheduler refuses (no such agent, the last agent, no free slot, shut down) changes nothing and is
     * skipped.
     */
    static void elasticStep(Scheduler scheduler, Random random) {
        int agent = random.nextInt(scheduler.agentCount());
        try {
            switch (random.nextInt(4)) {
                case 3:
                    int count = 1 + random.nextInt(scheduler.agentCount());
                    scheduler.reconfigure(s -> s.withAgentCount(count));
                    break;
                case 0:
                    scheduler.addAgent(1 + random.nextInt(4));
                    break;
                case 1:
                    scheduler.removeAgent(agent);
                    break;
                default:
                    double capacity = 0.5 + random.nextInt(4);
                    scheduler.reconfigure(s -> s.withCapacity(agent, capacity));
                    break;
            }
        } catch (IllegalArgumentException | IllegalStateException refused) {
            // refused before anything changed
        }
    }

    /** Runs one workload and checks the invariant. */
    static void check(Workload w) {
        Run run = new Run(w);
        try {
            run.execute();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        run.verify();
    }

    /** The bookkeeping of one run. Task ids: top-level tasks first, nested ones after. */
    private static final class Run {
        private final Workload w;
        private final int capacity;
        private final AtomicIntegerArray executions;
        private final BitSet attempted = new BitSet();
        private final Map<Integer, Boolean> rejected = new ConcurrentHashMap<>();
        private final Map<Integer, Boolean> attemptedNested = new ConcurrentHashMap<>();
        private final Map<Object, Integer> idOfSubmitted = new IdentityHashMap<>();
        private final Map<Object, Integer> nestedFutureIds = Collections.synchronizedMap(new IdentityHashMap<>());
        private final List<Runnable> returned = new ArrayList<>();
        private final Random random;

        Run(Workload w) {
            this.w = w;
            // every top-level task may have up to 3 children, each with up to 2 grandchildren
            this.capacity = w.tasks * 10;
            this.executions = new AtomicIntegerArray(capacity);
            this.random = new Random(w.detailSeed);
        }

        void execute() throws InterruptedException {
            SchedulerBuilder builder = Scheduler.builder().agents(w.agents).spinRounds(random.nextInt(3) * 10);
            builder.placementPolicy(placementPolicy());
            switch (w.stealPolicy) {
                case 0:
                    builder.stealPolicy(StealPolicies.threshold(random.nextInt(3)));
                    break;
                case 1:
                    builder.stealPolicy(StealPolicies.randomStride());
                    break;
                default:
                    builder.stealPolicy(StealPolicies.powerOfTwoChoices());
                    break;
            }
            if (random.nextBoolean()) {
                // the coordinator's push path at its fastest: orders race steals, drains and shutdownNow
                builder.coordinator(CoordinatorConfig.builder()
                        .rebalancePolicy(RebalancePolicies.threshold(0.1 + 0.2 * random.nextInt(3)))
                        .rebalanceInterval(Duration.ofMillis(1)).build());
            }
            boolean elastic = random.nextBoolean();
            if (elastic) {
                builder.maxAgents(w.agents + 2);
            }
            Scheduler scheduler = builder.build();
            int pinnedAgent = random.nextInt(w.agents);
            int nextNestedId = w.tasks;
            try {
                for (int id = 0; id < w.tasks; id++) {
                    if (id == w.endAfter && w.ending != Ending.DRAIN) {
                        end(scheduler);
                    }
                    if (elastic && random.nextInt(20) == 0) {
                        elasticStep(scheduler, random);
                    }
                    int kind = random.nextInt(4);
                    int children = random.nextInt(8) == 0 ? 1 + random.nextInt(3) : 0;
                    int[] childIds = new int[children];
                    int[][] grandchildIds = new int[children][];
                    for (int c = 0; c < children; c++) {
                        childIds[c] = nextNestedId++;
                        int grandchildren = random.nextInt(3);
                        grandchildIds[c] = new int[grandchildren];
                        for (int g = 0; g < grandchildren; g++) {
                            grandchildIds[c][g] = nextNestedId++;
                        }
                    }
                    int spinMicros = random.nextInt(10) == 0 ? random.nextInt(50) : 0;
                    Runnable body = new Body(scheduler, id, spinMicros, childIds, grandchildIds);
                    submitTopLevel(scheduler, id, kind, body, pinnedAgent);
                }
                if (w.ending != Ending.DRAIN && w.endAfter >= w.tasks) {
                    end(scheduler);
                }
                scheduler.shutdown();
                if (!scheduler.awaitTermination(20, TimeUnit.SECONDS)) {
                    fail("did not terminate: " + w + "\n" + scheduler.metrics());
                }
            } finally {
                scheduler.shutdownNow();
            }
        }

        private PlacementPolicy placementPolicy() {
            switch (w.placement) {
                case ROUND_ROBIN:
                    return PlacementPolicies.roundRobin();
                case ALL_ON_AGENT_ZERO:
                    return new PlacementPolicy() {
                        @Override
                        public int place(TaskOptions options, AgentLoads loads, int r) {
                            return 0;
                        }

                        @Override
                        public String name() {
                            return "agent-0";
                        }
                    };
                default:
                    return PlacementPolicies.powerOfTwoChoices();
            }
        }

        private void end(Scheduler scheduler) {
            if (w.ending == Ending.SHUTDOWN) {
                scheduler.shutdown();
            } else {
                returned.addAll(scheduler.shutdownNow());
            }
        }

        private void submitTopLevel(Scheduler scheduler, int id, int kind, Runnable body, int pinnedAgent) {
            attempted.set(id);
            try {
                if (w.placement == Placement.ALL_PINNED) {
                    Object handle = kind % 2 == 0
                            ? submitPinned(scheduler, body, pinnedAgent)
                            : scheduler.submit(body, TaskOptions.builder().pinnedTo(pinnedAgent).build());
                    idOfSubmitted.put(handle, id);
                    return;
                }
                switch (kind) {
                    case 0:
                        scheduler.execute(body);
                        idOfSubmitted.put(body, id);
                        break;
                    case 1:
                        idOfSubmitted.put(scheduler.submit(() -> {
                            body.run();
                            return id;
                        }), id);
                        break;
                    case 2:
                        scheduler.execute(body, TaskOptions.builder().priority(Priority.HIGH).cost(3).build());
                        idOfSubmitted.put(body, id);
                        break;
                    default:
                        idOfSubmitted.put(scheduler.submit(body), id);
                        break;
                }
            } catch (RejectedExecutionException e) {
                rejected.put(id, Boolean.TRUE);
            }
        }

        private Object submitPinned(Scheduler scheduler, Runnable body, int agent) {
            scheduler.execute(body, TaskOptions.builder().pinnedTo(agent).build());
            return body;
        }

        /** A task: optionally spins, then submits its children from inside the pool. */
        private final class Body implements Runnable {
            private final Scheduler scheduler;
            private final int id;
            private final int spinMicros;
            private final int[] children;
            private final int[][] grandchildren;

            Body(Scheduler scheduler, int id, int spinMicros, int[] children, int[][] grandchildren) {
                this.scheduler = scheduler;
                this.id = id;
                this.spinMicros = spinMicros;
                this.children = children;
                this.grandchildren = grandchildren;
            }

            @Override
            public void run() {
                executions.incrementAndGet(id);
                if (spinMicros > 0) {
                    long end = System.nanoTime() + spinMicros * 1_000L;
                    while (System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                }
                for (int c = 0; c < children.length; c++) {
                    int childId = children[c];
                    Runnable child = new Body(scheduler, childId, 0, grandchildren[c], new int[grandchildren[c].length][0]);
                    submitNested(childId, child);
                }
            }

            private void submitNested(int childId, Runnable child) {
                attemptedNested.put(childId, Boolean.TRUE);
                try {
                    if (childId % 3 == 0) {
                        nestedFutureIds.put(scheduler.submit(child), childId);
                    } else {
                        scheduler.execute(child);
                    }
                } catch (RejectedExecutionException e) {
                    rejected.put(childId, Boolean.TRUE);
                }
            }
        }

        void verify() {
            BitSet all = (BitSet) attempted.clone();
            for (Integer id : attemptedNested.keySet()) {
                all.set(id);
            }
            BitSet returnedIds = new BitSet();
            for (Runnable r : returned) {
                Integer id = idOfSubmitted.get(r);
                if (id == null && r instanceof Body) {
                    id = ((Body) r).id;     // a nested plain Runnable comes back as itself
                }
                if (id == null) {
                    id = nestedFutureIds.get(r);    // a nested submit() comes back as its future
                }
                assertTrue(id != null, "shutdownNow returned an unknown task " + r + " in " + w);
                assertTrue(!returnedIds.get(id), "task " + id + " returned twice in " + w);
                returnedIds.set(id);
            }
            for (int id = 0; id < capacity; id++) {
                int runs = executions.get(id);
                boolean wasAttempted = all.get(id);
                boolean wasRejected = rejected.containsKey(id);
                boolean wasReturned = returnedIds.get(id);
                if (!wasAttempted) {
                    assertEquals(0, runs, "task " + id + " ran without being submitted in " + w);
                    continue;
                }
                int outcomes = (runs > 0 ? 1 : 0) + (wasRejected ? 1 : 0) + (wasReturned ? 1 : 0);
                assertTrue(runs <= 1, "task " + id + " ran " + runs + " times in " + w);
                assertEquals(1, outcomes, "task " + id + ": ran " + runs + ", rejected " + wasRejected
                        + ", returned " + wasReturned + " in " + w);
            }
        }
    }
}
