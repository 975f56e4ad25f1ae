package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Evaluation;
import io.github.loadstar.core.allocation.Objective;
import java.util.List;
import java.util.Map;

/** Turns an allocator's best assignment into an {@link Allocation}, checked from scratch. */
final class Results {
    private Results() {
    }

    /**
     * The result for {@code best} (null if the allocator has none): evaluated again by the problem
     * itself; feasible → FEASIBLE, or OPTIMAL when it meets the lower bound; not feasible → UNKNOWN,
     * with what it breaks.
     */
    static Allocation of(String allocator, AllocationProblem p, AllocationRequest r, int[] best, long startNanos,
                         long iterations) {
        long elapsed = System.nanoTime() - startNanos;
        if (best == null) {
            return Allocation.without(allocator, Allocation.Status.UNKNOWN,
                    List.of("no assignment found within the budget"), elapsed, iterations);
        }
        Evaluation e = p.evaluate(best);
        if (!e.feasible()) {
            return Allocation.without(allocator, Allocation.Status.UNKNOWN,
                    List.of("no feasible assignment found (the best broke: " + String.join("; ", e.broken()) + ")"),
                    elapsed, iterations);
        }
        double objective = e.weighted(r.weights());
        double bound = lowerBound(p, r.weights());
        boolean optimal = !Double.isNaN(bound) && objective <= bound + 1e-9 * Math.max(1, Math.abs(bound));
        return new Allocation(allocator, optimal ? Allocation.Status.OPTIMAL : Allocation.Status.FEASIBLE, best, e,
                objective, bound, List.of(), elapsed, iterations);
    }

    /**
     * What every allocator checks first: null arguments refused (naming them), and a problem its own
     * quick checks prove infeasible answered at once with the conflicting rules; null to go on.
     */
    static Allocation refusedUpFront(String allocator, AllocationProblem p, AllocationRequest r, long startNanos) {
        java.util.Objects.requireNonNull(p, "problem");
        java.util.Objects.requireNonNull(r, "request");
        List<String> reasons = p.provablyInfeasible();
        return reasons.isEmpty() ? null : infeasible(allocator, reasons, startNanos);
    }

    /** A result proving infeasibility, with the conflicting rules. */
    static Allocation infeasible(String allocator, List<String> reasons, long startNanos) {
        return Allocation.without(allocator, Allocation.Status.INFEASIBLE, reasons, System.nanoTime() - startNanos, 0);
    }

    /**
     * A cheap lower bound, for one objective alone: total cost ≥ Σ each task's cheapest allowed
     * agent; makespan ≥ max(the longest task's shortest duration, Σ shortest durations / agents);
     * NaN for other objectives and for combinations.
     */
    static double lowerBound(AllocationProblem p, Map<Objective, Double> weights) {
        Objective only = null;
        for (Map.Entry<Objective, Double> w : weights.entrySet()) {
            if (w.getValue() > 0) {
                if (only != null) {
                    return Double.NaN;
                }
                only = w.getKey();
            }
        }
        if (only != Objective.TOTAL_COST && only != Objective.MAKESPAN) {
            return Double.NaN;
        }
        double weight = weights.get(only);
        double sum = 0;
        double longest = 0;
        for (int j = 0; j < p.tasks(); j++) {
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < p.agents(); i++) {
                if (p.allows(j, i)) {
                    min = Math.min(min, only == Objective.TOTAL_COST ? p.cost(j, i) : p.duration(j, i));
                }
            }
            sum += min;
            longest = Math.max(longest, min);
        }
        return weight * (only == Objective.TOTAL_COST ? sum : Math.max(longest, sum / p.agents()));
    }
}
