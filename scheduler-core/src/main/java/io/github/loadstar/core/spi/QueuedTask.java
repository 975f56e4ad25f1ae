package io.github.loadstar.core.spi;

import io.github.loadstar.core.TaskOptions;

/**
 * A task waiting in a {@link Backlog}, as an ordering policy sees it.
 *
 * <p>The runtime stamps every task with its submission time when an ordering policy other than
 * FIFO is in use, so {@link #submitNanos()} and {@link #deadlineNanos()} are always valid there.
 * Times are {@link System#nanoTime()} values (or the simulator's virtual clock): compare them by the
 * sign of their difference ({@code a - b < 0}), never with {@code <} directly.
 *
 * <p>The two <em>policy slots</em> belong to the backlog that holds the task: a policy may store a
 * key it computed once at enqueue (a virtual finish tag, a level) and the node of its own structure
 * there, so that it allocates nothing beyond the task. The runtime never reads them.
 * {@link AbstractQueuedTask} keeps them in fields, for tasks of one's own (a simulator's, a test's).
 */
public interface QueuedTask {

    /** The options the task was submitted with. */
    TaskOptions options();

    /** When the task was submitted. */
    long submitNanos();

    /** The absolute deadline ({@code submitNanos() + options().relativeDeadlineNanos()}); valid only if {@link #hasDeadline()}. */
    default long deadlineNanos() {
        return submitNanos() + options().relativeDeadlineNanos();
    }

    /** Whether the task has a deadline. */
    default boolean hasDeadline() {
        return options().hasDeadline();
    }

    /** The policy's numeric slot (0 until the policy writes it). */
    long policyKey();

    /** Sets the policy's numeric slot. */
    void policyKey(long key);

    /** The policy's object slot (null until the policy writes it). */
    Object policyNode();

    /** Sets the policy's object slot. */
    void policyNode(Object node);
}
