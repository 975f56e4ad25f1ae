package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import java.util.concurrent.RejectedExecutionException;

/**
 * A plain {@link Runnable} as it waits in the scheduler's queues when it needs more than the
 * Runnable itself: a submission from outside the pool (which needs a {@linkplain TaskClaim claim}
 * to settle a race with shutdown), options, a latency timestamp, or an ordering policy's slots. A
 * Runnable spawned inside a task with default options in FIFO mode is queued as it is, without a
 * wrapper. 48 bytes with compressed references: the one allocation of an external submission.
 */
final class RunnableTask extends WrappedTask {
    final Runnable delegate;

    RunnableTask(Runnable delegate, TaskOptions options) {
        super(options);
        this.delegate = delegate;
    }

    @Override
    Object userTask() {
        return delegate;
    }

    @Override
    Object body() {
        return delegate;
    }

    /** A plain Runnable has nobody to tell but its thread's uncaught-exception handler. */
    @Override
    void rejectClaimed(RejectedExecutionException why) {
        Thread me = Thread.currentThread();
        try {
            me.getUncaughtExceptionHandler().uncaughtException(me, why);
        } catch (Throwable ignored) {
            // a broken handler must not take the agent down
        }
    }

    @Override
    public void run() {
        delegate.run();
    }

    @Override
    public String toString() {
        return "RunnableTask[" + delegate + ", " + options + "]";
    }
}
