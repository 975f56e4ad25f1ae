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

/**
 * A submitted task with a result: the JDK's {@link FutureTask} (its cancellation and interrupt
 * handshake, its waiters) plus what the scheduler needs — the options, a {@linkplain TaskClaim
 * claim}, a latency timestamp, the failure for the agent's accounting, the slots an ordering
 * policy may use, and a lazily created {@link CompletableFuture} view.
 *
 * @param <V> the result type
 */
final class TaskFutureImpl<V> extends FutureTask<V> implements TaskFuture<V>, QueuedTask {
    private static final VarHandle CLAIM;
    private static final VarHandle VIEW;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLAIM = lookup.findVarHandle(TaskFutureImpl.class, "claim", int.class);
            VIEW = lookup.findVarHandle(TaskFutureImpl.class, "view", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final TaskOptions options;
    /** Submission time (System.nanoTime); 0 when the task was not timed. */
    long submitNanos;
    /** What the task threw, for the agent that ran it (written and read by that thread). */
    Throwable failure;
    private long policyKey;
    private Object policyNode;
    private volatile int claim;
    private volatile CompletableFuture<V> view;

    TaskFutureImpl(Callable<V> callable, TaskOptions options) {
        super(callable);
        this.options = options;
    }

    TaskFutureImpl(Runnable runnable, V result, TaskOptions options) {
        super(runnable, result);
        this.options = options;
    }

    void stamp(long nanos) {
        submitNanos = nanos == 0 ? 1 : nanos;
    }

    boolean stamped() {
        return submitNanos != 0;
    }

    boolean tryStart() {
        return claim == TaskClaim.QUEUED && CLAIM.compareAndSet(this, TaskClaim.QUEUED, TaskClaim.STARTED);
    }

    boolean tryClaim(int state) {
        return CLAIM.compareAndSet(this, TaskClaim.QUEUED, state);
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

    /** Completes the task exceptionally without running it (it was claimed as rejected). */
    void failWith(Throwable t) {
        setException(t);
    }

    @Override
    protected void setException(Throwable t) {
        failure = t;
        super.setException(t);
    }

    @Override
    protected void done() {
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
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
