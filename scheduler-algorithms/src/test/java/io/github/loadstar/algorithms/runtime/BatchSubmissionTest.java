package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.algorithms.allocation.GeneticAllocator;
import io.github.loadstar.algorithms.allocation.GeneticConfig;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.allocation.AllocatedBatch;
import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocators;
import io.github.loadstar.core.allocation.BatchPlacement;
import io.github.loadstar.core.allocation.Objective;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AllocationFigures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scheduler.submitAll: a batch placed by an allocator's assignment, pinned or preferred, and its figures. */
@Timeout(60)
final class BatchSubmissionTest {

    /** 4 agents of capacity 100, 40 tasks of demand 5–14 whose cost differs by agent. */
    private static AllocationProblem problem(int tasks) {
        Random random = new Random(11);
        AllocationProblem.Builder b = AllocationProblem.builder(4, tasks);
        for (int i = 0; i < 4; i++) {
            b.capacity(i, 100);
            for (int j = 0; j < tasks; j++) {
                b.demand(j, i, 0, 5 + random.nextInt(10)).cost(j, i, 1 + random.nextInt(20));
            }
        }
        return b.build();
    }

    private static List<Callable<Integer>> tasksReportingTheirAgent(int n) {
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            tasks.add(Scheduler::currentAgent);
        }
        return tasks;
    }

    @Test
    void pinnedTasksRunOnTheirAssignedAgentsAndTheBatchShowsInTheFigures() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(4).build()) {
            AllocatedBatch<Integer> batch = s.submitAll(tasksReportingTheirAgent(40), problem(40),
                    new GeneticAllocator(GeneticConfig.builder().stagnation(200).build()),
                    AllocationRequest.builder().timeBudget(Duration.ofSeconds(5)).build(), BatchPlacement.PINNED);
            Allocation a = batch.allocation();
            assertTrue(a.found(), a.toString());
            int[] agentOf = a.assignment();
            assertEquals(40, batch.futures().size());
            for (int j = 0; j < 40; j++) {
                assertEquals(agentOf[j], (int) batch.futures().get(j).get(10, TimeUnit.SECONDS), "task " + j + " ran where placed");
            }
            AllocationFigures f = s.metrics().allocations();
            assertEquals(1, f.batches());
            assertEquals(40, f.tasksPlaced());
            assertEquals("genetic", f.lastAllocator());
            assertEquals(a.status().name(), f.lastStatus());
            assertEquals(a.objective(), f.lastObjective());
            assertEquals(a.evaluation().value(Objective.TOTAL_COST), f.lastValues().get("TOTAL_COST"));
            assertTrue(s.report(Duration.ofMinutes(1)).toText().contains("allocation            1 batches, 40 tasks placed"),
                    s.report(Duration.ofMinutes(1)).toText());
            assertTrue(s.metrics().toJson().contains("\"lastAllocator\":\"genetic\""));
        }
    }

    /** With every agent held by a gate, the preferred tasks wait in their assigned agents' queues, as the assignment counts them. */
    @Test
    void preferredTasksAreQueuedOnTheirAssignedAgentsAndStayMovable() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(4).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch held = new CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                s.execute(Gate.holdUntil(held, gate), TaskOptions.builder().pinnedTo(i).build());
            }
            AllocatedBatch<Integer> batch;
            try {
                assertTrue(held.await(10, TimeUnit.SECONDS));
                batch = s.submitAll(tasksReportingTheirAgent(40), problem(40), Allocators.byName("regret-greedy"),
                        AllocationRequest.builder().build(), BatchPlacement.PREFERRED);
                int[] expected = new int[4];
                for (int a : batch.allocation().assignment()) {
                    expected[a]++;
                }
                for (AgentMetrics row : s.metrics().agents()) {
                    assertEquals(expected[row.index()], row.queued(), "agent " + row.index() + " holds its share: "
                            + java.util.Arrays.toString(expected));
                }
            } finally {
                gate.countDown();       // a failed assertion must not leave the agents held (close would wait)
            }
            for (TaskFuture<Integer> f : batch.futures()) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBatchWithoutAnAssignmentSubmitsNothingAndBadInputIsRefusedByName() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).build()) {
            AllocationProblem tooBig = AllocationProblem.builder(2, 2).capacity(0, 1).capacity(1, 1)
                    .demand(0, 0, 5).build();
            AllocatedBatch<Integer> none = s.submitAll(tasksReportingTheirAgent(2), tooBig, Allocators.byName("genetic"),
                    AllocationRequest.builder().build(), BatchPlacement.PINNED);
            assertEquals(Allocation.Status.INFEASIBLE, none.allocation().status());
            assertTrue(none.futures().isEmpty());
            assertEquals(0, s.metrics().completed(), "nothing submitted");
            assertEquals(1, s.metrics().allocations().batches());
            assertEquals(0, s.metrics().allocations().tasksPlaced());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.submitAll(
                    tasksReportingTheirAgent(3), problem(40), Allocators.byName("lpt"), AllocationRequest.builder().build(),
                    BatchPlacement.PINNED));
            assertTrue(e.getMessage().startsWith("tasks"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.submitAll(tasksReportingTheirAgent(40), problem(40),
                    Allocators.byName("lpt"), AllocationRequest.builder().build(), BatchPlacement.PINNED));
            assertTrue(e.getMessage().startsWith("problem.agents"), e.getMessage());
            assertEquals(1, s.metrics().allocations().batches(), "refused before allocating");
            e = assertThrows(IllegalArgumentException.class, () -> s.execute(() -> { },
                    TaskOptions.builder().preferAgent(5).build()));
            assertTrue(e.getMessage().contains("preferredAgent"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TaskOptions.builder().preferAgent(-1));
            s.shutdown();
            assertThrows(RejectedExecutionException.class, () -> s.submitAll(tasksReportingTheirAgent(2),
                    AllocationProblem.builder(2, 2).build(), Allocators.byName("lpt"), AllocationRequest.builder().build(),
                    BatchPlacement.PREFERRED));
        }
    }
}
