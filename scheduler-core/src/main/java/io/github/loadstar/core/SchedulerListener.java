package io.github.loadstar.core;

/**
 * Receives a scheduler's events. Every method has an empty default, so a listener overrides only
 * what it needs.
 *
 * <p>Per-task events ({@code onSubmitted} … {@code onMigrated}) are delivered synchronously on the
 * thread that caused them: the submitter, the agent that runs the task, or the thief. They must be
 * fast and must not block. An exception thrown by a listener is caught and counted in
 * {@code metrics().listenerErrors()}; it never reaches the task or the agent. With no listener
 * registered the runtime makes none of these calls and reads no clock for them.
 *
 * <p>A task is identified by the object the caller handed in: the {@code Runnable} given to
 * {@code execute}, or the {@link TaskFuture} returned by {@code submit}.
 *
 * <p><b>Order.</b> Events of one task from one thread come in the order the thread caused them, but
 * threads race: {@code onSubmitted} is sent by the submitter <em>after</em> the task is queued (so
 * that it is never sent for a task that was then rejected), and an agent may start, and even finish,
 * the task before it arrives. {@code onCompleted} and {@code onFailed} are sent after the task's
 * future has completed and after the agent's breaker has been told the outcome; so is any
 * {@code onBreakerTransition} the outcome caused. A caller that waits on a future and then looks at
 * the listener's record, the breaker or the metrics may have to wait a moment longer (or shut the
 * scheduler down and await termination, after which everything has been delivered).
 */
public interface SchedulerListener {

    /** A task was accepted from outside the scheduler and queued on {@code agent} (-1: the shared queue). */
    default void onSubmitted(Object task, TaskOptions options, int agent) {
    }

    /** {@code agent} is about to run {@code task}. */
    default void onStarted(Object task, int agent) {
    }

    /** {@code task} returned normally after running for {@code runNanos}. */
    default void onCompleted(Object task, int agent, long runNanos) {
    }

    /** {@code task} threw {@code error}. */
    default void onFailed(Object task, int agent, Throwable error) {
    }

    /** {@code thief} took {@code tasks} tasks from {@code victim} in one steal. */
    default void onStolen(int thief, int victim, int tasks) {
    }

    /**
     * {@code task} moved from agent {@code from} to agent {@code to} to relieve it — stolen while
     * {@code from} was inside a task with more work queued — or to the shared queue ({@code to} = -1)
     * because {@code from}'s circuit breaker refused it. Other steals are reported by
     * {@link #onStolen} only (see {@link io.github.loadstar.core.metrics.SchedulerMetrics#migrations()}).
     */
    default void onMigrated(Object task, int from, int to) {
    }

    /** The circuit breaker of {@code agent} moved from {@code from} to {@code to}. */
    default void onBreakerTransition(int agent, String from, String to, String reason) {
    }

    /**
     * The thread of {@code agent} died of {@code cause} and {@code replacement} took over its queued
     * work ({@code replacement} is null if no thread could be created and the old one carries on).
     */
    default void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
    }
}
