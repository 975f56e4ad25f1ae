package io.github.loadstar.core.allocation;

/**
 * A rule an assignment must keep, beyond the agents' capacities: a value, open for users to write
 * their own (the built-in ones are in {@link Constraints}). Allocators treat every constraint as
 * hard: an assignment that breaks one is never returned as feasible.
 *
 * <p>An allocator asks {@link #allows} to rule pairs out before it searches, and
 * {@link #violation} to measure how far an assignment is from keeping the rule (it minimises the
 * total violation first, then the objective). Implementations are immutable and thread-safe.
 */
public interface AllocationConstraint {

    /** One line naming the rule and its tasks or agents, for results and error messages. */
    String describe();

    /**
     * How far {@code assignment} is from keeping the rule: 0 when it does, else a positive amount
     * (such as the number of tasks out of place); an allocator drives it to 0.
     */
    double violation(AllocationProblem problem, int[] assignment);

    /** Whether {@code task} may go to {@code agent} whatever the other tasks do (default: yes). */
    default boolean allows(AllocationProblem problem, int task, int agent) {
        return true;
    }

    /** A reason no assignment of {@code problem} can keep the rule, or null if none is evident. */
    default String provablyInfeasible(AllocationProblem problem) {
        return null;
    }

    /**
     * Checks the rule's task and agent indices against {@code problem} (when it is built).
     *
     * @throws IllegalArgumentException naming the index out of range
     */
    default void check(AllocationProblem problem) {
    }
}
