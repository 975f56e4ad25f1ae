package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Evaluation;
import io.github.loadstar.core.allocation.Objective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/*
 * NSGA-II (Deb et al. 2002) over assignments, memetic like the single-objective search: the same
 * encoding, crossover and mutation (GeneticAllocator), and each child improved by LocalSearch under
 * its own random weighting of the objectives (each objective divided by its scale in the first
 * seed, so no objective drowns the others), which spreads the improved children along the front.
 *
 * Generational: N parents make N children (binary tournament on (penalty, front, crowding)); from
 * the 2N, the next parents are the feasible ones front by front — the last front that fits cut by
 * crowding distance, widest first — then the infeasible by penalty. The result is the feasible
 * members of the first front, one per distinct objective vector, each evaluated again from scratch.
 */
final class ParetoSearch {
    private ParetoSearch() {
    }

    static List<Allocation> run(GeneticConfig config, AllocationProblem p, AllocationRequest r, List<Objective> objectives) {
        Objects.requireNonNull(p, "problem");
        Objects.requireNonNull(r, "request");
        Objects.requireNonNull(objectives, "objectives");
        if (objectives.isEmpty() || objectives.stream().anyMatch(Objects::isNull)
                || objectives.stream().distinct().count() != objectives.size()) {
            throw new IllegalArgumentException("objectives must be distinct, not null, at least one: " + objectives);
        }
        long start = System.nanoTime();
        long deadline = start + r.timeBudget().toNanos();
        List<String> reasons = p.provablyInfeasible();
        if (!reasons.isEmpty()) {
            return List.of(Results.infeasible("genetic", reasons, start));
        }
        int n = p.tasks();
        int k = objectives.size();
        int size = Math.max(20, config.population());
        Candidates c = new Candidates(p);
        SplittableRandom random = new SplittableRandom(r.seed());
        AssignmentState work = new AssignmentState(p, r.weights());
        int[][] members = new int[2 * size][n];
        double[] pen = new double[2 * size];
        double[][] vec = new double[2 * size][k];
        int count = 0;

        Baselines.AssignmentInputs in = Baselines.inputs(p, c, r);
        int[] first = Baselines.regret(in);
        double[] scale = new double[k];
        Evaluation e0 = p.evaluate(first);
        for (int o = 0; o < k; o++) {
            scale[o] = Math.max(1e-9, Math.abs(objectives.get(o).asMinimised(e0.value(objectives.get(o)))));
        }
        List<int[]> seeds = new ArrayList<>(List.of(first, Baselines.lpt(in), Baselines.roundRobin(in)));
        int[] candidate = new int[n];
        boolean swaps = config.swaps();
        for (int attempts = 0; count < size && System.nanoTime() - deadline < 0 && !r.isCancelled()
                && attempts < size * 20; attempts++) {
            if (!seeds.isEmpty()) {
                candidate = seeds.remove(0);
            } else {
                c.randomAssignment(random, candidate);
            }
            count = improveInto(work, c, random, deadline, swaps, candidate, objectives, scale, members, pen, vec, count);
        }
        long children = 0;
        long maxChildren = config.maxChildren();
        int[] child = new int[n];
        while (count >= 2 && System.nanoTime() - deadline < 0 && !r.isCancelled() && children < maxChildren) {
            double[] order = order(pen, vec, count);        // lower is better: (penalty, front, -crowding)
            int made = count;
            for (int b = 0; b < size && made < 2 * size && System.nanoTime() - deadline < 0 && children < maxChildren; b++) {
                int x = tournament(random, order, count);
                int y = tournament(random, order, count);
                c.child(members[x], members[y], config.mutations(), random, child);
                children++;
                made = improveInto(work, c, random, deadline, swaps, child, objectives, scale, members, pen, vec, made);
            }
            count = select(members, pen, vec, made, size);
        }
        return front(p, r, members, pen, vec, count, start, children, objectives);
    }

    /** Improves {@code a} under random weights and appends it at {@code at} unless it is a duplicate; the new count. */
    private static int improveInto(AssignmentState work, Candidates c, SplittableRandom random, long deadline,
                                   boolean swaps, int[] a, List<Objective> objectives, double[] scale, int[][] members,
                                   double[] pen, double[][] vec, int at) {
        Map<Objective, Double> w = new EnumMap<>(Objective.class);
        for (int o = 0; o < objectives.size(); o++) {
            w.put(objectives.get(o), random.nextDouble() / scale[o]);
        }
        work.weights(w);
        work.set(a);
        LocalSearch.descend(work, c, random, deadline, swaps);
        work.set(work.agentOf);
        for (int m = 0; m < at; m++) {
            if (Arrays.equals(members[m], work.agentOf)) {
                return at;
            }
        }
        System.arraycopy(work.agentOf, 0, members[at], 0, work.n);
        pen[at] = work.penalty();
        for (int o = 0; o < objectives.size(); o++) {
            vec[at][o] = objectives.get(o).asMinimised(work.value(objectives.get(o)));
        }
        return at + 1;
    }

    /** A sort key per member, lower better: infeasible after every feasible one by penalty; feasible by front, then crowding. */
    private static double[] order(double[] pen, double[][] vec, int count) {
        double[] key = new double[count];
        List<Integer> feasible = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            if (pen[m] == 0) {
                feasible.add(m);
            } else {
                key[m] = 1e12 + pen[m];
            }
        }
        double[][] points = new double[feasible.size()][];
        for (int i = 0; i < points.length; i++) {
            points[i] = vec[feasible.get(i)];
        }
        int[] rank = Pareto.ranks(points);
        int fronts = 0;
        for (int rk : rank) {
            fronts = Math.max(fronts, rk + 1);
        }
        for (int f = 0; f < fronts; f++) {
            List<Integer> in = new ArrayList<>();
            for (int i = 0; i < rank.length; i++) {
                if (rank[i] == f) {
                    in.add(i);
                }
            }
            int[] idx = in.stream().mapToInt(Integer::intValue).toArray();
            double[] crowd = Pareto.crowding(points, idx);
            for (int i = 0; i < idx.length; i++) {
                // within a front, wider crowding first: a key in (f, f + 1)
                double spread = Double.isInfinite(crowd[i]) ? 0 : 1 / (1 + crowd[i]);
                key[feasible.get(idx[i])] = f + 0.5 * spread;
            }
        }
        return key;
    }

    private static int tournament(SplittableRandom random, double[] key, int count) {
        int a = random.nextInt(count);
        int b = random.nextInt(count);
        return key[a] <= key[b] ? a : b;
    }

    /** Keeps the best {@code size} of {@code made} members (by the order above) in the first slots; the new count. */
    private static int select(int[][] members, double[] pen, double[][] vec, int made, int size) {
        double[] key = order(pen, vec, made);
        Integer[] idx = new Integer[made];
        for (int i = 0; i < made; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(key[a], key[b]));
        int keep = Math.min(size, made);
        int[][] m2 = new int[keep][];
        double[] p2 = new double[keep];
        double[][] v2 = new double[keep][];
        for (int i = 0; i < keep; i++) {
            m2[i] = members[idx[i]].clone();
            p2[i] = pen[idx[i]];
            v2[i] = vec[idx[i]].clone();
        }
        for (int i = 0; i < keep; i++) {
            System.arraycopy(m2[i], 0, members[i], 0, m2[i].length);
            pen[i] = p2[i];
            vec[i] = v2[i];
        }
        return keep;
    }

    private static List<Allocation> front(AllocationProblem p, AllocationRequest r, int[][] members, double[] pen,
                                          double[][] vec, int count, long start, long children, List<Objective> objectives) {
        List<Integer> feasible = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            if (pen[m] == 0) {
                feasible.add(m);
            }
        }
        if (feasible.isEmpty()) {
            return List.of(Results.of("genetic", p, r, count == 0 ? null : members[0].clone(), start, children));
        }
        double[][] points = new double[feasible.size()][];
        for (int i = 0; i < points.length; i++) {
            points[i] = vec[feasible.get(i)];
        }
        int[] rank = Pareto.ranks(points);
        List<Integer> first = new ArrayList<>();
        for (int i = 0; i < rank.length; i++) {
            boolean duplicate = false;
            for (int f : first) {
                duplicate |= Arrays.equals(points[f], points[i]);
            }
            if (rank[i] == 0 && !duplicate) {
                first.add(i);
            }
        }
        first.sort((a, b) -> Arrays.compare(points[a], points[b]));
        List<Allocation> out = new ArrayList<>();
        for (int i : first) {
            out.add(Results.of("genetic", p, r, members[feasible.get(i)].clone(), start, children));
        }
        return out;
    }
}
