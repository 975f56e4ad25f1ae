package io.github.loadstar.algorithms.allocation;

import java.util.Arrays;
import java.util.SplittableRandom;

/*
 * A tabu search over shift moves with a penalised score and adaptive per-resource weights — the
 * improvement step of the genetic allocator (after Yagiura, Ibaraki and Glover's weights per
 * resource, and Díaz and Fernández's tabu search with strategic oscillation for the GAP).
 *
 * Score: objective + Σ over (dimension, agent) of weight[d, i] × excess[d, i] (+ weightC × the
 * constraints' violation). Each iteration makes the best shift (task j to another allowed agent) that
 * is not tabu — even a worsening one, which is what lets the search leave a local optimum — and
 * forbids moving j back to the agent it left for a random tenure. Aspiration: a tabu move is allowed
 * when it reaches a feasible state better than the best feasible one seen. After each move the
 * weight of every resource over its capacity grows by 10 % and every other one shrinks by 0.1 %
 * (never below a thousandth of the initial weight), so the search oscillates across the capacity boundary where tight optima
 * lie, and the resources that stay overloaded are the ones it learns to respect.
 *
 * The state is left at the best feasible assignment visited (or, if none was, where the search
 * ended); the caller follows with a lexicographic descent, which repairs and polishes. The weights
 * live as long as the search object, so what one run learns about the resources carries to the
 * next (the genetic allocator keeps one per allocation); the tabu entries expire between runs.
 *
 * Cost: an iteration evaluates every (task, allowed agent) pair, O(n × allowed × dimensions), plus
 * O(agents) per pair when the makespan is weighted and the constraints' cost when there are any;
 * nothing is allocated per iteration (the arrays are the search's own, reused across calls).
 */
final class TabuSearch {
    /*
     * A resource's weight grows 10 % per move while it is over capacity and shrinks 0.1 % per move while
     * it is not: at equilibrium a resource is over for about 1 % of the moves (ln 1.001 / (ln 1.1 +
     * ln 1.001)), so with tens of agents most visited states are feasible and the rest are near the
     * boundary. Equal rates (1 %/1 %) put each resource over half the time and, with 20 agents, nearly
     * no state feasible: measured on the 20-agent type D instances, 0.2 % of the moves feasible and
     * gaps of 8–9 % against 1.2–2.6 % with these rates.
     */
    private static final double UP = 1.1;
    private static final double DOWN = 1 / 1.001;

    private final AssignmentState s;
    private final Candidates c;
    private final int n;
    private final int m;
    private final double[] weight;      // [d * m + i], as AssignmentState.used
    private final long[] tabuUntil;     // [j * m + i]: no move of j to i before this iteration
    private final int[] best;
    private final double floor;
    private double constraintWeight;
    private long iteration;

    TabuSearch(AssignmentState s, Candidates c, double initialWeight) {
        this.s = s;
        this.c = c;
        this.n = s.n;
        this.m = s.m;
        this.weight = new double[s.dims * s.m];
        this.tabuUntil = new long[n * m];
        this.best = new int[n];
        this.floor = initialWeight / 1000;
        this.constraintWeight = initialWeight;
        Arrays.fill(weight, initialWeight);
    }

    /**
     * Makes {@code iterations} moves from the state's assignment (fewer if {@code deadline} passes),
     * then leaves the state at the best feasible assignment visited, if any.
     */
    void run(int iterations, SplittableRandom random, long deadline) {
        double bestObjective = Double.POSITIVE_INFINITY;
        boolean found = false;
        if (s.feasible()) {
            bestObjective = s.objective();
            System.arraycopy(s.agentOf, 0, best, 0, n);
            found = true;
        }
        int tenureBase = Math.max(3, m / 2);
        int tenureRange = Math.max(2, n / 10);
        iteration += tenureBase + tenureRange;     // the previous run's tabu entries have expired
        boolean constraints = s.violation > 0 || !s.p.constraints().isEmpty();
        for (int it = 0; it < iterations; it++) {
            if ((it & 15) == 0 && System.nanoTime() - deadline > 0) {
                break;
            }
            iteration++;
            double objNow = s.objective();
            int bestJ = -1;
            int bestTo = -1;
            double bestDelta = Double.POSITIVE_INFINITY;
            int ties = 0;
            for (int j = 0; j < n; j++) {
                int from = s.agentOf[j];
                for (int to : c.allowed[j]) {
                    if (to == from) {
                        continue;
                    }
                    double delta = s.objectiveAfterShift(j, to) - objNow + weightedExcessDelta(j, from, to);
                    double violation = 0;
                    if (constraints) {
                        violation = s.violationAfterShift(j, to);
                        delta += constraintWeight * (violation - s.violation);
                    }
                    if (tabuUntil[j * m + to] > iteration) {
                        boolean aspires = violation == 0 && s.excessAfterShift(j, to) == 0
                                && below(s.objectiveAfterShift(j, to), bestObjective);
                        if (!aspires) {
                            continue;
                        }
                    }
                    if (delta < bestDelta - 1e-12) {
                        bestDelta = delta;
                        bestJ = j;
                        bestTo = to;
                        ties = 1;
                    } else if (delta <= bestDelta + 1e-12 && random.nextInt(++ties) == 0) {
                        bestJ = j;
                        bestTo = to;
                    }
                }
            }
            if (bestJ < 0) {
                break;      // every move tabu: nothing to do
            }
            int from = s.agentOf[bestJ];
            s.shift(bestJ, bestTo);
            tabuUntil[bestJ * m + from] = iteration + tenureBase + random.nextInt(tenureRange);
            if (s.feasible()) {
                double obj = s.objective();
                if (below(obj, bestObjective)) {
                    bestObjective = obj;
                    System.arraycopy(s.agentOf, 0, best, 0, n);
                    found = true;
                }
            }
            adapt();
        }
        if (found) {
            s.set(best);
        }
    }

    /** Whether {@code value} is below {@code bound} by more than rounding ({@code bound} may be +∞). */
    private static boolean below(double value, double bound) {
        return bound == Double.POSITIVE_INFINITY ? value < bound : value < bound - 1e-9 * Math.max(1, Math.abs(bound));
    }

    /** The change in Σ weight × excess of the two agents' resources if task j moves from → to. */
    private double weightedExcessDelta(int j, int from, int to) {
        double e = 0;
        for (int d = 0; d < s.dims; d++) {
            int kf = d * m + from;
            int kt = d * m + to;
            double uf = s.used[kf];
            double ut = s.used[kt];
            e += weight[kf] * (s.over(kf, uf - s.demand[kf * n + j]) - s.overload[kf]);
            e += weight[kt] * (s.over(kt, ut + s.demand[kt * n + j]) - s.overload[kt]);
        }
        return e;
    }

    private void adapt() {
        for (int k = 0; k < weight.length; k++) {
            if (s.overload[k] > 0) {
                weight[k] = Math.min(1e15, weight[k] * UP);
            } else {
                weight[k] = Math.max(floor, weight[k] * DOWN);
            }
        }
        constraintWeight = s.violation > 0 ? Math.min(1e15, constraintWeight * UP) : Math.max(floor, constraintWeight * DOWN);
    }
}
