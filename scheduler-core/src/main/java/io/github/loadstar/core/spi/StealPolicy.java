package io.github.loadstar.core.spi;

/**
 * Chooses, for an agent that ran out of work, which agents to steal from and in what order.
 *
 * <p>Called by the searching agent's own thread; it must not allocate. The runtime then tries
 * the victims in the order given, taking a batch (up to half of a victim's stealable work, capped)
 * from the first that has any, and falls back to the shared injection queue.
 *
 * @see StealPolicies
 */
public interface StealPolicy {

    /**
     * Writes candidate victims into {@code victims}, best first.
     *
     * @param thief   the searching agent
     * @param loads   the agents' current loads
     * @param random  a uniformly random int drawn for this search
     * @param victims a buffer with room for {@code loads.agentCount()} indices
     * @return how many indices were written (the thief itself must not be among them)
     */
    int selectVictims(int thief, AgentLoads loads, int random, int[] victims);

    /** A short name for logs and reports. */
    String name();
}
