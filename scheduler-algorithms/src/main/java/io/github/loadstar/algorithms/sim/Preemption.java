package io.github.loadstar.algorithms.sim;

/** When the simulator takes a running task off its agent. */
public enum Preemption {
    /** Never: a task runs to completion, as on Loadstar's runtime. */
    NONE,
    /**
     * When a task arrives at a busy agent, the running task is charged for what it ran, offered
     * back, and the agent dispatches again (preemptive EDF: the policy decides who runs).
     */
    ON_ARRIVAL,
    /**
     * A task runs for at most its time slice ({@link TimeSlicedBacklog#sliceNanos}, or the
     * simulation's quantum) and is then charged and offered back (CFS, MLFQ, round robin).
     */
    TIME_SLICED
}
