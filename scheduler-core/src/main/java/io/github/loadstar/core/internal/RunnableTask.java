package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A plain {@link Runnable} as it waits in the scheduler's queues when it needs more than the
 * Runnable itself: a submission from outside the pool (which needs a {@linkplain TaskClaim claim}
 * to settle a race with shutdown), options, or a latency timestamp. A Runnable spawned inside a
 * task with default options is queued as it is, without a wrapper. Kept to 32 bytes (with
 * compressed references): it is the one allocation of an external submission.
 */
class RunnableTask implements Runnable {
    private static final VarHandle CLAIM;

    static {
        try {
            CLAIM = MethodHandles.lookup().findVarHandle(RunnableTask.class, "claim", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Runnable delegate;
    final TaskOptions options;
    /** Submission time (System.nanoTime); 0 when the task was not timed. */
    long submitNanos;
    private volatile int claim;

    RunnableTask(Runnable delegate, TaskOptions options) {
        this.delegate = delegate;
        this.options = options;
    }

    /** Times the task (0 is reserved for "not timed", so a clock reading of exactly 0 becomes 1). */
    void stamp(long nanos) {
        submitNanos = nanos == 0 ? 1 : nanos;
    }

    boolean stamped() {
        return submitNanos != 0;
    }

    /** An agent takes the task to run it; false if it was returned or rejected first. */
    boolean tryStart() {
        return claim == TaskClaim.QUEUED && CLAIM.compareAndSet(this, TaskClaim.QUEUED, TaskClaim.STARTED);
    }

    /** Claims the task for {@code state} (RETURNED or REJECTED); false if it was claimed first. */
    boolean tryClaim(int state) {
        return CLAIM.compareAndSet(this, TaskClaim.QUEUED, state);
    }

    @Override
    public final void run() {
        delegate.run();
    }

    @Override
    public String toString() {
        return "RunnableTask[" + delegate + "]";
    }
}
