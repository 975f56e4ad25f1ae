package io.github.loadstar.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The result of a task submitted to a {@link Scheduler}.
 *
 * <p>{@link #cancel(boolean) cancel(true)} interrupts the task if it is running; a task cancelled
 * before it starts never runs. {@link #toCompletableFuture()} gives a view for composition; it is
 * created on first use, so a caller that only needs {@link #get()} pays nothing for it.
 *
 * @param <V> the result type
 */
public interface TaskFuture<V> extends Future<V> {

    /** The options the task was submitted with. */
    TaskOptions options();

    /**
     * A {@link CompletableFuture} completed with this task's outcome (its value, its exception,
     * or a {@link java.util.concurrent.CancellationException}). Always the same instance.
     * Cancelling the returned future cancels the task (without interrupting it); completing it
     * by any other means does not affect the task.
     */
    CompletableFuture<V> toCompletableFuture();
}
