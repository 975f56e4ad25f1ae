package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A plain {@link Runnable} as it waits in the scheduler's queues when it needs more than the
 * Runnable itself: a submission from outside the pool (which needs a {@linkplain TaskClaim claim}
 * to settle a race with shutdown), options, or a latency timestamp. A Runnable spawned inside a
 * task with default options is queued as it is, without a wrapper.
 */
final class RunnableTask implements Runnable {
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
    /** Submission time (System.nanoTime), valid when {@link #stamped}. */
    long submitNanos;
    boolean stamped;
    /** The tenant's counters, or null. */
    TenantStats tenant;
    private volatile int claim;

    RunnableTask(Runnable delegate, TaskOptions options) {
        this.delegate = delegate;
        this.options = options;
    }

    void stamp(long nanos) {
        submitNanos = nanos;
        stamped = true;
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
    public void run() {
        delegate.run();
    }

    @Override
    public String toString() {
        return "RunnableTask[" + delegate + "]";
    }
}
