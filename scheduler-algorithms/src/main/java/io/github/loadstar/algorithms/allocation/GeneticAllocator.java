package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocator;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/*
 * A memetic genetic algorithm for assignments (after Chu and Beasley 1997, with the shift-and-swap
 * local search the best GAP heuristics rely on).
 *
 * Encoding: an individual is int[n], task -> agent; genes only take the task's allowed agents
 * (Candidates), so pair rules hold by construction. Each individual carries its penalty (capacity
 * excess + constraint violation) and objective; individuals are ranked lexicographically by
 * (penalty, objective) — the fitness/unfitness pair, not a penalty weight, so capacity stays hard.
 *
 * Population: the baselines' assignments (regret greedy, LPT, round robin) and random allowed
 * assignments, each improved by local search; duplicates refused (hash, then a full compare).
 *
 * Steady state, one child per iteration: two parents by binary tournament; uniform crossover;
 * mutation reassigns `mutations` random genes to random allowed agents; the child is improved by a
 * short tabu search (TabuSearch: `tabuMoves` × n shifts on objective + Σ weight × excess, the weights
 * adapting per resource, so the child may cross the capacity boundary and come back — Yagiura,
 * Ibaraki and Glover's strategic oscillation) and then by LocalSearch (shifts, then swaps, compared
 * lexicographically — this is where infeasible children are repaired: a move that lowers the penalty
 * always wins); it replaces the worst member if it ranks above it and is not a duplicate. Stops on
 * the time budget, cancellation, `maxChildren`, `stagnation` children without a new best, or a best
 * that meets the lower bound (Results.lowerBound: then it is optimal).

 * Determinism: one SplittableRandom from the request's seed drives every choice, so a run stopped by
 * maxChildren or stagnation gives the same result for the same seed and problem; a run stopped by the
 * clock depends on how far it got.
 *
 * Cost: a child costs one crossover O(n), tabuMoves × n tabu moves of O(n × allowed agents) each, one
 * descent (a shift pass O(n × allowed agents), a swap pass O(n²); each move O(dimensions), O(agents)
 * when the makespan is weighted) and allocates nothing per move; the population's arrays are reused.
 */

/** The genetic allocator (registered as {@code genetic}); see the design overview in the source. */
public final class GeneticAllocator implements Allocator {
    private final GeneticConfig config;

    /** With the defaults ({@link GeneticConfig#defaults()}). */
    public GeneticAllocator() {
        this(GeneticConfig.defaults());
    }

    public GeneticAllocator(GeneticConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public String name() {
        return "genetic";
    }

    public GeneticConfig config() {
        return config;
    }

    @Override
    public Allocation allocate(AllocationProblem p, AllocationRequest r) {
        long start = System.nanoTime();
        Allocation refused = Results.refusedUpFront(name(), p, r, start);
        if (refused != null) {
            return refused;
        }
        long deadline = start + r.timeBudget().toNanos();
        Run run = new Run(p, r, deadline, start);
        run.populate();
        run.evolve();
        return Results.of(name(), p, r, run.bestAssignment(), start, run.children);
    }

    /**
     * The trade-off between {@code objectives}: the non-dominated feasible assignments found within
     * the request's budget by NSGA-II (non-dominated sorting with crowding distance; see
     * {@code ParetoSearch}), one per distinct vector of objective values, sorted by the first objective.
     * Each is an {@link Allocation} whose {@code objective} is the request's weighted value. When no
     * feasible assignment is found, a single result says why ({@code INFEASIBLE} or {@code UNKNOWN}).
     *
     * @throws IllegalArgumentException naming {@code objectives} if they are empty, repeated or null
     */
    public java.util.List<Allocation> paretoFront(AllocationProblem problem, AllocationRequest request,
                                                  java.util.List<io.github.loadstar.core.allocation.Objective> objectives) {
        return ParetoSearch.run(config, problem, request, objectives);
    }

    @Override
    public String toString() {
        return "genetic(" + config + ")";
    }

    /** One allocation's state. */
    private final class Run {
        final AllocationProblem p;
        final AllocationRequest r;
        final long deadline;
        final long start;
        final Candidates c;
        final SplittableRandom random;
        final AssignmentState work;
        final int n;
        final int size;
        final int[][] members;
        final double[] pen;
        final double[] obj;
        final long[] hash;
        int count;
        int best = -1;
        long children;
        final double bound;
        /** The tabu search on children (null: no finite capacity to cross, or tabuMoves 0). */
        TabuSearch tabu;
        int tabuMoves;

        Run(AllocationProblem p, AllocationRequest r, long deadline, long start) {
            this.p = p;
            this.r = r;
            this.deadline = deadline;
            this.start = start;
            this.c = new Candidates(p);
            this.random = new SplittableRandom(r.seed());
            this.work = new AssignmentState(p, r.weights());
            this.n = p.tasks();
            this.size = config.population();
            this.members = new int[size][n];
            this.pen = new double[size];
            this.obj = new double[size];
            this.hash = new long[size];
            this.bound = Results.lowerBound(p, r.weights());
        }

        boolean stop() {
            return System.nanoTime() - deadline > 0 || r.isCancelled() || atBound();
        }

        boolean atBound() {
            return best >= 0 && pen[best] == 0 && !Double.isNaN(bound)
                    && obj[best] <= bound + 1e-9 * Math.max(1, Math.abs(bound));
        }

        void populate() {
            Baselines.AssignmentInputs in = Baselines.inputs(p, c, r);
            int[][] seeds = {Baselines.regret(in), Baselines.lpt(in), Baselines.roundRobin(in)};
            double weight = initialWeight(seeds[0]);
            if (weight > 0 && config.tabuMoves() > 0) {
                tabu = new TabuSearch(work, c, weight);
                tabuMoves = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(config.tabuMoves() * n)));
            }
            for (int[] seed : seeds) {
                if (count < size) {
                    improveAndOffer(seed);
                }
            }
            int attempts = 0;
            int[] random = new int[n];
            while (count < size && !stop() && attempts++ < size * 20) {
                c.randomAssignment(this.random, random);
                improveAndOffer(random);
            }
        }

        /**
         * Improves {@code a} and adds it if it is new: a short tabu search on the penalised score, which
         * may cross the capacity boundary (TabuSearch), then a lexicographic descent that repairs and
         * polishes.
         */
        void improveAndOffer(int[] a) {
            work.set(a);
            if (tabu != null) {
                tabu.run(tabuMoves, random, deadline);
            }
            LocalSearch.descend(work, c, random, deadline, config.swaps());
            work.set(work.agentOf);     // a fresh sum: no drift from the incremental updates
            offer(work.agentOf, work.penalty(), work.objective());
        }

        void offer(int[] a, double penalty, double objective) {
            long h = hashOf(a);
            for (int k = 0; k < count; k++) {
                if (hash[k] == h && Arrays.equals(members[k], a)) {
                    return;
                }
            }
            int slot;
            if (count < size) {
                slot = count++;
            } else {
                slot = worst();
                if (!LocalSearch.better(penalty, objective, pen[slot], obj[slot])) {
                    return;
                }
            }
            // judged before the slot is overwritten: the worst member may be the best one (ties)
            boolean improved = best < 0 || LocalSearch.better(penalty, objective, pen[best], obj[best]);
            System.arraycopy(a, 0, members[slot], 0, n);
            pen[slot] = penalty;
            obj[slot] = objective;
            hash[slot] = h;
            if (improved) {
                best = slot;
                lastImprovement = children;
                r.report(new AllocationRequest.Progress(System.nanoTime() - start, children,
                        penalty == 0 ? objective : Double.NaN, penalty == 0));
            } else if (best == slot) {
                best = bestIndex();     // a tie replaced: another member is now as good
            }
        }

        long lastImprovement;

        int worst() {
            int w = 0;
            for (int k = 1; k < count; k++) {
                if (LocalSearch.better(pen[w], obj[w], pen[k], obj[k])) {
                    w = k;
                }
            }
            return w;
        }

        int bestIndex() {
            int b = 0;
            for (int k = 1; k < count; k++) {
                if (LocalSearch.better(pen[k], obj[k], pen[b], obj[b])) {
                    b = k;
                }
            }
            return b;
        }

        int tournament() {
            int a = random.nextInt(count);
            int b = random.nextInt(count);
            return LocalSearch.better(pen[a], obj[a], pen[b], obj[b]) ? a : b;
        }

        void evolve() {
            int[] child = new int[n];
            while (count >= 2 && !stop() && children < config.maxChildren()
                    && children - lastImprovement < config.stagnation()) {
                int x = tournament();
                int y = tournament();
                for (int tries = 0; y == x && tries < 4; tries++) {
                    y = tournament();
                }
                c.child(members[x], members[y], config.mutations(), random, child);
                children++;
                improveAndOffer(child);
            }
        }

        /**
         * The objective per unit of capacity in the regret greedy's assignment: a penalty weight on the
         * objective's scale (0 when no capacity is finite).
         */
        double initialWeight(int[] seed) {
            double capacity = 0;
            for (int d = 0; d < p.dimensions(); d++) {
                for (int i = 0; i < p.agents(); i++) {
                    double cap = p.capacity(i, d);
                    if (Double.isFinite(cap)) {
                        capacity += cap;
                    }
                }
            }
            if (capacity <= 0) {
                return 0;
            }
            work.set(seed);
            return Math.max(1e-9, Math.abs(work.objective()) / capacity);
        }

        int[] bestAssignment() {
            return best < 0 ? null : members[best].clone();
        }

        private long hashOf(int[] a) {
            long h = 1125899906842597L;
            for (int v : a) {
                h = 31 * h + v;
            }
            return h;
        }
    }
}
