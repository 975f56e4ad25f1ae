package io.github.loadstar.core.allocation;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * An assignment's objective values and the rules it breaks.
 *
 * @param values         each {@link Objective}'s value
 * @param capacityExcess the demand above capacity, summed over agents and dimensions (0: all fit)
 * @param broken         the rules broken, one line each: an agent's capacity, or a constraint's
 *                       {@link AllocationConstraint#describe()} with its violation
 */
public record Evaluation(Map<Objective, Double> values, double capacityExcess, List<String> broken) {

    public Evaluation {
        values = Map.copyOf(values);
        broken = List.copyOf(broken);
    }

    /** Whether the assignment keeps every rule. */
    public boolean feasible() {
        return broken.isEmpty();
    }

    /** One objective's value. */
    public double value(Objective objective) {
        return values.get(objective);
    }

    /** Σ weight × value (as minimised: 1 − utilization), the scalar an allocator minimises. */
    public double weighted(Map<Objective, Double> weights) {
        double s = 0;
        for (Map.Entry<Objective, Double> w : weights.entrySet()) {
            s += w.getValue() * w.getKey().asMinimised(value(w.getKey()));
        }
        return s;
    }

    static Evaluation of(AllocationProblem p, int[] assignment) {
        int m = p.agents();
        int n = p.tasks();
        if (assignment == null || assignment.length != n) {
            throw new IllegalArgumentException("assignment must hold one agent per task (" + n + "): "
                    + (assignment == null ? "null" : assignment.length));
        }
        double[] load = new double[m];
        double[] used = new double[m * p.dimensions()];
        double cost = 0;
        for (int j = 0; j < n; j++) {
            int i = assignment[j];
            if (i < 0 || i >= m) {
                throw new IllegalArgumentException("assignment[" + j + "] is not an agent in [0, " + m + "): " + i);
            }
            load[i] += p.duration(j, i);
            cost += p.cost(j, i);
            for (int d = 0; d < p.dimensions(); d++) {
                used[d * m + i] += p.demand(j, i, d);
            }
        }
        double makespan = 0;
        double sum = 0;
        for (double l : load) {
            makespan = Math.max(makespan, l);
            sum += l;
        }
        double mean = sum / m;
        double variance = 0;
        for (double l : load) {
            variance += (l - mean) * (l - mean) / m;
        }
        Map<Objective, Double> values = new EnumMap<>(Objective.class);
        values.put(Objective.MAKESPAN, makespan);
        values.put(Objective.UTILIZATION, makespan == 0 ? 1.0 : sum / (m * makespan));
        values.put(Objective.LOAD_VARIANCE, variance);
        values.put(Objective.TOTAL_COST, cost);
        List<String> broken = new ArrayList<>();
        double excess = 0;
        for (int d = 0; d < p.dimensions(); d++) {
            for (int i = 0; i < m; i++) {
                double over = used[d * m + i] - p.capacity(i, d);
                if (over > 1e-9 * Math.max(1, Math.abs(p.capacity(i, d)))) {
                    excess += over;
                    broken.add("agent " + i + " capacity[" + d + "] " + p.capacity(i, d) + " exceeded by " + over);
                }
            }
        }
        for (AllocationConstraint c : p.constraints()) {
            double v = c.violation(p, assignment);
            if (v > 0) {
                broken.add(c.describe() + " violated by " + v);
            }
        }
        return new Evaluation(values, excess, broken);
    }
}
