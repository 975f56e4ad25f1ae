package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.QueuedTask;
import org.agrona.concurrent.IdleStrategy;

/*
 * Running a task, and what it costs to account for it. A task taken from a queue is claimed
 * (QUEUED -> STARTED) unless it is a bare local spawn; a claim that fails means the task was
 * returned, taken back or run by a waiter, and its queue entry is dropped. Accounting is split by
 * need: a plain run (the FIFO fast path) pays two opaque stores; a measured run (a timed task, a
 * tenant, a listener, a breaker permit, an ordering policy) reads the clock twice.
 *
 * An exception from a plain Runnable goes to the thread's uncaught-exception handler, one from a
 * future to its get(); an Error is rethrown after the accounting and ends the thread, whose
 * replacement takes over the agent (Agent.run). A breaker hears of the outcome after the future
 * completed.
 */

/** Running tasks on an agent; see the layers in {@link AgentBase}. */
abstract class AgentRunning extends AgentBase {
    AgentRunning(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
                 int stealBatch, long startNanos, GuardedBacklog backlog, AgentBreaker breaker, boolean spare) {
        super(scheduler, index, capacity, idleStrategy, spinRounds, stealBatch, startNanos, backlog, breaker, spare);
    }

    /** Implemented by the breaker guard: a refused task goes elsewhere. */
    abstract void reroute(Runnable task);

    /**
     * A stray interrupt (a cancel(true) that raced its task's end, or user code) must not reach the
     * next task; shutdownNow's must. Inside a helping wait the interrupt is the waiting task's (a
     * cancel(true) of it, or its caller's): it is taken off the thread for the helped task and given
     * back after it (see {@link #afterHelpedTask}), so the wait ends as get() promises.
     */
    final void clearStrayInterrupt() {
        if (Thread.interrupted()) {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                Thread.currentThread().interrupt();
            } else if (helpDepth > 0) {
                interruptForWaiter = true;
            }
        }
    }

    /**
     * A helped task ended inside a helping wait: the interrupt the waiting task is owed, if any, is
     * put back on the thread — one kept before the helped task ran, or one that arrived while it ran,
     * unless that one was the helped task's own (its future cancelled with an interrupt).
     */
    final void afterHelpedTask(Runnable task) {
        boolean arrived = Thread.interrupted();
        if (interruptForWaiter || (arrived && !cancelled(task))) {
            Thread.currentThread().interrupt();
        }
        interruptForWaiter = false;
    }

    private static boolean cancelled(Runnable task) {
        WrappedTask wrapped = WrappedTask.of(task);
        return wrapped instanceof TaskFutureImpl && ((TaskFutureImpl<?>) wrapped).isCancelled();
    }

    /** Runs a task taken from a queue, in whichever mode this agent works. */
    final void runTask(Runnable task) {
        if (ordered) {
            runTaskOrdered(task);
        } else if (breaker != null) {
            runTaskGuarded(task);
        } else {
            runTaskFifo(task);
        }
    }

    /** FIFO without a breaker. */
    final void runTaskFifo(Runnable task) {
        clearStrayInterrupt();
        runUnguarded(task);
    }

    /** FIFO with a breaker: a permit first; without one the task is rerouted. */
    final void runTaskGuarded(Runnable task) {
        clearStrayInterrupt();
        if (acquirePermit(task)) {
            runUnguarded(task);
        }
    }

    /** Under an ordering policy: the task was claimed (and its permit taken) at dispatch. */
    final void runTaskOrdered(Runnable task) {
        clearStrayInterrupt();
        WrappedTask wrapped = WrappedTask.of(task);
        started(wrapped.options.cost());
        runStarted(wrapped, WrappedTask.queued(task));
    }

    /**
     * Claims and runs a queued task; a bare Runnable (a local spawn) needs no claim. The task's
     * kind is told by class (WrappedTask.of), never by an interface type check: see there.
     */
    final void runUnguarded(Runnable task) {
        WrappedTask wrapped = WrappedTask.of(task);
        if (wrapped != null) {
            runWrapped(wrapped);
        } else {
            runBare(task);
        }
    }

    private void runBare(Runnable task) {
        if (scheduler.bounded) {
            scheduler.releaseQueuedSlot();
        }
        if (listener == null && !permitHeld) {
            runPlain(task);
        } else {
            runMeasured(task, task, TaskOptions.DEFAULT, 0L, null, null);
        }
    }

    private void runWrapped(WrappedTask wrapped) {
        if (!wrapped.tryStart()) {
            dropped(wrapped);
            releasePermit();
            return;     // returned by shutdownNow, taken back by its submitter, or run by a waiter
        }
        started(wrapped.options.cost());
        runStarted(wrapped, null);
    }

    /**
     * Runs a wrapped task this thread has claimed (its queue slot and charge settled). The one place
     * the two kinds of wrapped task differ.
     *
     * @param queued the task as its backlog holds it, or null outside an ordering policy
     */
    final void runStarted(WrappedTask task, QueuedTask queued) {
        if (task instanceof TaskFutureImpl) {
            runStartedFuture((TaskFutureImpl<?>) task, queued);
            return;
        }
        RunnableTask wrapped = (RunnableTask) task;
        TaskOptions options = wrapped.options;
        if (queued != null || wrapped.stamped() || options.tenant() != null || listener != null || permitHeld) {
            runMeasured(wrapped.delegate, wrapped.delegate, options, wrapped.submitNanos, null, queued);
        } else {
            runPlain(wrapped.delegate);
        }
    }

    /**
     * A queue entry turned out to be claimed already. If a waiter ran the task, the entry still
     * carried the task's extra cost on this agent's load: give it back.
     */
    final void dropped(WrappedTask task) {
        if (task.runByWaiter() && task.options.cost() != 1) {
            addExtraCost(1 - task.options.cost());
        }
    }

    /** A wrapped task left the queues: release its bound slot and its charge on this agent's load. */
    final void started(long cost) {
        if (scheduler.bounded) {
            scheduler.releaseQueuedSlot();
        }
        if (cost != 1) {
            addExtraCost(1 - cost);
        }
    }

    final void runPlain(Runnable task) {
        RUNNING.setOpaque(this, 1L);
        try {
            task.run();
        } catch (Throwable failure) {
            taskThrew(task, failure, true);
        } finally {
            RUNNING.setOpaque(this, 0L);
            COMPLETED.setOpaque(this, completed + 1);
        }
    }

    /** Runs a future this thread has claimed to run (STARTED or RUN_BY_WAITER). */
    final void runStartedFuture(TaskFutureImpl<?> task, QueuedTask queued) {
        if (!task.begin()) {
            CANCELLED.setOpaque(this, cancelled + 1);
            if (task.options.tenant() != null) {
                scheduler.figures.registered(task.options).left();
            }
            releasePermit();
            return;
        }
        if (queued != null || task.stamped() || task.options.tenant() != null || listener != null || permitHeld) {
            runMeasured(task, task, task.options, task.submitNanos, task, queued);
            return;
        }
        RUNNING.setOpaque(this, 1L);
        try {
            task.runClaimed();  // never throws: a failure is the future's outcome
        } finally {
            RUNNING.setOpaque(this, 0L);
            COMPLETED.setOpaque(this, completed + 1);
        }
        Throwable failure = task.failure();
        if (failure != null) {
            taskThrew(task, failure, false);
        }
    }

    /**
     * Runs a task with two clock readings, for what needs them: queue latency (a timed task),
     * tenant service, deadline misses, the ordering policy's accounting, the listener.
     *
     * @param future the task's future, or null for a plain Runnable (whose exceptions are reported)
     * @param queued the task as its backlog holds it, or null outside an ordering policy
     */
    final void runMeasured(Runnable body, Object userTask, TaskOptions options, long submitNanos,
                             TaskFutureImpl<?> future, QueuedTask queued) {
        long startToken = startedToken;     // this task's, read before its body can dispatch others
        long start = System.nanoTime();
        if (submitNanos != 0) {
            recordLatency(start - submitNanos);
        }
        if (listener != null) {
            scheduler.events.fireStarted(userTask, index);
        }
        Throwable failure = null;
        RUNNING.setOpaque(this, 1L);
        try {
            if (future != null) {
                future.runClaimed();
            } else {
                body.run();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            RUNNING.setOpaque(this, 0L);
            COMPLETED.setOpaque(this, completed + 1);
        }
        long end = System.nanoTime();
        long runNanos = end - start;
        if (options.tenant() != null) {
            scheduler.figures.registered(options).record(runNanos);
        }
        if (options.hasDeadline() && submitNanos != 0) {
            long deadline = submitNanos + options.relativeDeadlineNanos();
            if (start - deadline > 0) {
                LATE_STARTS.setOpaque(this, lateStarts + 1);
            }
            if (end - deadline > 0) {
                DEADLINE_MISSES.setOpaque(this, deadlineMisses + 1);
            }
        }
        if (queued != null) {
            pendingFinish = queued;
            pendingBacklog = globalScope ? scheduler.globalBacklog : backlog;
            pendingToken = startToken;
            pendingRunNanos = runNanos;
            if (globalScope && !queued.options().isMovable()) {
                pendingFinish = null;   // a pinned task in GLOBAL scope never was in the shared backlog
            }
        }
        boolean cancelledWhileRunning = future != null && future.isCancelled();
        if (future != null) {
            failure = future.failure();
        }
        if (permitHeld) {
            // report to the breaker before an Error can end this thread
            permitHeld = false;
            if (cancelledWhileRunning) {
                breaker.release(permit);    // a cancellation is not the agent's failure
            } else if (failure != null) {
                breaker.onFailure(permit, runNanos, failure);
            } else {
                breaker.onSuccess(permit, runNanos);
            }
        }
        if (failure != null) {
            taskThrew(userTask, failure, future == null);
        } else if (listener != null) {
            scheduler.events.fireCompleted(userTask, index, runNanos);
        }
    }

    /**
     * Accounts a task that threw. An exception from a plain Runnable goes to the thread's uncaught
     * exception handler (a future reports it through get() instead); an Error is rethrown, which
     * ends this thread after a replacement took over.
     */
    final void taskThrew(Object userTask, Throwable failure, boolean report) {
        FAILED.setOpaque(this, this.failed + 1);
        if (listener != null) {
            scheduler.events.fireFailed(userTask, index, failure);
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (report) {
            Thread me = Thread.currentThread();
            try {
                me.getUncaughtExceptionHandler().uncaughtException(me, failure);
            } catch (Throwable ignored) {
                // a broken handler must not take the agent down
            }
        }
    }

    final void recordLatency(long nanos) {
        latency.recordValue(LatencyHistograms.clamp(nanos));
    }

    /** FIFO: a permit for the task about to run; without one the task is rerouted. */
    final boolean acquirePermit(Runnable task) {
        long p = breaker.tryAcquire();
        if (p == AgentBreaker.NOT_PERMITTED) {
            reroute(task);
            return false;
        }
        permit = p;
        permitHeld = true;
        return true;
    }
}
