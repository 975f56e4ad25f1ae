package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocator;
import io.github.loadstar.core.allocation.Objective;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The baselines: quick constructions users can pick, and the genetic allocator's seeds. Each builds
 * an assignment, then improves it with shifts (a task to another agent that lowers the penalty or,
 * at the same penalty, the objective) until none helps, as Martello and Toth's MTHG does after its
 * greedy phase. A construction that leaves a task with no room is kept and the shifts try to repair
 * it; if they cannot, the result is {@code UNKNOWN}, never a broken assignment reported feasible.
 *
 * <p>A task's <em>desirability</em> on an agent (lower is better) is
 * {@code w_cost × cost + (w_makespan + w_variance + w_utilization) × duration} from the request's
 * weights: the cost where cost is weighted, the duration where only time is.
 */
public final class Baselines {
    private Baselines() {
    }

    /**
     * Greedy by regret (MTHG, Martello and Toth): while tasks are unplaced, for each, its best and
     * second-best agents by desirability among those with room left; place the task whose regret
     * (second best − best) is largest on its best agent. O(n² m).
     */
    public static Allocator regretGreedy() {
        return new Construction("regret-greedy", Baselines::regret);
    }

    /**
     * Longest processing time first (Graham's LPT, for makespan): tasks by their shortest duration,
     * longest first, each to the allowed agent with room where it would finish earliest. O(n log n + n m).
     */
    public static Allocator lpt() {
        return new Construction("lpt", Baselines::lpt);
    }

    /** Each task to the next agent in turn that allows it and has room (first fit from the turn). O(n m). */
    public static Allocator roundRobin() {
        return new Construction("round-robin", Baselines::roundRobin);
    }

    interface Build {
        int[] build(AssignmentInputs in);
    }

    /** What a construction reads. */
    record AssignmentInputs(AllocationProblem p, Candidates c, double wCost, double wTime) {
        double desirability(int j, int i) {
            return wCost * p.cost(j, i) + wTime * p.duration(j, i);
        }

        boolean fits(double[] used, int j, int i) {
            for (int d = 0; d < p.dimensions(); d++) {
                if (used[d * p.agents() + i] + p.demand(j, i, d) > p.capacity(i, d) * (1 + 1e-12)) {
                    return false;
                }
            }
            return true;
        }

        void place(double[] used, int j, int i) {
            for (int d = 0; d < p.dimensions(); d++) {
                used[d * p.agents() + i] += p.demand(j, i, d);
            }
        }

        /** Of the allowed agents, the one with the least total excess if {@code j} went there. */
        int leastOver(double[] used, int j) {
            int best = c.allowed[j][0];
            double bestOver = Double.POSITIVE_INFINITY;
            for (int i : c.allowed[j]) {
                double over = 0;
                for (int d = 0; d < p.dimensions(); d++) {
                    over += Math.max(0, used[d * p.agents() + i] + p.demand(j, i, d) - p.capacity(i, d));
                }
                if (over < bestOver) {
                    bestOver = over;
                    best = i;
                }
            }
            return best;
        }
    }

    static AssignmentInputs inputs(AllocationProblem p, Candidates c, AllocationRequest r) {
        double wCost = r.weights().getOrDefault(Objective.TOTAL_COST, 0.0);
        double wTime = r.weights().getOrDefault(Objective.MAKESPAN, 0.0)
                + r.weights().getOrDefault(Objective.LOAD_VARIANCE, 0.0)
                + r.weights().getOrDefault(Objective.UTILIZATION, 0.0);
        return new AssignmentInputs(p, c, wCost, wTime);
    }

    static int[] regret(AssignmentInputs in) {
        AllocationProblem p = in.p();
        int n = p.tasks();
        int[] agentOf = new int[n];
        boolean[] placed = new boolean[n];
        double[] used = new double[p.dimensions() * p.agents()];
        for (int step = 0; step < n; step++) {
            int pick = -1;
            int pickAgent = -1;
            double pickRegret = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (placed[j]) {
                    continue;
                }
                double best = Double.POSITIVE_INFINITY;
                double second = Double.POSITIVE_INFINITY;
                int bestAgent = -1;
                for (int i : in.c().allowed[j]) {
                    if (!in.fits(used, j, i)) {
                        continue;
                    }
                    double f = in.desirability(j, i);
                    if (f < best) {
                        second = best;
                        best = f;
                        bestAgent = i;
                    } else if (f < second) {
                        second = f;
                    }
                }
                double regret = bestAgent < 0 ? Double.POSITIVE_INFINITY      // no room anywhere: place it now
                        : second == Double.POSITIVE_INFINITY ? Double.MAX_VALUE : second - best;
                if (regret > pickRegret) {
                    pickRegret = regret;
                    pick = j;
                    pickAgent = bestAgent;
                }
            }
            if (pickAgent < 0) {
                pickAgent = in.leastOver(used, pick);
            }
            placed[pick] = true;
            agentOf[pick] = pickAgent;
            in.place(used, pick, pickAgent);
        }
        return agentOf;
    }

    static int[] lpt(AssignmentInputs in) {
        AllocationProblem p = in.p();
        int n = p.tasks();
        int m = p.agents();
        Integer[] order = new Integer[n];
        double[] size = new double[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
            double min = Double.POSITIVE_INFINITY;
            for (int i : in.c().allowed[j]) {
                min = Math.min(min, p.duration(j, i));
            }
            size[j] = min;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(size[b], size[a]) != 0 ? Double.compare(size[b], size[a])
                : Integer.compare(a, b));
        double[] load = new double[m];
        double[] used = new double[p.dimensions() * m];
        int[] agentOf = new int[n];
        for (int j : order) {
            int best = -1;
            double finish = Double.POSITIVE_INFINITY;
            for (int i : in.c().allowed[j]) {
                double f = load[i] + p.duration(j, i);
                if (in.fits(used, j, i) && (f < finish || (f == finish && in.desirability(j, i) < in.desirability(j, best)))) {
                    finish = f;
                    best = i;
                }
            }
            if (best < 0) {
                best = in.leastOver(used, j);
            }
            agentOf[j] = best;
            load[best] += p.duration(j, best);
            in.place(used, j, best);
        }
        return agentOf;
    }

    static int[] roundRobin(AssignmentInputs in) {
        AllocationProblem p = in.p();
        int n = p.tasks();
        int m = p.agents();
        double[] used = new double[p.dimensions() * m];
        int[] agentOf = new int[n];
        int turn = 0;
        for (int j = 0; j < n; j++) {
            int chosen = -1;
            for (int k = 0; k < m && chosen < 0; k++) {
                int i = (turn + k) % m;
                if (in.c().allows(j, i) && in.fits(used, j, i)) {
                    chosen = i;
                }
            }
            if (chosen < 0) {
                chosen = in.leastOver(used, j);
            }
            agentOf[j] = chosen;
            in.place(used, j, chosen);
            turn = (chosen + 1) % m;
        }
        return agentOf;
    }

    /** A construction followed by shifts, behind the {@link Allocator} SPI. */
    static final class Construction implements Allocator {
        private final String name;
        private final Build build;

        Construction(String name, Build build) {
            this.name = name;
            this.build = build;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Allocation allocate(AllocationProblem p, AllocationRequest r) {
            long start = System.nanoTime();
            Allocation refused = Results.refusedUpFront(name, p, r, start);
            if (refused != null) {
                return refused;
            }
            Candidates c = new Candidates(p);
            int[] assignment = build.build(inputs(p, c, r));
            AssignmentState s = new AssignmentState(p, r.weights());
            s.set(assignment);
            LocalSearch.descend(s, c, new SplittableRandom(r.seed()), start + r.timeBudget().toNanos(), false);
            return Results.of(name, p, r, s.agentOf.clone(), start, 1);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
