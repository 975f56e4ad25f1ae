package io.github.loadstar.core.allocation;

import java.util.List;

/**
 * What an allocator found.
 *
 * @param allocator  its name
 * @param status     what is known of the assignment
 * @param assignment {@code assignment[task]} = its agent; empty unless the status is
 *                   {@link Status#OPTIMAL} or {@link Status#FEASIBLE}
 * @param evaluation the assignment's objective values; null without an assignment
 * @param objective  the weighted objective of the assignment (NaN without one)
 * @param bound      a proven lower bound on the weighted objective, NaN if the allocator proves none
 * @param reasons    for {@link Status#INFEASIBLE}, the rules that conflict; for {@link Status#UNKNOWN},
 *                   why nothing was found; for a found assignment, notes on it (usually none)
 * @param elapsedNanos how long the allocation took
 * @param iterations the allocator's own count of its work (generations, nodes, …)
 */
public record Allocation(String allocator, Status status, int[] assignment, Evaluation evaluation, double objective,
                         double bound, List<String> reasons, long elapsedNanos, long iterations) {

    /** What is known of the result. */
    public enum Status {
        /** Feasible, and proven to minimise the weighted objective. */
        OPTIMAL,
        /** Feasible; not proven optimal. */
        FEASIBLE,
        /** Proven to have no feasible assignment; {@code reasons} says which rules conflict. */
        INFEASIBLE,
        /** No feasible assignment found within the budget, and none proven impossible. */
        UNKNOWN
    }

    public Allocation {
        assignment = assignment.clone();
        reasons = List.copyOf(reasons);
        if ((status == Status.OPTIMAL || status == Status.FEASIBLE) && (evaluation == null || !evaluation.feasible())) {
            throw new IllegalArgumentException("an allocation reported " + status + " must be feasible: "
                    + (evaluation == null ? "no evaluation" : evaluation.broken()));
        }
    }

    /** {@code assignment} as given (a copy). */
    @Override
    public int[] assignment() {
        return assignment.clone();
    }

    /** Whether an assignment that keeps every rule was found. */
    public boolean found() {
        return status == Status.OPTIMAL || status == Status.FEASIBLE;
    }

    /** A result with no assignment. */
    public static Allocation without(String allocator, Status status, List<String> reasons, long elapsedNanos,
                                     long iterations) {
        if (status == Status.OPTIMAL || status == Status.FEASIBLE) {
            throw new IllegalArgumentException("a result without an assignment cannot be " + status);
        }
        return new Allocation(allocator, status, new int[0], null, Double.NaN, Double.NaN, reasons, elapsedNanos,
                iterations);
    }

    @Override
    public String toString() {
        return allocator + ": " + status + (found() ? ", objective " + objective
                + (Double.isNaN(bound) ? "" : ", bound " + bound) : ", " + reasons)
                + String.format(java.util.Locale.ROOT, " in %.1f ms", elapsedNanos / 1e6);
    }
}
