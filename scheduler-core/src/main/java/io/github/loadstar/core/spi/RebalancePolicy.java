package io.github.loadstar.core.spi;

/**
 * The coordinator's push path: every rebalancing interval it shows the policy each agent's queued
 * load, and the policy answers with moves — "take up to {@code tasks} movable tasks from agent
 * {@code from} to agent {@code to}". Stealing stays the fast pull path (an idle agent takes work);
 * rebalancing moves work off an overloaded agent before anyone is idle.
 *
 * <p>The coordinator carries a move out by ordering agent {@code to} to steal from {@code from} (so
 * every move goes through the runtime's steal path: pinned tasks never move, nothing is lost against
 * {@code shutdownNow}, and every moved task is counted and reported to listeners as a steal, and as
 * a migration when it relieved a busy agent). An agent carries out at most one order at a time; a
 * newer order replaces one not yet carried out.
 *
 * <p>Called on the coordinator's thread only, so an implementation may keep state between rounds
 * (hysteresis, its own tuning). It must not block; one that throws is counted in
 * {@code metrics().strategyErrors()} and that round moves nothing.
 */
public interface RebalancePolicy {

    /**
     * Plans this round's moves.
     *
     * @param loads  each agent's queued load now ({@link AgentLoads#load} is queued cost per unit
     *               of capacity, counted exactly for this round)
     * @param moves  where to put the moves
     */
    void plan(AgentLoads loads, Moves moves);

    /** The policy's short name ({@code off}, {@code threshold}). */
    String name();

    /**
     * How long after this round the next one comes, given the configured interval; a policy that
     * tunes its own period answers otherwise. The coordinator keeps the answer between 1 ms and 1 h.
     * Default: {@code configuredNanos}.
     */
    default long nextIntervalNanos(long configuredNanos) {
        return configuredNanos;
    }

    /** Whether this policy never moves anything (the coordinator then skips rebalancing). */
    default boolean isOff() {
        return false;
    }

    /** Where a policy writes its moves. */
    interface Moves {
        /**
         * Asks agent {@code to} to take up to {@code tasks} movable tasks from agent {@code from}.
         *
         * @throws IllegalArgumentException if an index is out of range, {@code from == to}, or
         *                                  {@code tasks} is not positive
         */
        void move(int from, int to, int tasks);
    }
}
