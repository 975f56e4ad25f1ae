package io.github.loadstar.core.spi;

/**
 * A circuit breaker guarding one agent, as the runtime uses it. {@code scheduler-algorithms}
 * provides one ({@code CircuitBreakers.perAgent(config)}); the runtime calls it from the agent's
 * own thread for every task, so a CLOSED breaker must answer without locks, allocation or clock
 * reads.
 *
 * <p>Per task the runtime calls {@link #tryAcquire()}; with a permit it runs the task and reports
 * {@link #onSuccess} or {@link #onFailure} with the task's run time (slow calls count against the
 * agent), or {@link #release} if the task was cancelled. Without one, the task goes elsewhere (or,
 * if pinned, waits or fails) and the agent stops taking work until {@link #admitsWork()} again.
 * The outcome is reported just <em>after</em> the task's future has completed (the future is
 * completed inside the task's run), so a breaker's state can trail a future by a moment.
 */
public interface AgentBreaker {
    /** What {@link #tryAcquire()} returns when the agent may not run a task now. */
    long NOT_PERMITTED = -1L;

    /** A permit to run one task on the agent, or {@link #NOT_PERMITTED}. May read the clock when not closed. */
    long tryAcquire();

    /** The task under {@code permit} returned normally after {@code runNanos}. */
    void onSuccess(long permit, long runNanos);

    /** The task under {@code permit} threw {@code error} after {@code runNanos}. */
    void onFailure(long permit, long runNanos, Throwable error);

    /** The permit was not used (the task was cancelled, or never ran). */
    void release(long permit);

    /**
     * Whether the agent should receive new work: false while open, true when closed or half-open.
     * Read often by placement, so it must be cheap; it changes only at transitions.
     */
    boolean admitsWork();

    /**
     * How long until an open breaker lets trials through: 0 if it is not open or the time has come,
     * {@link Long#MAX_VALUE} if it was forced open and will not reopen by itself. Measured on the
     * breaker's own clock.
     */
    long nanosUntilTrials();

    /** The current state's name (CLOSED, OPEN, HALF_OPEN, ...), for metrics and logs. */
    String state();

    /** Registers the runtime's observer of transitions; called once, before the agent starts. */
    void onTransition(TransitionObserver observer);

    /** Observes an {@link AgentBreaker}'s transitions. */
    @FunctionalInterface
    interface TransitionObserver {
        /** The breaker moved from {@code from} to {@code to}. Called on the thread that caused it. */
        void transitioned(String from, String to, String reason);
    }
}
