package io.github.loadstar.core.spi;

import io.github.loadstar.core.TaskOptions;

/**
 * Chooses the agent that receives a task submitted from outside the scheduler.
 *
 * <p>Called on the submitting thread for every movable external task, so an implementation must
 * be thread-safe, cheap and allocation-free. Tasks submitted from inside a task stay on the
 * current agent and pinned tasks go to their agent; neither reaches the placement policy.
 *
 * @see PlacementPolicies
 */
public interface PlacementPolicy {

    /** A result of {@link #place} that sends the task to the shared injection queue. */
    int ANY_AGENT = -1;

    /**
     * Picks an agent.
     *
     * @param options the task's options
     * @param loads   the agents' current loads
     * @param random  a uniformly random int drawn for this task (use its bits instead of drawing more)
     * @return an agent index in {@code [0, loads.agentCount())}, or {@link #ANY_AGENT}
     */
    int place(TaskOptions options, AgentLoads loads, int random);

    /** A short name for logs and reports. */
    String name();
}
