package io.github.loadstar.algorithms.allocation;

import java.util.SplittableRandom;

/*
 * Shift and swap descent on an AssignmentState: the memetic step of the genetic allocator and the
 * improvement phase of the baselines (MTHG's shifts). A move is taken when it makes the state
 * lexicographically better — less penalty (capacity excess + constraint violation), or the same
 * penalty and a lower objective — first improvement, tasks visited from a random start. Passes
 * repeat until one finds nothing or the deadline passes (checked every few hundred moves tried).
 * Only allowed agents are proposed (Candidates.allowed), so pair rules are never broken by a move.
 * The swap pass (O(n²)) skips what cannot win before reading the capacities: while capacity is
 * exceeded and the constraints hold, a swap between two agents both within capacity (it cannot lower
 * the excess); once feasible with the cost as the only objective, a swap that does not lower the
 * cost (O(1) to read).
 */
final class LocalSearch {
    private static final double EPS = 1e-9;

    private LocalSearch() {
    }

    static boolean better(double pen, double obj, double penNow, double objNow) {
        if (pen < penNow - EPS) {
            return true;
        }
        return pen <= penNow + EPS && obj < objNow - EPS * Math.max(1, Math.abs(objNow));
    }

    /** Descends with shifts, then swaps, until neither improves or {@code deadline} (nanoTime) passes. */
    static void descend(AssignmentState s, Candidates c, SplittableRandom random, long deadline, boolean swaps) {
        boolean improved = true;
        int tried = 0;
        while (improved) {
            improved = false;
            int start = random.nextInt(s.n);
            for (int step = 0; step < s.n; step++) {
                int j = start + step < s.n ? start + step : start + step - s.n;
                int[] agents = c.allowed[j];
                int best = -1;
                double bestPen = s.penalty();
                double bestObj = s.objective();
                for (int to : agents) {
                    if (to == s.agentOf[j]) {
                        continue;
                    }
                    double pen = s.excessAfterShift(j, to) + s.violationAfterShift(j, to);
                    if (pen > bestPen + EPS) {
                        continue;
                    }
                    double obj = s.objectiveAfterShift(j, to);
                    if (better(pen, obj, bestPen, bestObj)) {
                        best = to;
                        bestPen = pen;
                        bestObj = obj;
                    }
                }
                if (best >= 0) {
                    s.shift(j, best);
                    improved = true;
                }
                if (((++tried) & 255) == 0 && System.nanoTime() - deadline > 0) {
                    return;
                }
            }
            if (!improved && swaps) {
                improved = swapPass(s, c, random, deadline);
            }
        }
    }

    private static boolean swapPass(AssignmentState s, Candidates c, SplittableRandom random, long deadline) {
        boolean improved = false;
        int start = random.nextInt(s.n);
        int tried = 0;
        double penNow = s.penalty();
        double objNow = s.objective();     // O(agents) with the makespan weighted: read once per move made
        boolean costOnly = s.costOnly();
        for (int a = 0; a < s.n; a++) {
            int j = start + a < s.n ? start + a : start + a - s.n;
            for (int k = j + 1; k < s.n; k++) {
                int aj = s.agentOf[j];
                int ak = s.agentOf[k];
                if (aj == ak || !c.allows(j, ak) || !c.allows(k, aj)) {
                    continue;
                }
                double obj;
                if (penNow > 0 && s.violation == 0 && !s.overloaded(aj) && !s.overloaded(ak)) {
                    continue;       // repairing capacity: a swap between two agents within it cannot help
                }
                if (costOnly && penNow == 0) {
                    // feasible: only a cheaper swap can win, and the cost is O(1) to read, the capacities are not
                    obj = s.objectiveAfterSwap(j, k);
                    if (!(obj < objNow - EPS * Math.max(1, Math.abs(objNow)))) {
                        continue;
                    }
                }
                double excess = s.excessAfterSwap(j, k);
                if (excess > penNow + EPS) {
                    continue;       // a violation is never negative: the full penalty is at least this
                }
                double pen = excess + s.violationAfterSwap(j, k);
                obj = s.objectiveAfterSwap(j, k);
                if (better(pen, obj, penNow, objNow)) {
                    s.swap(j, k);
                    improved = true;
                    penNow = s.penalty();
                    objNow = s.objective();
                }
                if (((++tried) & 1023) == 0 && System.nanoTime() - deadline > 0) {
                    return improved;
                }
            }
        }
        return improved;
    }
}
