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
    TERMINATED
}
