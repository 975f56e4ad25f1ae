package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.QueuedTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * A task as the scheduler queues it when the user's {@link Runnable} alone is not enough: it needs
 * a {@linkplain TaskClaim claim} (to settle a race with shutdown or with a waiter that runs it),
 * options, or a latency timestamp. Two implementations: {@link RunnableTask} for a plain Runnable
 * and {@link TaskFutureImpl} for a task with a future. A Runnable spawned inside a task with the
 * default options is queued bare, as the user gave it: no thread but the runtime ever holds it, so
 * it needs no claim.
 */
interface WrappedTask extends Runnable {

    TaskOptions options();

    /** Submission time (System.nanoTime); 0 when the task was not timed. */
    long submitNanos();

    /** Times the task (0 is reserved for "not timed", so a clock reading of exactly 0 becomes 1). */
    void stamp(long nanos);

    boolean stamped();

    /** An agent takes the task to run it; false if it was claimed otherwise first. */
    boolean tryStart();

    /** Claims the task for {@code state} (RETURNED or REJECTED); false if it was claimed first. */
    boolean tryClaim(int state);

    /** Whether a thread waiting for it ran it outside its queue (its queue entry is stale). */
    boolean runByWaiter();

    /** What the user submitted: the Runnable, or the future itself. */
    Object userTask();

    /** Ends a task claimed as REJECTED that will never run, reporting {@code why}. */
    void rejectClaimed(RejectedExecutionException why);

    /**
     * {@code task} as a wrapped task, or null if it is a bare Runnable. Decided by class, never by
     * {@code instanceof WrappedTask}: a type check against an interface goes through the class's
     * secondary-supers cache, which HotSpot before JDK 23 writes on every check that alternates
     * between interfaces (JDK-8180450) — a cache line that every core running tasks of the same
     * class then fights over. On JDK 17 that check in the run loop cost local spawning about
     * 45 % of its speed. Class checks read the fixed primary-supers display and write nothing.
     */
    static WrappedTask of(Runnable task) {
        if (task instanceof RunnableTask) {
            return (RunnableTask) task;
        }
        if (task instanceof TaskFutureImpl) {
            return (TaskFutureImpl<?>) task;
        }
        return null;
    }

    /**
     * A task queued under an ordering policy, as its backlog holds it. By class, as {@link #of}:
     * every such task is an {@link OrderedRunnableTask} or a {@link TaskFutureImpl}.
     */
    static QueuedTask queued(Runnable task) {
        if (task instanceof OrderedRunnableTask) {
            return (OrderedRunnableTask) task;
        }
        if (task instanceof TaskFutureImpl) {
            return (TaskFutureImpl<?>) task;
        }
        return (QueuedTask) task;
    }

    /** A task a backlog returned, as the runtime runs it; by class, as {@link #queued}. */
    static Runnable runnable(QueuedTask task) {
        if (task instanceof OrderedRunnableTask) {
            return (OrderedRunnableTask) task;
        }
        if (task instanceof TaskFutureImpl) {
            return (TaskFutureImpl<?>) task;
        }
        return (Runnable) task;
    }

    /** The cost beyond one unit that a queued task adds to its agent's load (0 for a bare Runnable). */
    static long extraCostOf(Runnable task) {
        WrappedTask wrapped = of(task);
        return wrapped == null ? 0 : wrapped.options().cost() - 1;
    }

    /** What the user submitted, for a queued task wrapped or bare. */
    static Object userTaskOf(Runnable task) {
        WrappedTask wrapped = of(task);
        return wrapped == null ? task : wrapped.userTask();
    }
}
