package io.github.loadstar.core.spi;

/**
 * A {@link QueuedTask} that keeps the two policy slots in fields: the base of every task the
 * runtime queues, and a convenient one for a simulator's or a test's own tasks. A subclass supplies
 * {@link #options()} and {@link #submitNanos()}.
 *
 * <p>The slots are plain fields: a backlog reads and writes them only while it holds the task, under
 * whatever makes its own structure safe (its lock, or its owner thread), and the runtime never reads
 * them.
 */
public abstract class AbstractQueuedTask implements QueuedTask {
    private long policyKey;
    private Object policyNode;

    /** For subclasses. */
    protected AbstractQueuedTask() {
    }

    @Override
    public final long policyKey() {
        return policyKey;
    }

    @Override
    public final void policyKey(long key) {
        policyKey = key;
    }

    @Override
    public final Object policyNode() {
        return policyNode;
    }

    @Override
    public final void policyNode(Object node) {
        policyNode = node;
    }
}
