package io.github.loadstar.core.spi;

/**
 * A live, read-only view of the scheduler's agents that placement and steal policies decide on.
 *
 * <p>Every figure is read without locks while the agents run, so it is a recent estimate, not a
 * snapshot: two calls may disagree. Implementations are cheap (a few volatile reads) and never
 * allocate. Agent indices run from 0 to {@link #agentCount()} - 1.
 */
public interface AgentLoads {

    /** The number of agents. */
    int agentCount();

    /** Tasks waiting on the agent (its inbox, its deque and its policy backlog). */
    int backlog(int agent);

    /**
     * The agent's capacity: its relative speed, a positive number (1.0 by default). For a remote
     * agent it is the configured capacity times its measured speed among the remote agents, so it
     * changes as the member's tasks come back faster or slower.
     */
    double capacity(int agent);

    /** Queued cost per unit of capacity: the number placement balances. */
    double load(int agent);

    /**
     * Whether the agent takes new work now: false while its thread is being replaced, after it
     * retired, and while its circuit breaker (if any) is open.
     */
    boolean accepting(int agent);
}
