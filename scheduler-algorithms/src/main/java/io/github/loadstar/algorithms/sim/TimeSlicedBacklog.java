package io.github.loadstar.algorithms.sim;

import io.github.loadstar.core.spi.QueuedTask;

/**
 * A backlog that assigns time slices, for the simulator's {@link Preemption#TIME_SLICED} mode
 * (CFS, MLFQ). Loadstar's runtime runs every task to completion and never asks.
 */
public interface TimeSlicedBacklog {

    /** How long {@code task}, just polled, may run before it is preempted and offered again. */
    long sliceNanos(QueuedTask task, long now);
}
