package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.AbstractQueuedTask;
import io.github.loadstar.core.spi.QueuedTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;

/**
 * A task as the scheduler queues it when the user's {@link Runnable} alone is not enough: it needs
 * a {@linkplain TaskClaim claim} (to settle a race with shutdown or with a waiter that runs it),
 * options, a latency timestamp, or an ordering policy's slots. Two implementations:
 * {@link RunnableTask} for a plain Runnable and {@link TaskFutureImpl} for a task with a future. A
 * Runnable spawned inside a task with the default options in FIFO mode is queued bare, as the user
 * gave it: no thread but the runtime ever holds it, so it needs no claim.
 *
 * <p>The claim and a future's completion share one word, {@link #state}: the claim in the low
 * bits ({@link TaskClaim#MASK}), the future's outcome above them (see {@link TaskFutureImpl}). A
 * claim moves away from {@link TaskClaim#QUEUED} once, by CAS, and leaves the completion bits as
 * they are: a future cancelled while queued is still claimed exactly once by whoever takes its
 * queue entry, who then finds it done and does not run it.
 *
 * <p>An abstract class rather than an interface so that the runtime tells its tasks apart by class:
 * a type check against a class reads the fixed primary-supers display, while a check against an
 * interface goes through the class's one-entry secondary-supers cache, which HotSpot before JDK 23
 * rewrites whenever the checked interface alternates (JDK-8180450), a cache line that every core
 * running tasks of the same class then fights over. On JDK 17 an interface check in the run loop
 * cost local spawning about 45 % of its speed.
 */
abstract class WrappedTask extends AbstractQueuedTask implements Runnable {
    static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(WrappedTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final TaskOptions options;
    /** Submission time (System.nanoTime); 0 when the task was not timed. */
    long submitNanos;
    /** The claim (low bits, TaskClaim) and, for a future, its completion (above). */
    volatile int state;

    WrappedTask(TaskOptions options) {
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

    /** Times the task (0 is reserved for "not timed", so a clock reading of exactly 0 becomes 1). */
    final void stamp(long nanos) {
        submitNanos = nanos == 0 ? 1 : nanos;
    }

    final boolean stamped() {
        return submitNanos != 0;
    }

    /** An agent takes the task to run it; false if it was claimed otherwise first. */
    final boolean tryStart() {
        return tryClaim(TaskClaim.STARTED);
    }

    /**
     * Claims the task for {@code claim} (a TaskClaim other than QUEUED), keeping the completion
     * bits; false if it was claimed first. One CAS when nothing else moved.
     */
    final boolean tryClaim(int claim) {
        int s = state;
        while ((s & TaskClaim.MASK) == TaskClaim.QUEUED) {
            int witness = (int) STATE.compareAndExchange(this, s, s | claim);
            if (witness == s) {
                return true;
            }
            s = witness;
        }
        return false;
    }

    /** Whether a thread waiting for it ran it outside its queue (its queue entry is stale). */
    final boolean runByWaiter() {
        return (state & TaskClaim.MASK) == TaskClaim.RUN_BY_WAITER;
    }

    /** What the user submitted: the Runnable, or the future itself. */
    abstract Object userTask();

    /** What the submitter gave to run (its Callable or Runnable): what a remote agent sends. */
    abstract Object body();

    /** Ends a task claimed as REJECTED that will never run, reporting {@code why}. */
    abstract void rejectClaimed(RejectedExecutionException why);

    /** {@code task} as a wrapped task, or null if it is a bare Runnable. */
    static WrappedTask of(Runnable task) {
        return task instanceof WrappedTask ? (WrappedTask) task : null;
    }

    /** A task queued under an ordering policy, as its backlog holds it: under a policy every task is wrapped. */
    static QueuedTask queued(Runnable task) {
        return (WrappedTask) task;
    }

    /** A task a backlog returned, as the runtime runs it. */
    static Runnable runnable(QueuedTask task) {
        return (WrappedTask) task;
    }

    /** The cost beyond one unit that a queued task adds to its agent's load (0 for a bare Runnable). */
    static long extraCostOf(Runnable task) {
        WrappedTask wrapped = of(task);
        return wrapped == null ? 0 : wrapped.options.cost() - 1;
    }

    /** What the user submitted, for a queued task wrapped or bare. */
    static Object userTaskOf(Runnable task) {
        WrappedTask wrapped = of(task);
        return wrapped == null ? task : wrapped.userTask();
    }
}
