package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.QueuedTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A submitted task with a result: the JDK's {@link FutureTask} (its cancellation and interrupt
 * handshake, its waiters) plus what the scheduler needs — the options, a {@linkplain TaskClaim
 * claim}, a latency timestamp, the failure for the agent's accounting, the slots an ordering
 * policy may use, and a lazily created {@link CompletableFuture} view.
 *
 * @param <V> the result type
 */
final class TaskFutureImpl<V> extends FutureTask<V> implements TaskFuture<V>, QueuedTask, WrappedTask {
    private static final VarHandle CLAIM;
    private static final VarHandle VIEW;
    private static final VarHandle WAITER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLAIM = lookup.findVarHandle(TaskFutureImpl.class, "claim", int.class);
            VIEW = lookup.findVarHandle(TaskFutureImpl.class, "view", CompletableFuture.class);
            WAITER = lookup.findVarHandle(TaskFutureImpl.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final TaskOptions options;
    /** The scheduler this future was made by: its threads may run the task while they wait for it. */
    final LoadstarScheduler owner;
    /** Submission time (System.nanoTime); 0 when the task was not timed. */
    long submitNanos;
    /** What the task threw, for the agent that ran it (written and read by that thread). */
    Throwable failure;
    private long policyKey;
    private Object policyNode;
    private volatile int claim;
    private volatile CompletableFuture<V> view;
    /**
     * A thread of the scheduler that helps while it waits for this future and sleeps between looks
     * for work; done() unparks it. One slot: further such waiters block in FutureTask's own queue.
     */
    private volatile Thread waiter;

    TaskFutureImpl(Callable<V> callable, TaskOptions options, LoadstarScheduler owner) {
        super(callable);
        this.options = options;
        this.owner = owner;
    }

    TaskFutureImpl(Runnable runnable, V result, TaskOptions options, LoadstarScheduler owner) {
        super(runnable, result);
        this.options = options;
        this.owner = owner;
    }

    @Override
    public void stamp(long nanos) {
        submitNanos = nanos == 0 ? 1 : nanos;
    }

    @Override
    public boolean stamped() {
        return submitNanos != 0;
    }

    @Override
    public boolean tryStart() {
        return claim == TaskClaim.QUEUED && CLAIM.compareAndSet(this, TaskClaim.QUEUED, TaskClaim.STARTED);
    }

    @Override
    public boolean tryClaim(int state) {
        return CLAIM.compareAndSet(this, TaskClaim.QUEUED, state);
    }

    @Override
    public Object userTask() {
        return this;
    }

    /** The future fails with {@code why}: its caller learns it through get(). */
    @Override
    public void rejectClaimed(RejectedExecutionException why) {
        setException(why);
    }

    /** Whether no thread has claimed the task yet (it waits in a queue, perhaps cancelled). */
    boolean isQueued() {
        return claim == TaskClaim.QUEUED;
    }

    /** A thread that waits for this future takes the task to run it itself, outside its queue. */
    boolean tryStartByWaiter() {
        return claim == TaskClaim.QUEUED && CLAIM.compareAndSet(this, TaskClaim.QUEUED, TaskClaim.RUN_BY_WAITER);
    }

    @Override
    public boolean runByWaiter() {
        return claim == TaskClaim.RUN_BY_WAITER;
    }

    /** Finished and neither cancelled nor failed. */
    boolean completedNormally() {
        return isDone() && !isCancelled() && failure == null;
    }

    /**
     * Takes the waiter slot for {@code thread}. The caller re-checks {@link #isDone()} after this
     * and before parking: the slot write and that read, against the completer's state CAS and its
     * read of the slot in done(), are sequentially consistent, so either the waiter sees the task
     * done or the completer sees the waiter and unparks it.
     */
    boolean tryAddWaiter(Thread thread) {
        return waiter == null && WAITER.compareAndSet(this, null, thread);
    }

    void removeWaiter(Thread thread) {
        WAITER.compareAndSet(this, thread, null);
    }

    /**
     * As FutureTask's, but a thread of the owning scheduler runs work while it waits — this task if
     * it is still queued, else its own queued tasks or stolen ones — and blocks only when there is
     * nothing to run (see {@link HelpingWait}).
     */
    @Override
    public V get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            HelpingWait.awaitDone(this);
        }
        return super.get();
    }

    /** As {@link #get()}, within the time limit. */
    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (isDone()) {
            return super.get(timeout, unit);
        }
        return super.get(HelpingWait.awaitDone(this, unit.toNanos(timeout)), TimeUnit.NANOSECONDS);
    }

    @Override
    public TaskOptions options() {
        return options;
    }

    @Override
    public long submitNanos() {
        return submitNanos;
    }

    @Override
    public long policyKey() {
        return policyKey;
    }

    @Override
    public void policyKey(long key) {
        policyKey = key;
    }

    @Override
    public Object policyNode() {
        return policyNode;
    }

    @Override
    public void policyNode(Object node) {
        policyNode = node;
    }

    @Override
    protected void setException(Throwable t) {
        failure = t;
        super.setException(t);
    }

    @Override
    protected void done() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        CompletableFuture<V> v = view;
        if (v != null) {
            completeView(v);
        }
    }

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
            // done() may have run before the view was published and missed it
            completeView(v);
        }
        return v;
    }

    private void completeView(CompletableFuture<V> v) {
        if (isCancelled()) {
            v.cancel(false);
            return;
        }
        try {
            v.complete(get());
        } catch (ExecutionException e) {
            v.completeExceptionally(e.getCause());
        } catch (InterruptedException e) {
            // unreachable: the task is done, so get() does not wait
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TaskFuture[" + super.toString() + ", " + options + "]";
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
