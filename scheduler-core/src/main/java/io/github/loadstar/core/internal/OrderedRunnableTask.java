package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.QueuedTask;

/**
 * A plain Runnable queued under an ordering policy: a {@link RunnableTask} with the policy's
 * slots. Only schedulers with a policy other than FIFO make these, so FIFO's wrapper stays small.
 */
final class OrderedRunnableTask extends RunnableTask implements QueuedTask {
    private long policyKey;
    private Object policyNode;

    OrderedRunnableTask(Runnable delegate, TaskOptions options) {
        super(delegate, options);
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
    public String toString() {
        return "OrderedRunnableTask[" + delegate + ", " + options + "]";
    }
}
