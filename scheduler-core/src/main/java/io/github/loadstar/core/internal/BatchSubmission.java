package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.allocation.AllocatedBatch;
import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocator;
import io.github.loadstar.core.allocation.BatchPlacement;
import io.github.loadstar.core.allocation.Objective;
import io.github.loadstar.core.metrics.AllocationFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/*
 * Scheduler.submitAll: a batch allocated, then submitted by its assignment. Checked whole first (the
 * tasks match the problem, the problem's agents are in the scheduler, the scheduler runs); allocated
 * on the caller's thread; submitted only if an assignment was found, each task pinned to or
 * preferring its agent. If a submission is refused midway (a shutdown raced the batch), the tasks
 * already submitted are cancelled before the refusal propagates (those already started finish).
 * Every batch, found or not, is counted in the figures (AllocationFigures) with its result.
 */
final class BatchSubmission {
    private long batches;
    private long tasksPlaced;
    private long allocationNanos;
    private volatile AllocationFigures figures = AllocationFigures.none();

    AllocationFigures figures() {
        return figures;
    }

    <T> AllocatedBatch<T> submit(LoadstarScheduler s, List<? extends Callable<T>> tasks, AllocationProblem problem,
                                 Allocator allocator, AllocationRequest request, BatchPlacement placement) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(placement, "placement");
        if (tasks.size() != problem.tasks()) {
            throw new IllegalArgumentException("tasks: " + tasks.size() + " given for a problem of " + problem.tasks());
        }
        for (int j = 0; j < tasks.size(); j++) {
            Objects.requireNonNull(tasks.get(j), "tasks[" + j + "]");
        }
        if (problem.agents() > s.agents.length) {
            throw new IllegalArgumentException("problem.agents: " + problem.agents() + " agents, but the scheduler has "
                    + s.agents.length + " slots");
        }
        for (int i = 0; i < problem.agents(); i++) {
            if (s.agents[i].membership != AgentRemoval.ACTIVE) {
                throw new IllegalArgumentException("problem.agents: agent " + i + " is not in the scheduler");
            }
        }
        if (s.isShutdown()) {
            throw new RejectedExecutionException("scheduler " + s.name() + " is shut down");
        }
        Allocation a = allocator.allocate(problem, request);
        List<TaskFuture<T>> futures = new ArrayList<>();
        if (a.found()) {
            int[] agentOf = a.assignment();
            try {
                for (int j = 0; j < agentOf.length; j++) {
                    TaskOptions options = placement == BatchPlacement.PINNED
                            ? TaskOptions.builder().pinnedTo(agentOf[j]).build()
                            : TaskOptions.builder().preferAgent(agentOf[j]).build();
                    futures.add(s.submit(tasks.get(j), options));
                }
            } catch (RuntimeException refused) {
                for (TaskFuture<T> f : futures) {
                    f.cancel(false);
                }
                record(a, 0);
                throw refused;
            }
        }
        record(a, futures.size());
        return new AllocatedBatch<>(a, futures);
    }

    private synchronized void record(Allocation a, int placed) {
        batches++;
        tasksPlaced += placed;
        allocationNanos += a.elapsedNanos();
        Map<String, Double> values = new java.util.HashMap<>();
        if (a.evaluation() != null) {
            for (Objective o : Objective.values()) {
                values.put(o.name(), a.evaluation().value(o));
            }
        }
        figures = new AllocationFigures(batches, tasksPlaced, allocationNanos, a.allocator(), a.status().name(),
                a.objective(), values, a.elapsedNanos());
    }
}
