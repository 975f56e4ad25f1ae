package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import io.github.loadstar.algorithms.breaker.CircuitBreakerRegistry;
import io.github.loadstar.algorithms.breaker.CircuitBreakers;
import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.Priority;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerBuilder;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.PlacementPolicies;
import io.github.loadstar.core.spi.RebalancePolicies;
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

/**
 * Ordering policies (and FIFO) combined with stealing on the real runtime: over random workloads (policy,
 * scope, 1–8 agents, placement including everything on one agent, pinned tasks, nested submissions,
 * options that drive every policy — deadlines, tenants and weights, priorities, costs — and an
 * ending of drain, shutdown or shutdownNow at a random point; in half of them agents added,
 * drained and removed, capacities changed and the ordering policy switched meanwhile, and in half of
 * those every agent behind a circuit breaker forced open and closed at random), every submitted task is executed, returned
 * by shutdownNow or rejected, exactly one of the three, and none runs twice.
 */
final class PolicyConservationPropertyTest {
    private static final int EXAMPLES = Boolean.getBoolean("loadstar.stress") ? 1_000 : 80;
    /** FIFO too: with breakers and elastic agents it runs the guarded FIFO loop. */
    private static final String[] POLICIES = {"edf", "cfs", "wfq", "mlfq", "fifo", "arrival"};
    private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void everyTaskIsExecutedReturnedOrRejectedExactlyOnce() {
        qt().withFixedSeed(0x5EEDL).withExamples(EXAMPLES).withShrinkCycles(10)
                .forAll(integers().between(0, POLICIES.length * 2 - 1), integers().between(1, 8),
                        integers().between(1, 300), longs().all())
                .checkAssert((policyAndScope, agents, tasks, seed) -> check(POLICIES[policyAndScope % POLICIES.length],
                        policyAndScope >= POLICIES.length ? OrderingScope.GLOBAL : OrderingScope.PER_AGENT,
                        agents, tasks, seed));
    }

    private static OrderingPolicy policy(String name) {
        switch (name) {
            case "edf":
                return Policies.edf();
            case "cfs":
                return Policies.cfs();
            case "wfq":
                return Policies.wfq();
            case "fifo":
                return Policies.fifo();
            case "arrival":
                return Policies.arrival();
            default:
                return Policies.mlfq();
        }
    }

    /**
     * Adds, removes or resizes an agent, switches the ordering policy, or (with breakers) forces an
     * agent's breaker open or closes it; a refused step (changes nothing) is skipped.
     */
    private static void elasticStep(Scheduler scheduler, Random random, CircuitBreakerRegistry breakers) {
        int agent = random.nextInt(scheduler.agentCount());
        try {
            switch (random.nextInt(breakers == null ? 4 : 6)) {
                case 4:
                    breakers.circuitBreaker(scheduler.name() + "-agent-" + agent).transitionToForcedOpen();
                    break;
                case 5:
                    breakers.circuitBreaker(scheduler.name() + "-agent-" + agent).transitionToClosed();
                    break;
                case 3:
                    OrderingPolicy next = policy(POLICIES[random.nextInt(POLICIES.length)]);
                    scheduler.reconfigure(s -> s.withOrderingPolicy(next));
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

    private static void check(String policyName, OrderingScope scope, int agents, int tasks, long seed) {
        String what = policyName + "/" + scope + " agents=" + agents + " tasks=" + tasks + " seed=" + seed;
        Random random = new Random(seed);
        int capacity = tasks * 4;
        AtomicIntegerArray runs = new AtomicIntegerArray(capacity);
        BitSet attempted = new BitSet();
        Map<Integer, Boolean> nestedAttempted = new ConcurrentHashMap<>();
        Map<Integer, Boolean> rejected = new ConcurrentHashMap<>();
        Map<Object, Integer> ids = Collections.synchronizedMap(new IdentityHashMap<>());
        List<Runnable> returned = new ArrayList<>();
        int ending = random.nextInt(3);          // 0 drain, 1 shutdown, 2 shutdownNow
        int endAt = random.nextInt(tasks + 1);
        boolean elastic = random.nextBoolean();
        // in half the elastic examples every agent has a breaker, forced open and closed at random
        CircuitBreakerRegistry breakers = elastic && random.nextBoolean() ? CircuitBreakerRegistry.ofDefaults() : null;
        SchedulerBuilder builder = Scheduler.builder().name("conservation-" + RUNS.incrementAndGet());
        if (breakers != null) {
            builder.agentBreakers(CircuitBreakers.perAgent(CircuitBreakerConfig.defaults(), breakers));
        }
        Scheduler scheduler = builder.agents(agents).maxAgents(elastic ? agents + 2 : agents)
                .orderingPolicy(policy(policyName)).orderingScope(scope)
                .placementPolicy(random.nextBoolean() ? AllOnAgentZero.INSTANCE : PlacementPolicies.powerOfTwoChoices())
                .spinRounds(random.nextInt(20))
                .coordinator(random.nextBoolean() ? CoordinatorConfig.DEFAULT : CoordinatorConfig.builder()
                        .rebalancePolicy(RebalancePolicies.threshold(0.2)).rebalanceInterval(Duration.ofMillis(1)).build())
                .build();
        int[] nextNested = {tasks};
        try {
            for (int id = 0; id < tasks; id++) {
                if (id == endAt && ending == 1) {
                    scheduler.shutdown();
                } else if (id == endAt && ending == 2) {
                    returned.addAll(scheduler.shutdownNow());
                }
                if (elastic && random.nextInt(20) == 0) {
                    elasticStep(scheduler, random, breakers);
                }
                TaskOptions options = randomOptions(random, agents);
                int children = random.nextInt(6) == 0 ? 1 + random.nextInt(3) : 0;
                int[] childIds = new int[children];
                for (int c = 0; c < children; c++) {
                    childIds[c] = nextNested[0]++;
                }
                TaskOptions childOptions = randomOptions(random, agents);
                int id0 = id;
                Runnable body = () -> {
                    runs.incrementAndGet(id0);
                    for (int childId : childIds) {
                        Runnable child = () -> runs.incrementAndGet(childId);
                        ids.put(child, childId);
                        nestedAttempted.put(childId, Boolean.TRUE);
                        try {
                            if (childId % 2 == 0) {
                                ids.put(scheduler.submit(child, childOptions), childId);
                            } else {
                                scheduler.execute(child, childOptions);
                            }
                        } catch (RejectedExecutionException e) {
                            rejected.put(childId, Boolean.TRUE);
                        }
                    }
                };
                attempted.set(id);
                try {
                    if (random.nextBoolean()) {
                        scheduler.execute(body, options);
                        ids.put(body, id);
                    } else {
                        ids.put(scheduler.submit(body, options), id);
                    }
                } catch (RejectedExecutionException e) {
                    rejected.put(id, Boolean.TRUE);
                }
            }
            if (breakers != null) {
                // pinned tasks wait for their agent's breaker (PinnedOnOpenAgent.WAIT): close them all
                for (int i = 0; i < scheduler.agentCount(); i++) {
                    breakers.circuitBreaker(scheduler.name() + "-agent-" + i).transitionToClosed();
                }
            }
            scheduler.shutdown();
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                fail("did not terminate: " + what + "\n" + scheduler.metrics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } finally {
            scheduler.shutdownNow();
        }
        BitSet returnedIds = new BitSet();
        for (Runnable r : returned) {
            Integer id = ids.get(r);
            assertTrue(id != null, "unknown task returned: " + r + " in " + what);
            assertTrue(!returnedIds.get(id), "task " + id + " returned twice in " + what);
            returnedIds.set(id);
        }
        for (int id = 0; id < capacity; id++) {
            boolean wasAttempted = attempted.get(id) || nestedAttempted.containsKey(id);
            int n = runs.get(id);
            if (!wasAttempted) {
                assertEquals(0, n, "task " + id + " ran without being submitted in " + what);
                continue;
            }
            assertTrue(n <= 1, "task " + id + " ran " + n + " times in " + what);
            int outcomes = (n > 0 ? 1 : 0) + (rejected.containsKey(id) ? 1 : 0) + (returnedIds.get(id) ? 1 : 0);
            assertEquals(1, outcomes, "task " + id + ": ran " + n + ", rejected " + rejected.containsKey(id)
                    + ", returned " + returnedIds.get(id) + " in " + what);
        }
    }

    private static TaskOptions randomOptions(Random random, int agents) {
        TaskOptions.Builder b = TaskOptions.builder()
                .priority(Priority.values()[random.nextInt(4)])
                .cost(1 + random.nextInt(5));
        if (random.nextBoolean()) {
            b.deadline(Duration.ofMillis(1 + random.nextInt(200)));
        }
        if (random.nextInt(3) > 0) {
            int tenant = random.nextInt(4);
            b.tenant("tenant-" + tenant, 0.5 + tenant);     // every task of a tenant carries its weight
        }
        if (random.nextInt(8) == 0) {
            b.pinnedTo(random.nextInt(agents));
        }
        return b.build();
    }
}
