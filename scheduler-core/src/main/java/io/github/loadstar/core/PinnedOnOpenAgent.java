package io.github.loadstar.core;

/**
 * What happens to tasks pinned to an agent whose circuit breaker opens. (Movable tasks queued on it
 * always move to agents that take work.)
 */
public enum PinnedOnOpenAgent {
    /** They wait on the agent and run as its half-open trials. The default. */
    WAIT,
    /**
     * They fail at once: a future completes exceptionally with
     * {@link java.util.concurrent.RejectedExecutionException}; a plain Runnable is reported to the
     * agent thread's uncaught-exception handler. Counted in {@code metrics().rejected()}.
     */
    FAIL
}
