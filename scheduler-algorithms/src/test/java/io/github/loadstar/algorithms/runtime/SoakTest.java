package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import io.github.loadstar.algorithms.breaker.CircuitBreakerRegistry;
import io.github.loadstar.algorithms.breaker.CircuitBreakers;
import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.Priority;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.allocation.AllocatedBatch;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocators;
import io.github.loadstar.core.allocation.BatchPlacement;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.RebalancePolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The soak (issue 11): rounds of 200,000 tasks, each round on a new scheduler with one of the six
 * ordering policies, per-agent circuit breakers and threshold rebalancing every millisecond, while the
 * producer reconfigures it (steal batch, rebalancing policy, tenant weights), adds and removes agents,
 * trips and closes breakers, places batches of 40 tasks by an allocator (regret greedy, LPT or the genetic
 * one; pinned or preferred), and one task in twenty waits on a subtask it submitted (a helping wait).
 * After each round: every accepted task ran exactly once (executed + rejected = submitted, none twice),
 * the scheduler's own completed count agrees, and the heap in use after a GC is recorded; at the end
 * the heap of the last third of the rounds must not exceed the first third's by more than half plus
 * 64 MB. One progress line on standard error; a summary at the end.
 *
 * Off unless {@code -Dloadstar.soak.minutes=N}: {@code mvn -B -Psoak -pl scheduler-algorithms -am verify
 * -Dsoak.minutes=30} (docs/reliability.md).
 */
final class SoakTest {
    private static final int TASKS = 200_000;
    private static final int BATCH = 40;
    private static final String[] ALLOCATORS = {"regret-greedy", "lpt", "genetic"};
    private static final String[] POLICIES = {"fifo", "arrival", "edf", "cfs", "wfq", "mlfq"};

    private long tasks;
    private long reconfigurations;
    private long agentChanges;
    private long trips;
    private long helpingWaits;
    private long batches;
    private long batchTasks;
    private long lost;
    private long duplicated;
    private long rejected;

    private static OrderingPolicy policy(String name) {
        switch (name) {
            case "arrival": return Policies.arrival();
            case "edf": return Policies.edf();
            case "cfs": return Policies.cfs();
            case "wfq": return Policies.wfq();
            case "mlfq": return Policies.mlfq();
            default: return Policies.fifo();
        }
    }

    @Test
    void conservationAndAFlatHeapOverTheRun() throws Exception {
        String minutes = System.getProperty("loadstar.soak.minutes");
        assumeTrue(minutes != null, "the soak runs with -Dloadstar.soak.minutes=N (mvn -Psoak)");
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(Long.parseLong(minutes));
        long start = System.nanoTime();
        List<Long> heap = new ArrayList<>();
        int round = 0;
        while (System.nanoTime() - end < 0) {
            round(round, new Random(round));
            System.gc();
            Runtime rt = Runtime.getRuntime();
            heap.add(rt.totalMemory() - rt.freeMemory());
            round++;
            System.err.printf(Locale.ROOT, "\rsoak %s of %s min: round %d, %,d tasks, %,d reconfigurations, %,d agent "
                            + "changes, %,d trips, lost %d, duplicated %d, heap %d MB   ",
                    Duration.ofNanos(System.nanoTime() - start).toMinutes(), minutes, round, tasks, reconfigurations,
                    agentChanges, trips, lost, duplicated, heap.get(heap.size() - 1) >> 20);
        }
        int third = Math.max(1, heap.size() / 3);
        double first = heap.subList(0, third).stream().mapToLong(Long::longValue).average().orElse(0);
        double last = heap.subList(heap.size() - third, heap.size()).stream().mapToLong(Long::longValue).average().orElse(0);
        System.err.println();
        System.out.printf(Locale.ROOT, "SOAK SUMMARY: %s min, %d rounds, %,d tasks (%,d helping waits), %,d rejected at "
                        + "shutdown, %,d reconfigurations, %,d agent changes, %,d breaker trips, %,d allocator batches (%,d "
                        + "tasks), lost %d, duplicated %d, heap after GC %.0f MB (first third) -> %.0f MB (last third)%n",
                minutes, round, tasks, helpingWaits, rejected, reconfigurations, agentChanges, trips, batches, batchTasks,
                lost, duplicated, first / (1 << 20), last / (1 << 20));
        assertEquals(0, lost, "tasks lost");
        assertEquals(0, duplicated, "tasks run twice");
        assertTrue(last <= first * 1.5 + (64 << 20), "the heap grows: " + first + " -> " + last);
    }

    private void round(int round, Random random) throws Exception {
        String name = POLICIES[round % POLICIES.length];
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        int agents = 2 + random.nextInt(2);
        Scheduler s = Scheduler.builder().name("soak-" + round).agents(agents).maxAgents(agents + 2)
                .orderingPolicy(policy(name))
                .agentBreakers(CircuitBreakers.perAgent(CircuitBreakerConfig.defaults(), breakers))
                .coordinator(CoordinatorConfig.builder().rebalancePolicy(RebalancePolicies.threshold(0.2))
                        .rebalanceInterval(Duration.ofMillis(1)).build())
                .build();
        // ids: the tasks, then their subtasks, then the batches' tasks (at most one batch per disturbance)
        int ids = 2 * TASKS + (TASKS / 5_000 + 1) * BATCH;
        AtomicIntegerArray runs = new AtomicIntegerArray(ids);
        boolean[] accepted = new boolean[ids];
        int[] nextBatchId = {2 * TASKS};
        AtomicLong childRejected = new AtomicLong();
        AtomicLong childAccepted = new AtomicLong();
        long acceptedTasks = 0;
        try {
            for (int id = 0; id < TASKS; id++) {
                if (id % 5_000 == 4_999) {
                    disturb(s, random, breakers, runs, accepted, nextBatchId);
                }
                TaskOptions options = options(random, s.agentCount());
                int me = id;
                Runnable body;
                if (id % 20 == 0) {
                    int child = TASKS + id;
                    body = () -> {
                        runs.incrementAndGet(me);
                        try {
                            Future<?> f = s.submit(() -> runs.incrementAndGet(child));
                            accepted[child] = true;
                            childAccepted.incrementAndGet();
                            f.get();        // a helping wait: the waiting agent runs other work meanwhile
                        } catch (RejectedExecutionException e) {
                            childRejected.incrementAndGet();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    };
                } else {
                    body = () -> runs.incrementAndGet(me);
                }
                try {
                    s.execute(body, options);
                    accepted[id] = true;
                    acceptedTasks++;
                } catch (IllegalArgumentException | RejectedExecutionException refused) {
                    // pinned to an agent removed meanwhile, or its breaker refuses: never accepted
                }
            }
            for (int i = 0; i < s.agentCount(); i++) {
                breakers.circuitBreaker(s.name() + "-agent-" + i).transitionToClosed();   // pinned work waits for them
            }
            s.shutdown();
            assertTrue(s.awaitTermination(120, TimeUnit.SECONDS), "round " + round + " did not terminate: " + s.metrics());
        } finally {
            s.shutdownNow();
        }
        long executed = 0;
        long batchAccepted = 0;
        for (int id = 2 * TASKS; id < ids; id++) {
            batchAccepted += accepted[id] ? 1 : 0;
        }
        for (int id = 0; id < ids; id++) {
            int r = runs.get(id);
            executed += r;
            if (r > 1) {
                duplicated++;
            } else if (r == 0 && accepted[id]) {
                lost++;
            } else if (r == 1 && !accepted[id] && (id < TASKS || id >= 2 * TASKS)) {
                duplicated++;       // ran without having been accepted
            }
        }
        long submitted = acceptedTasks + childAccepted.get() + batchAccepted;
        if (executed != submitted) {
            lost += Math.max(0, submitted - executed);
        }
        assertEquals(s.metrics().completed() + s.metrics().failed(), executed, "round " + round + ": the scheduler's count");
        tasks += executed;
        helpingWaits += childAccepted.get();
        rejected += childRejected.get();
        batchTasks += batchAccepted;
    }

    private void disturb(Scheduler s, Random random, CircuitBreakerRegistry breakers, AtomicIntegerArray runs,
                         boolean[] accepted, int[] nextBatchId) {
        try {
            switch (random.nextInt(5)) {
                case 0:
                    int limit = 1 + random.nextInt(64);
                    s.reconfigure(x -> x.withStealBatchLimit(limit).withTenantWeight("tenant-" + random.nextInt(4),
                            0.5 + random.nextInt(4)));
                    reconfigurations++;
                    break;
                case 1:
                    s.reconfigure(x -> x.withRebalancePolicy(random.nextBoolean() ? RebalancePolicies.off()
                            : RebalancePolicies.threshold(0.1 + random.nextDouble())));
                    reconfigurations++;
                    break;
                case 2:
                    if (random.nextBoolean()) {
                        s.addAgent(1.0);
                    } else {
                        s.removeAgent(random.nextInt(s.agentCount()));
                    }
                    agentChanges++;
                    break;
                case 3:
                    batch(s, random, runs, accepted, nextBatchId);
                    break;
                default:
                    var breaker = breakers.circuitBreaker(s.name() + "-agent-" + random.nextInt(s.agentCount()));
                    breaker.transitionToOpen();
                    trips++;
                    breaker.transitionToClosed();
                    break;
            }
        } catch (IllegalArgumentException | IllegalStateException refused) {
            // refused before anything changed (no free slot, the last agent, an agent already leaving)
        }
    }

    /**
     * A batch of {@link #BATCH} tasks placed on agents 0 and 1 by an allocator. Refused (agent 0 or 1
     * removed, an open breaker under a pinned placement) before anything is submitted, or placed
     * whole: the tasks are accepted with the batch's futures.
     */
    private void batch(Scheduler s, Random random, AtomicIntegerArray runs, boolean[] accepted, int[] nextBatchId) {
        AllocationProblem.Builder p = AllocationProblem.builder(2, BATCH);
        for (int a = 0; a < 2; a++) {
            p.capacity(a, BATCH * 6.0);
            for (int j = 0; j < BATCH; j++) {
                p.demand(j, a, 0, 1 + random.nextInt(10)).cost(j, a, 1 + random.nextInt(20));
            }
        }
        int first = nextBatchId[0];
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int j = 0; j < BATCH; j++) {
            int id = first + j;
            tasks.add(() -> runs.incrementAndGet(id));
        }
        AllocatedBatch<Integer> batch = s.submitAll(tasks, p.build(),
                Allocators.byName(ALLOCATORS[random.nextInt(ALLOCATORS.length)]),
                AllocationRequest.builder().timeBudget(Duration.ofMillis(20)).seed(random.nextLong()).build(),
                random.nextBoolean() ? BatchPlacement.PINNED : BatchPlacement.PREFERRED);
        nextBatchId[0] += BATCH;
        for (int j = 0; j < batch.futures().size(); j++) {
            accepted[first + j] = true;
        }
        batches++;
    }

    private static TaskOptions options(Random random, int agents) {
        TaskOptions.Builder b = TaskOptions.builder().priority(Priority.values()[random.nextInt(4)]).cost(1 + random.nextInt(5));
        if (random.nextInt(4) == 0) {
            b.deadline(Duration.ofMillis(1 + random.nextInt(200)));
        }
        if (random.nextInt(3) > 0) {
            b.tenant("tenant-" + random.nextInt(4));    // weights come from the registry (reconfigured)
        }
        if (random.nextInt(16) == 0) {
            b.pinnedTo(random.nextInt(agents));
        }
        return b.build();
    }
}
