package io.github.loadstar.core.allocation;

/**
 * Places a batch of tasks on agents: the SPI behind the genetic allocator, the exact (CP-SAT) one
 * and the baselines (in {@code scheduler-algorithms}), found by name with {@link Allocators}.
 *
 * <p>Contract, checked by one contract test for every implementation: a result reported
 * {@link Allocation.Status#OPTIMAL} or {@link Allocation.Status#FEASIBLE} keeps every capacity and
 * every constraint (the {@link Allocation} record refuses anything else);
 * {@link Allocation.Status#INFEASIBLE} only with the conflicting rules named; the time budget is
 * kept (within the allocator's check interval), cancellation is honoured, and an exception from the
 * progress callback propagates to the caller.
 */
public interface Allocator {

    /** The registered name ({@code genetic}, {@code cp-sat}, {@code regret-greedy}, …). */
    String name();

    /**
     * Allocates.
     *
     * @throws NullPointerException if an argument is null
     */
    Allocation allocate(AllocationProblem problem, AllocationRequest request);
}
