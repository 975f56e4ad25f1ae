package io.github.loadstar.core.allocation;

import io.github.loadstar.core.TaskFuture;
import java.util.List;

/**
 * A batch placed by {@code Scheduler.submitAll}: the allocator's result and, if it found an
 * assignment, one future per task in the batch's order (none otherwise: nothing was submitted).
 *
 * @param <T>        the tasks' result type
 * @param allocation the allocator's result
 * @param futures    the tasks' futures, in the order given; empty unless {@code allocation.found()}
 */
public record AllocatedBatch<T>(Allocation allocation, List<TaskFuture<T>> futures) {
    public AllocatedBatch {
        futures = List.copyOf(futures);
    }
}
