package io.github.loadstar.core;

/**
 * What a submission does when every agent's circuit breaker is open (no agent takes work).
 * Never a silent drop.
 */
public enum AllAgentsOpen {
    /**
     * Queue the task on the shared queue; the first agent whose breaker half-opens takes it as a
     * trial. Bound the wait with {@code maxQueuedTasks} if the outage may last. The default.
     */
    QUEUE,
    /**
     * Throw {@link java.util.concurrent.RejectedExecutionException} saying that every breaker is open
     * and when the earliest half-opens.
     */
    REJECT
}
