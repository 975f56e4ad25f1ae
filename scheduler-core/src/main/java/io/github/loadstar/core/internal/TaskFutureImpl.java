package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/*
 * A submitted task with a result.
 *
 * Design overview
 * ===============
 * One word, `state`, holds both the queue claim (low bits, TaskClaim: QUEUED, STARTED,
 * RUN_BY_WAITER, RETURNED, REJECTED) and the outcome (the bits above: none yet, NORMAL,
 * EXCEPTIONAL, CANCELLED, INTERRUPTING, INTERRUPTED). The claim moves once away from QUEUED and
 * the outcome once away from none, each by CAS, and neither CAS touches the other's bits. So the
 * common life of a task costs two CASes on one line: the agent's claim (QUEUED -> STARTED) and the
 * completion (STARTED -> STARTED|NORMAL). java.util.concurrent.FutureTask, which this replaces,
 * costs a volatile write in its constructor, a CAS on its runner and a CAS on its state, on top of
 * the claim the scheduler needs anyway.
 *
 * The outcome:
 *   - completion: the thread that claimed the task to run it writes `outcome` (plain), then CASes
 *     the state from (its claim, none) to (its claim, NORMAL or EXCEPTIONAL). The CAS publishes the
 *     outcome: a reader reads the state first (volatile) and the outcome after. If the CAS fails,
 *     the task was cancelled meanwhile and the outcome is dropped.
 *   - cancel: a CAS from (any claim, none) to (the same claim, CANCELLED), or, with
 *     mayInterruptIfRunning and a claim that runs the task, to INTERRUPTING; then it interrupts the
 *     runner and stores INTERRUPTED (release). Cancelling a task still queued leaves its claim
 *     QUEUED: whoever takes its queue entry claims it as usual and finds it done.
 *   - rejection: a task claimed REJECTED (its submitter saw a concurrent shutdown) fails with the
 *     RejectedExecutionException, by the same CAS as a completion.
 * Every thread that claims the task to run it (STARTED, RUN_BY_WAITER) first announces itself in
 * `runner` (begin()), whether or not it then finds the task cancelled. A canceller that moved the
 * state to INTERRUPTING with such a claim set waits for that announcement (a few instructions after
 * the claim CAS), so the interrupt always reaches the thread that runs the task; that thread does
 * not leave the task until the state is INTERRUPTED, so the interrupt never reaches its next task
 * (the agent clears stray interrupts between tasks anyway). As with FutureTask, an interrupt may
 * arrive just before the task's code starts.
 *
 * Waiting: a thread of the owning scheduler helps (HelpingWait) and sleeps in the one `waiter`
 * slot between looks; any other thread blocks on a CountDownLatch made for the first such waiter.
 * The completer's state CAS and its reads of `waiter` and `blocked`, against a waiter's CAS into
 * those fields and its re-read of the state, are sequentially consistent: either the waiter sees
 * the task done or the completer sees the waiter and wakes it. The CompletableFuture view is
 * completed the same way (its creator re-checks the state after publishing it).
 */

/**
 * The scheduler's future: the task, its claim and outcome in one word, its waiters and a lazily
 * created {@link CompletableFuture} view; see the design overview in the source.
 *
 * @param <V> the result type
 */
final class TaskFutureImpl<V> extends WrappedTask implements TaskFuture<V>, RunnableFuture<V> {
    private static final int NORMAL = 1 << 3;
    private static final int EXCEPTIONAL = 2 << 3;
    private static final int CANCELLED = 3 << 3;
    private static final int INTERRUPTING = 4 << 3;
    private static final int INTERRUPTED = 5 << 3;
    /** The bits of the state that hold the outcome (0: not done). */
    private static final int OUTCOME = 7 << 3;

    private static final VarHandle RUNNER;
    private static final VarHandle WAITER;
    private static final VarHandle BLOCKED;
    private static final VarHandle VIEW;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RUNNER = lookup.findVarHandle(TaskFutureImpl.class, "runner", Thread.class);
            WAITER = lookup.findVarHandle(TaskFutureImpl.class, "waiter", Thread.class);
            BLOCKED = lookup.findVarHandle(TaskFutureImpl.class, "blocked", CountDownLatch.class);
            VIEW = lookup.findVarHandle(TaskFutureImpl.class, "view", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The scheduler this future was made by: its threads may run the task while they wait for it. */
    final LoadstarScheduler owner;
    /** The task: exactly one of the two is set until it has run. */
    private Callable<V> callable;
    private Runnable runnable;
    /** The result (preset for a Runnable), or what the task threw; read only after the state says so. */
    private Object outcome;
    /** The thread that claimed the task to run it (see begin()); opaque accesses. */
    private Thread runner;
    /** A thread of the scheduler that helps while it waits and sleeps between looks; one slot. */
    private volatile Thread waiter;
    /** What any other waiting thread blocks on, made by the first of them. */
    private volatile CountDownLatch blocked;
    private volatile CompletableFuture<V> view;

    TaskFutureImpl(Callable<V> callable, TaskOptions options, LoadstarScheduler owner) {
        super(options);
        this.callable = Objects.requireNonNull(callable, "task");
        this.owner = owner;
    }

    TaskFutureImpl(Runnable runnable, V result, TaskOptions options, LoadstarScheduler owner) {
        super(options);
        this.runnable = Objects.requireNonNull(runnable, "task");
        this.outcome = result;
        this.owner = owner;
    }

    // ================================================================ running

    /**
     * Runs the task on the calling thread if nobody has claimed it (a future made by newTaskFor and
     * run by another wrapper, or run by the caller under CALLER_RUNS); otherwise does nothing.
     */
    @Override
    public void run() {
        if (tryClaim(TaskClaim.STARTED) && begin()) {
            runClaimed();
        }
    }

    /**
     * The thread that claimed the task to run it (STARTED or RUN_BY_WAITER) announces itself, at
     * once after its claim; a cancel(true) waits for this. False if the task was cancelled before it
     * started: the caller must not run it (any interrupt aimed at it has been delivered by then).
     */
    boolean begin() {
        RUNNER.setOpaque(this, Thread.currentThread());
        if ((state & OUTCOME) != 0) {
            awaitInterruptDelivered();
            return false;
        }
        return true;
    }

    /** Runs the task after {@link #begin()}; never throws (the failure is the outcome). */
    void runClaimed() {
        Object result = outcome;
        int how = NORMAL;
        try {
            Callable<V> c = callable;
            if (c != null) {
                result = c.call();
            } else {
                runnable.run();
            }
        } catch (Throwable t) {
            result = t;
            how = EXCEPTIONAL;
        }
        int claim = state & TaskClaim.MASK;
        outcome = result;
        if (STATE.compareAndSet(this, claim, claim | how)) {
            callable = null;
            runnable = null;
            completed();
        } else {
            outcome = null;     // cancelled while it ran: its result is nobody's
            awaitInterruptDelivered();
        }
    }

    /**
     * The outcome of a task a remote agent ran (its claim taken and begin() called by that agent's
     * thread), set by whichever thread learns it; the same CAS as a local run, so a task cancelled
     * meanwhile keeps its cancellation.
     */
    void completeRemotely(Object result, Throwable failure) {
        int claim = state & TaskClaim.MASK;
        if ((state & OUTCOME) != 0) {
            return;
        }
        Object value = failure != null ? failure : (callable != null ? result : outcome);
        int how = failure != null ? EXCEPTIONAL : NORMAL;
        outcome = value;
        if (STATE.compareAndSet(this, claim, claim | how)) {
            callable = null;
            runnable = null;
            completed();
        } else {
            outcome = null;     // cancelled meanwhile: the outcome is nobody's
        }
    }

    /** What the task runs: its callable, or its runnable (whose preset result is kept here). */
    @Override
    Object body() {
        Callable<V> c = callable;
        return c != null ? c : runnable;
    }

    /** A cancel(true) that saw this task running may still be interrupting its thread: let it finish. */
    private void awaitInterruptDelivered() {
        while ((state & OUTCOME) == INTERRUPTING) {
            Thread.yield();
        }
    }

    /** The future fails with {@code why}: its caller learns it through get(). */
    @Override
    void rejectClaimed(RejectedExecutionException why) {
        outcome = why;
        if (STATE.compareAndSet(this, TaskClaim.REJECTED, TaskClaim.REJECTED | EXCEPTIONAL)) {
            callable = null;
            runnable = null;
            completed();
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        int s = state;
        int next;
        for (;;) {
            if ((s & OUTCOME) != 0) {
                return false;
            }
            int claim = s & TaskClaim.MASK;
            boolean running = claim == TaskClaim.STARTED || claim == TaskClaim.RUN_BY_WAITER;
            next = claim | (mayInterruptIfRunning && running ? INTERRUPTING : CANCELLED);
            int witness = (int) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                break;
            }
            s = witness;
        }
        if ((next & OUTCOME) == INTERRUPTING) {
            try {
                Thread t;
                while ((t = (Thread) RUNNER.getOpaque(this)) == null) {
                    Thread.yield();     // its claimant announces itself a few instructions after its claim
                }
                t.interrupt();
            } finally {
                STATE.setRelease(this, (next & TaskClaim.MASK) | INTERRUPTED);
            }
        }
        completed();
        return true;
    }

    /** After the outcome is set: wake whoever waits, complete the view. */
    private void completed() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        CountDownLatch b = blocked;
        if (b != null) {
            b.countDown();
        }
        CompletableFuture<V> v = view;
        if (v != null) {
            completeView(v);
        }
    }

    // ================================================================ the outcome

    @Override
    public boolean isDone() {
        return (state & OUTCOME) != 0;
    }

    @Override
    public boolean isCancelled() {
        return (state & OUTCOME) >= CANCELLED;
    }

    /** Finished and neither cancelled nor failed. */
    boolean completedNormally() {
        return (state & OUTCOME) == NORMAL;
    }

    /** What the task threw, if it completed so (for the agent that ran it); else null. */
    Throwable failure() {
        return (state & OUTCOME) == EXCEPTIONAL ? (Throwable) outcome : null;
    }

    @Override
    Object userTask() {
        return this;
    }

    /** Whether the task waits in a queue, unclaimed and not cancelled. */
    boolean isQueued() {
        return state == TaskClaim.QUEUED;
    }

    /** A thread that waits for this future takes the task to run it itself, outside its queue. */
    boolean tryStartByWaiter() {
        return state == TaskClaim.QUEUED && STATE.compareAndSet(this, TaskClaim.QUEUED, TaskClaim.RUN_BY_WAITER);
    }

    @SuppressWarnings("unchecked")
    private V report(int s) throws ExecutionException {
        int how = s & OUTCOME;
        if (how == NORMAL) {
            return (V) outcome;
        }
        if (how == EXCEPTIONAL) {
            throw new ExecutionException((Throwable) outcome);
        }
        throw new CancellationException();
    }

    // ================================================================ waiting

    /**
     * A thread of the owning scheduler runs work while it waits — this task if it is still queued,
     * else its own queued tasks or stolen ones — and blocks only when there is nothing to run (see
     * {@link HelpingWait}); any other thread blocks.
     */
    @Override
    public V get() throws InterruptedException, ExecutionException {
        int s = state;
        if ((s & OUTCOME) == 0) {
            HelpingWait.awaitDone(this);
            s = state;
            if ((s & OUTCOME) == 0) {
                blocker().await();
                s = state;
            }
        }
        return report(s);
    }

    /** As {@link #get()}, within the time limit. */
    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        int s = state;
        if ((s & OUTCOME) == 0) {
            long left = HelpingWait.awaitDone(this, unit.toNanos(timeout));
            s = state;
            if ((s & OUTCOME) == 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (left <= 0L || !blocker().await(left, TimeUnit.NANOSECONDS)) {
                    s = state;
                    if ((s & OUTCOME) == 0) {
                        throw new TimeoutException();
                    }
                }
                s = state;
            }
        }
        return report(s);
    }

    /** The latch a thread that cannot help blocks on; counted down once the task is done. */
    private CountDownLatch blocker() {
        CountDownLatch b = blocked;
        if (b == null) {
            b = new CountDownLatch(1);
            if (!BLOCKED.compareAndSet(this, null, b)) {
                b = blocked;
            } else if ((state & OUTCOME) != 0) {
                b.countDown();  // completed() may have read `blocked` before it was set
            }
        }
        return b;
    }

    /**
     * Takes the waiter slot for {@code thread}. The caller re-checks {@link #isDone()} after this
     * and before parking (see the design overview).
     */
    boolean tryAddWaiter(Thread thread) {
        return waiter == null && WAITER.compareAndSet(this, null, thread);
    }

    void removeWaiter(Thread thread) {
        WAITER.compareAndSet(this, thread, null);
    }

    // ================================================================ the CompletableFuture view

    @Override
    public CompletableFuture<V> toCompletableFuture() {
        CompletableFuture<V> v = view;
        if (v != null) {
            return v;
        }
        v = new View<>(this);
        if (!VIEW.compareAndSet(this, null, v)) {
            return view;
        }
        if (isDone()) {
            // completed() may have run before the view was published and missed it
            completeView(v);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private void completeView(CompletableFuture<V> v) {
        int how = state & OUTCOME;
        if (how == NORMAL) {
            v.complete((V) outcome);
        } else if (how == EXCEPTIONAL) {
            v.completeExceptionally((Throwable) outcome);
        } else {
            v.cancel(false);
        }
    }

    @Override
    public String toString() {
        int how = state & OUTCOME;
        String status;
        if (how == 0) {
            Object task = callable != null ? callable : runnable;
            status = "Not completed" + (task == null ? "" : ", task = " + task);
        } else if (how == NORMAL) {
            status = "Completed normally";
        } else if (how == EXCEPTIONAL) {
            status = "Completed exceptionally: " + outcome;
        } else {
            status = "Cancelled";
        }
        return "TaskFuture[" + status + ", " + options + "]";
    }

    /** The CompletableFuture view: cancelling it cancels the task. */
    private static final class View<V> extends CompletableFuture<V> {
        private final TaskFutureImpl<V> task;

        View(TaskFutureImpl<V> task) {
            this.task = task;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                task.cancel(false);
            }
            return cancelled;
        }

        @Override
        public V get() throws InterruptedException, ExecutionException {
            if (!isDone()) {
                HelpingWait.awaitDone(task);
            }
            return super.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            if (isDone()) {
                return super.get(timeout, unit);
            }
            return super.get(HelpingWait.awaitDone(task, unit.toNanos(timeout)), TimeUnit.NANOSECONDS);
        }

        @Override
        public V join() {
            if (!isDone()) {
                HelpingWait.awaitDoneUninterruptibly(task);
            }
            return super.join();
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
