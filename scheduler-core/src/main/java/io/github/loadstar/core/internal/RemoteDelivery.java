package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.RemoteTask;

/*
 * One sending of a task to a remote agent's link (see RemoteAgent). The link reports it once, from
 * any thread: the report completes the task's future at once and queues the sending for the agent's
 * thread, which applies the accounting. A CAS on `settled` makes the report (or the agent's taking it
 * back) happen once; the report's fields are written before the queue's offer and read after its
 * poll, which orders them. A task sent again is a new sending with the same id.
 */

/** One sending of a task through a remote agent's link; see the overview in the source. */
final class RemoteDelivery implements RemoteTask {
    static final int COMPLETED = 1;
    static final int FAILED = 2;
    static final int NOT_DELIVERED = 3;
    private static final java.lang.invoke.VarHandle SETTLED;

    static {
        try {
            SETTLED = java.lang.invoke.MethodHandles.lookup().findVarHandle(RemoteDelivery.class, "settled", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final RemoteAgent through;
    final WrappedTask task;
    final String id;
    /** As its backlog held it (under an ordering policy), or null for a resend or FIFO. */
    final QueuedTask queued;
    final long token;
    long permit;
    boolean permitHeld;
    long sentNanos;
    boolean timedOut;
    /** Sent before (taken back, or not delivered): its start was accounted the first time. */
    boolean resent;
    private volatile int settled;
    // the report, published by the queue to the owner
    int kind;
    Throwable failure;
    long reportedNanos;

    RemoteDelivery(RemoteAgent through, WrappedTask task, String id, QueuedTask queued, long token) {
        this.through = through;
        this.task = task;
        this.id = id;
        this.queued = queued;
        this.token = token;
    }

    boolean settle() {
        return settled == 0 && SETTLED.compareAndSet(this, 0, 1);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Object body() {
        return task.body();
    }

    @Override
    public void completed(Object result) {
        report(COMPLETED, result, null);
    }

    @Override
    public void failed(Throwable failure) {
        report(FAILED, null, failure == null ? new IllegalStateException("failed without a cause") : failure);
    }

    @Override
    public void notDelivered(Throwable why) {
        report(NOT_DELIVERED, null, why);
    }

    private void report(int how, Object result, Throwable error) {
        if (!settle()) {
            return;     // reported or taken back already
        }
        reportedNanos = System.nanoTime();
        if (how != NOT_DELIVERED) {
            RemoteAgent.complete(task, result, error);      // the future completes here, whatever the agent does
        }
        kind = how;
        failure = error;
        through.reported.add(this);
        through.wake();
    }

    @Override
    public String toString() {
        return "RemoteTask[" + id + " via " + through.location + "]";
    }
}
