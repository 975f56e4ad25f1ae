package io.github.loadstar.core.metrics;

/** What an agent is doing when the metrics are read. */
public enum AgentState {
    /** Its thread is starting or being replaced. */
    STARTING,
    /** Running tasks from its own queues. */
    RUNNING,
    /** Out of local work, looking for work to steal. */
    SEARCHING,
    /** Parked: out of work and waiting to be woken. */
    PARKED,
    /** Its circuit breaker is open: it takes no work until the breaker lets trials through. */
    SUSPENDED,
    /** Its thread has exited for good (after shutdown). */
    TERMINATED,
    /**
     * Being removed from the running scheduler: it takes no new work, has handed its queued movable
     * tasks to the others and runs the tasks pinned to it; then its thread exits.
     */
    DRAINING,
    /**
     * Removed from the running scheduler: no thread, no work. Its counters stay in the totals; its
     * load and utilization are left out of the balance figures.
     */
    REMOVED
}
