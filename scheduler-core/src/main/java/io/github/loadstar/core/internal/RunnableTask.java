package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;

/**
 * A plain {@link Runnable} as it waits in the scheduler's queues when it needs more than the
 * Runnable itself: a submission from outside the pool (which needs a {@linkplain TaskClaim claim}
 * to settle a race with shutdown), options, or a latency timestamp. A Runnable spawned inside a
 * task with default options is queued as it is, without a wrapper. Kept to 32 bytes (with
 * compressed references): it is the one allocation of an external submission.
 */
class RunnableTask implements WrappedTask {
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

    @Override
    public final TaskOptions options() {
        return options;
    }

    @Override
    public final long submitNanos() {
        return submitNanos;
    }

    @Override
    public final void stamp(long nanos) {
        submitNanos = nanos == 0 ? 1 : nanos;
    }

    @Override
    public final boolean stamped() {
        return submitNanos != 0;
    }

    @Override
    public final boolean tryStart() {
        return claim == TaskClaim.QUEUED && CLAIM.compareAndSet(this, TaskClaim.QUEUED, TaskClaim.STARTED);
    }

    @Override
    public final boolean tryClaim(int state) {
        return CLAIM.compareAndSet(this, TaskClaim.QUEUED, state);
    }

    /** Never: only a future can be waited for. */
    @Override
    public final boolean runByWaiter() {
        return false;
    }

    @Override
    public final Object userTask() {
        return delegate;
    }

    /** A plain Runnable has nobody to tell but its thread's uncaught-exception handler. */
    @Override
    public final void rejectClaimed(RejectedExecutionException why) {
        Thread me = Thread.currentThread();
        try {
            me.getUncaughtExceptionHandler().uncaughtException(me, why);
        } catch (Throwable ignored) {
            // a broken handler must not take the agent down
        }
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
