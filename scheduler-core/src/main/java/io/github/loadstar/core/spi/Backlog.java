package io.github.loadstar.core.spi;

/**
 * The waiting tasks of one agent (or of the whole scheduler, in
 * {@link io.github.loadstar.core.OrderingScope#GLOBAL GLOBAL} scope), ordered by a policy.
 *
 * <h2>Threading</h2>
 * A backlog is not thread-safe and must not be: the runtime calls it from one thread at a time,
 * under the agent's claim (a thief that finds the claim taken moves on; it never waits), so an
 * implementation uses plain fields and plain collections.
 *
 * <h2>Time</h2>
 * Every call carries {@code now}, read once by the runtime (or advanced by the simulator); a policy
 * never reads a clock itself, and no comparator may depend on time or on mutable state.
 *
 * <h2>The runtime's calls</h2>
 * <pre>{@code
 * offer(task, now)                      a task arrives (from the agent's inbox, or stolen)
 * task = poll(now)                      the agent is free: the next task in policy order
 * onStart(task, now)                    ... it starts
 * onFinish(task, runNanos, now)         ... it ended after running runNanos
 * peek(now) / poll(now)                 a thief takes the head while it is movable
 * }</pre>
 * {@code onStart} and {@code onFinish} name only a task that this backlog's own {@code poll} gave
 * out to be started here — never a task taken by a thief (it is offered to the thief's backlog and
 * starts there), nor one this backlog never held — so a policy may trust the slots it wrote into the
 * task ({@link QueuedTask#policyNode()}, {@link QueuedTask#policyKey()}). A task that was running when
 * the scheduler's ordering policy was replaced is charged to neither policy.
 */
public interface Backlog {

    /** Adds a task. */
    void offer(QueuedTask task, long now);

    /** Removes and returns the task to run next, or null if the backlog is empty. */
    QueuedTask poll(long now);

    /** The task {@link #poll(long)} would return now, without removing it or changing any state. */
    QueuedTask peek(long now);

    /** The number of tasks held. */
    int size();

    /** The task returned by the last {@link #poll(long)} starts. Default: nothing. */
    default void onStart(QueuedTask task, long now) {
    }

    /**
     * The task finished (or, in the simulator's time-sliced mode, used up its slice) after running
     * {@code runNanos}: charge it. Default: nothing.
     */
    default void onFinish(QueuedTask task, long runNanos, long now) {
    }
}
