package io.github.loadstar.core.internal;

/**
 * The states of a queued task's claim, which decides exactly once what happens to a task that
 * left the caller's hands: an agent starts it, {@code shutdownNow} returns it, or its submitter,
 * having seen a concurrent shutdown, takes it back and throws
 * {@link java.util.concurrent.RejectedExecutionException}. The first CAS away from
 * {@link #QUEUED} wins. The claim is the low bits ({@link #MASK}) of {@link WrappedTask#state};
 * a future keeps its completion in the bits above.
 *
 * <p>{@link #RUN_BY_WAITER} is a start by a thread of the scheduler that waits for the task's
 * future and runs the task itself (see {@link HelpingWait}), wherever the task is queued. Its queue
 * entry stays behind; whoever takes the entry out finds it claimed and drops it, and gives back the
 * entry's extra cost on the way (a normal start gives it back when it starts the task).
 */
final class TaskClaim {
    static final int QUEUED = 0;
    static final int STARTED = 1;
    static final int RETURNED = 2;
    static final int REJECTED = 3;
    static final int RUN_BY_WAITER = 4;
    /** The bits of {@link WrappedTask#state} that hold the claim. */
    static final int MASK = 7;

    private TaskClaim() {
    }
}
