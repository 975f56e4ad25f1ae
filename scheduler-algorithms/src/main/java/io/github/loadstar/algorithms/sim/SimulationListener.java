package io.github.loadstar.algorithms.sim;

/** Observes a simulation, event by event, on the virtual clock. Every method defaults to nothing. */
public interface SimulationListener {

    /** {@code task} arrived and was offered to a backlog. */
    default void onArrival(SimTask task, long now) {
    }

    /** {@code agent} starts running {@code task} (first run or resumption) at {@code now}. */
    default void onDispatch(int agent, SimTask task, long now) {
    }

    /** {@code task} ran {@code ranNanos} on {@code agent} and stopped (completed, preempted or out of slice). */
    default void onRun(int agent, SimTask task, long ranNanos, long now) {
    }

    /** {@code task} completed. */
    default void onComplete(SimTask task, long now) {
    }
}
