package io.github.loadstar.core.internal;

/**
 * The states of a queued task's claim, which decides exactly once what happens to a task that
 * left the caller's hands: an agent starts it, {@code shutdownNow} returns it, or its submitter,
 * having seen a concurrent shutdown, takes it back and throws
 * {@link java.util.concurrent.RejectedExecutionException}. The first CAS away from
 * {@link #QUEUED} wins.
 */
final class TaskClaim {
    static final int QUEUED = 0;
    static final int STARTED = 1;
    static final int RETURNED = 2;
    static final int REJECTED = 3;

    private TaskClaim() {
    }
}
