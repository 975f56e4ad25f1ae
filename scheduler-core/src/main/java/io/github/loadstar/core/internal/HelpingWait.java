package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/*
 * Waiting for a future from inside the scheduler: the waiting thread helps instead of blocking.
 *
 * Design overview
 * ===============
 * A task that submits a subtask and waits for it (get, timed get, join of the CompletableFuture
 * view, invokeAll, invokeAny) would, on a plain pool, block its agent; once every agent waits so,
 * the subtasks sit in the deques and nothing runs (two agents, a recursive Fibonacci: a deadlock).
 * So a thread of the scheduler that waits on one of the scheduler's futures does, while the future
 * is not done:
 *   1. run the awaited task itself if it is still queued, wherever it is queued (unless it is
 *      pinned to another agent): it claims the task (QUEUED -> RUN_BY_WAITER) and runs it here.
 *      The queue entry stays behind; whoever takes it out finds it claimed and drops it (see
 *      TaskClaim). This is ForkJoinPool's tryUnpush/tryRemoveAndExec without searching the queues;
 *   2. else run one task from this agent's own queues (the deque first, newest first: the awaited
 *      task's subtasks are on top), or steal one batch as a searching agent does;
 *   3. else yield and look again, up to YIELD_ROUNDS times in a row: the awaited task, running on
 *      another agent, is usually about to finish or to spawn work to steal, and a timed park costs
 *      tens of microseconds on Linux (the timer slack) — parking at once here cost recursive
 *      fork-and-wait a fifth of its speed. A yield, unlike a spin, gives the core away when agents
 *      outnumber cores;
 *   4. then sleep in the future's waiter slot until the future completes (its completion unparks
 *      the slot's thread) or a back-off expires (20 us doubling to 1 ms), then look again. A
 *      waiter that finds the slot taken sleeps the back-off without it (it notices the completion
 *      at its next look). Finding work resets both the yields and the back-off.
 * Each pass starts with the future's state, so a completion is never waited past: the slot write
 * and the done-check that follows it pair with the completer's state CAS and its slot read
 * (see TaskFutureImpl), and a back-off bounds any other delay.
 *
 * The outer task's state on its agent is kept across the tasks run inside the wait: its breaker
 * permit, the running flag, and under an ordering policy the deferred accounting of the last task
 * run (settled after each helped task, under the claim). Helping nests: a helped task that waits
 * helps in turn, to a depth of MAX_DEPTH, past which only the awaited task itself is run.
 *
 * Interrupts: get() throws InterruptedException as FutureTask's does; join() is uninterruptible
 * and keeps the flag for the caller. Time limits: a timed wait that runs the awaited task (or any
 * other) on its own thread returns when that task ends, perhaps after the limit, as ForkJoinPool's
 * timed get does when it runs the task it waits for.
 *
 * What cannot help: a wait on anything other than this scheduler's TaskFuture or its
 * toCompletableFuture() view — a CompletableFuture made by supplyAsync(..., scheduler) or derived
 * with thenApply, a latch, I/O — blocks the agent as on any pool. Use scheduler.submit(...) and
 * wait on the TaskFuture (or its view) instead.
 */

/** Waits on a scheduler's futures by running its work; see the design overview in the source. */
final class HelpingWait {
    /** How deeply helped tasks may nest before a waiter runs only the task it awaits. */
    static final int MAX_DEPTH = 256;
    /** Yields (each followed by a look for work) before a waiter first parks. */
    private static final int YIELD_ROUNDS = 64;
    private static final long FIRST_SLEEP_NANOS = 20_000L;
    private static final long LONGEST_SLEEP_NANOS = 1_000_000L;

    private HelpingWait() {
    }

    /** Helps until {@code future} is done, if the current thread is one of its scheduler's agents. */
    static void awaitDone(TaskFutureImpl<?> future) throws InterruptedException {
        Agent self = helperFor(future);
        if (self != null) {
            help(self, future, null, false, 0L, true);
        }
    }

    /**
     * As {@link #awaitDone(TaskFutureImpl)}, for at most {@code nanos}.
     *
     * @return the time left of {@code nanos}, never negative
     */
    static long awaitDone(TaskFutureImpl<?> future, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        Agent self = helperFor(future);
        if (self != null) {
            help(self, future, null, true, deadline, true);
        }
        return Math.max(0L, deadline - System.nanoTime());
    }

    /** As {@link #awaitDone(TaskFutureImpl)}, keeping an interrupt for the caller instead of throwing. */
    static void awaitDoneUninterruptibly(TaskFutureImpl<?> future) {
        Agent self = helperFor(future);
        if (self != null) {
            try {
                help(self, future, null, false, 0L, false);
            } catch (InterruptedException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /**
     * invokeAny from one of the scheduler's own threads: submits every task, helps until one has
     * completed normally (or all are done, or the deadline passed), cancels the rest.
     */
    static <T> T invokeAny(LoadstarScheduler scheduler, Agent self, Collection<? extends Callable<T>> tasks,
                           boolean timed, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(tasks, "tasks");
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("tasks is empty");
        }
        TaskFutureImpl<?>[] futures = new TaskFutureImpl<?>[tasks.size()];
        int n = 0;
        try {
            for (Callable<T> task : tasks) {
                TaskFutureImpl<T> future = new TaskFutureImpl<>(Objects.requireNonNull(task, "task"),
                        TaskOptions.DEFAULT, scheduler);
                futures[n++] = future;
                scheduler.execute(future);
            }
            help(self, null, futures, timed, deadline, true);
            ExecutionException failure = null;
            for (TaskFutureImpl<?> future : futures) {
                if (future.completedNormally()) {
                    @SuppressWarnings("unchecked")
                    T result = (T) future.get();
                    return result;
                }
            }
            for (TaskFutureImpl<?> future : futures) {
                if (!future.isDone()) {
                    throw new TimeoutException();
                }
                try {
                    future.get();
                } catch (ExecutionException e) {
                    failure = e;
                } catch (CancellationException e) {
                    failure = new ExecutionException(e);
                }
            }
            throw failure;
        } finally {
            for (int i = 0; i < n; i++) {
                futures[i].cancel(true);
            }
        }
    }

    private static Agent helperFor(TaskFutureImpl<?> future) {
        LoadstarScheduler owner = future.owner;
        return owner == null ? null : owner.localAgent();
    }

    /**
     * The wait: {@code one} future, or {@code any} of several (done when one completed normally or
     * all are done).
     */
    private static void help(Agent self, TaskFutureImpl<?> one, TaskFutureImpl<?>[] any, boolean timed,
                             long deadline, boolean interruptible) throws InterruptedException {
        Thread me = Thread.currentThread();
        boolean interrupted = false;
        long sleep = FIRST_SLEEP_NANOS;
        int yields = YIELD_ROUNDS;
        try {
            while (!finished(one, any)) {
                if (Thread.interrupted()) {
                    if (interruptible) {
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
                long remaining = 0L;
                if (timed && (remaining = deadline - System.nanoTime()) <= 0L) {
                    return;
                }
                if (runAwaited(self, one, any) || self.runOneWhileWaiting()) {
                    sleep = FIRST_SLEEP_NANOS;
                    yields = YIELD_ROUNDS;
                    continue;
                }
                if (yields > 0) {
                    yields--;
                    Thread.yield();
                    continue;
                }
                sleepUntilDone(me, one, any, timed ? Math.min(sleep, remaining) : sleep);
                sleep = Math.min(sleep << 1, LONGEST_SLEEP_NANOS);
            }
        } finally {
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    private static boolean finished(TaskFutureImpl<?> one, TaskFutureImpl<?>[] any) {
        if (one != null) {
            return one.isDone();
        }
        boolean allDone = true;
        for (TaskFutureImpl<?> future : any) {
            if (future.completedNormally()) {
                return true;
            }
            allDone &= future.isDone();
        }
        return allDone;
    }

    private static boolean runAwaited(Agent self, TaskFutureImpl<?> one, TaskFutureImpl<?>[] any) {
        if (one != null) {
            return self.tryRunAwaited(one);
        }
        for (TaskFutureImpl<?> future : any) {
            if (self.tryRunAwaited(future)) {
                return true;
            }
        }
        return false;
    }

    /** Parks for at most {@code nanos}, in the waiter slot of every awaited future that has it free. */
    private static void sleepUntilDone(Thread me, TaskFutureImpl<?> one, TaskFutureImpl<?>[] any, long nanos) {
        if (one != null) {
            boolean slot = one.tryAddWaiter(me);
            try {
                if (!one.isDone()) {
                    LockSupport.parkNanos(one, nanos);
                }
            } finally {
                if (slot) {
                    one.removeWaiter(me);
                }
            }
            return;
        }
        for (TaskFutureImpl<?> future : any) {
            future.tryAddWaiter(me);
        }
        try {
            if (!finished(null, any)) {
                LockSupport.parkNanos(any, nanos);
            }
        } finally {
            for (TaskFutureImpl<?> future : any) {
                future.removeWaiter(me);
            }
        }
    }
}
