package io.github.loadstar.core.allocation;

/**
 * What an allocation is judged by. Over an assignment, agent {@code i}'s <em>load</em> is the sum of
 * the durations on {@code i} of the tasks given to it.
 */
public enum Objective {
    /** The largest load: when the last agent finishes (minimised). */
    MAKESPAN,
    /** Σ load / (agents × makespan), in [0, 1]: how busy the agents are until the makespan (maximised). */
    UTILIZATION,
    /** The population variance of the loads (minimised). */
    LOAD_VARIANCE,
    /** The sum of the tasks' costs on their agents (minimised). */
    TOTAL_COST;

    /** Whether a larger value is better (only {@link #UTILIZATION}). */
    public boolean maximised() {
        return this == UTILIZATION;
    }

    /** The value as something to minimise: the value, or 1 − it for {@link #UTILIZATION}. */
    public double asMinimised(double value) {
        return maximised() ? 1 - value : value;
    }
}
