package io.github.loadstar.core;

/**
 * What a scheduler with a bound on queued tasks does with a submission that would exceed it.
 * Submissions after {@code shutdown()} are always rejected with
 * {@link java.util.concurrent.RejectedExecutionException}, whatever the behaviour.
 */
public enum RejectionBehaviour {
    /** Throw {@link java.util.concurrent.RejectedExecutionException}; the task is not queued. */
    ABORT,
    /** Run the task at once in the submitting thread. */
    CALLER_RUNS,
    /**
     * Drop the task and count it in {@code metrics().discarded()}. A dropped task's future is
     * cancelled, so nobody waits for it forever.
     */
    DISCARD
}
