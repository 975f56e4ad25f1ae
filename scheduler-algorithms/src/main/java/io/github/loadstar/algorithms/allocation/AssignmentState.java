package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.AllocationConstraint;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.Objective;
import java.util.List;
import java.util.Map;

/*
 * An assignment with its figures kept up to date move by move, on primitive arrays: per-agent load
 * (Σ duration), Σ load and Σ load², per-agent use of each dimension, total cost, the capacity excess,
 * and the constraints' total violation. A shift (one task to another agent) or a swap (two tasks on
 * different agents trade places) is evaluated without being made — O(dimensions) for the capacities
 * and cost, O(agents) when the makespan is weighted — and made in the same time. Constraints other
 * than the capacities are opaque values: with any present, an evaluation makes the move, asks each
 * constraint for its violation, and undoes it (O(what the constraint reads)); with none, they cost
 * nothing. The problem's pair rules (AllocationProblem.allows) are checked by the callers, which
 * only propose allowed agents, and a shift's evaluation assumes a move: {@code to} is not the task's
 * own agent (the callers skip it).
 *
 * Penalty (what must reach 0): capacity excess + Σ constraint violations. Objective: Σ weight ×
 * objective as AllocationRequest defines it. A state is compared by (penalty, objective).
 */
final class AssignmentState {
    final AllocationProblem p;
    final int m;
    final int n;
    final int dims;
    final int[] agentOf;
    final double[] load;
    final double[] used;        // [d * m + i]
    final double[] cap;         // [d * m + i]
    final double[] limit;       // [d * m + i]: cap plus the rounding tolerance (over it is excess)
    final double[] overload;    // [d * m + i]: the excess of each resource now
    final double[] demand;      // [(d * m + i) * n + j]
    final double[] duration;    // [i * n + j]
    final double[] cost;        // [i * n + j]
    double sumLoad;
    double sumLoad2;
    double totalCost;
    double excess;
    double violation;
    private final List<AllocationConstraint> constraints;
    private double wCost;
    private double wMakespan;
    private double wVariance;
    private double wUtil;

    AssignmentState(AllocationProblem p, Map<Objective, Double> weights) {
        this.p = p;
        this.m = p.agents();
        this.n = p.tasks();
        this.dims = p.dimensions();
        this.agentOf = new int[n];
        this.load = new double[m];
        this.used = new double[dims * m];
        this.cap = new double[dims * m];
        this.limit = new double[dims * m];
        this.overload = new double[dims * m];
        this.demand = new double[dims * m * n];
        this.duration = new double[m * n];
        this.cost = new double[m * n];
        for (int d = 0; d < dims; d++) {
            for (int i = 0; i < m; i++) {
                cap[d * m + i] = p.capacity(i, d);
                limit[d * m + i] = cap[d * m + i] + 1e-9 * Math.max(1, Math.abs(cap[d * m + i]));
                for (int j = 0; j < n; j++) {
                    demand[(d * m + i) * n + j] = p.demand(j, i, d);
                }
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                duration[i * n + j] = p.duration(j, i);
                cost[i * n + j] = p.cost(j, i);
            }
        }
        this.constraints = p.constraints();
        weights(weights);
    }

    /** New weights for the objective (the multi-objective search gives each child its own). */
    void weights(Map<Objective, Double> weights) {
        this.wCost = weights.getOrDefault(Objective.TOTAL_COST, 0.0);
        this.wMakespan = weights.getOrDefault(Objective.MAKESPAN, 0.0);
        this.wVariance = weights.getOrDefault(Objective.LOAD_VARIANCE, 0.0);
        this.wUtil = weights.getOrDefault(Objective.UTILIZATION, 0.0);
    }

    /** Whether the objective is the total cost alone, so a move's objective is O(1) to evaluate. */
    boolean costOnly() {
        return wMakespan == 0 && wVariance == 0 && wUtil == 0;
    }

    /** Takes {@code assignment} whole and recomputes every figure. */
    void set(int[] assignment) {
        System.arraycopy(assignment, 0, agentOf, 0, n);
        java.util.Arrays.fill(load, 0);
        java.util.Arrays.fill(used, 0);
        totalCost = 0;
        for (int j = 0; j < n; j++) {
            int i = agentOf[j];
            load[i] += duration[i * n + j];
            totalCost += cost[i * n + j];
            for (int d = 0; d < dims; d++) {
                used[d * m + i] += demand[(d * m + i) * n + j];
            }
        }
        sumLoad = 0;
        sumLoad2 = 0;
        for (double l : load) {
            sumLoad += l;
            sumLoad2 += l * l;
        }
        excess = 0;
        for (int k = 0; k < dims * m; k++) {
            overload[k] = over(k, used[k]);
            excess += overload[k];
        }
        violation = constraintViolation();
    }

    /** Whether agent {@code i} is over its capacity in some dimension. */
    boolean overloaded(int i) {
        for (int d = 0; d < dims; d++) {
            if (overload[d * m + i] > 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether the constraints other than the capacities are all met (and there may be some). */
    boolean constraintsMet() {
        return violation == 0;
    }

    /** The excess of resource {@code k} (d * m + i) if it had {@code used} in use. */
    double over(int k, double used) {
        return used > limit[k] ? used - cap[k] : 0;
    }

    private double constraintViolation() {
        double v = 0;
        for (AllocationConstraint c : constraints) {
            v += c.violation(p, agentOf);
        }
        return v;
    }

    double penalty() {
        return excess + violation;
    }

    boolean feasible() {
        return penalty() == 0;
    }

    /** One objective's value, as {@code Evaluation} defines it, from the figures kept here. */
    double value(Objective o) {
        switch (o) {
            case TOTAL_COST:
                return totalCost;
            case LOAD_VARIANCE:
                double mean = sumLoad / m;
                return Math.max(0, sumLoad2 / m - mean * mean);
            default:
                double makespan = 0;
                for (double l : load) {
                    makespan = Math.max(makespan, l);
                }
                return o == Objective.MAKESPAN ? makespan : makespan == 0 ? 1.0 : sumLoad / (m * makespan);
        }
    }

    double objective() {
        return objectiveWith(-1, 0, -1, 0, totalCost);
    }

    /**
     * The objective with the loads of agents {@code a} and {@code b} changed by {@code da} and
     * {@code db} (-1: none), and the total cost {@code costNow}.
     */
    private double objectiveWith(int a, double da, int b, double db, double costNow) {
        double s = wCost * costNow;
        if (wMakespan != 0 || wUtil != 0 || wVariance != 0) {
            double makespan = 0;
            for (int i = 0; i < m; i++) {
                double l = load[i] + (i == a ? da : 0) + (i == b ? db : 0);
                makespan = Math.max(makespan, l);
            }
            double sum = sumLoad + da + db;
            if (wMakespan != 0) {
                s += wMakespan * makespan;
            }
            if (wUtil != 0) {
                s += wUtil * (makespan == 0 ? 0 : 1 - sum / (m * makespan));
            }
            if (wVariance != 0) {
                double sum2 = sumLoad2;
                if (a >= 0) {
                    sum2 += (load[a] + da) * (load[a] + da) - load[a] * load[a];
                }
                if (b >= 0) {
                    sum2 += (load[b] + db) * (load[b] + db) - load[b] * load[b];
                }
                double mean = sum / m;
                s += wVariance * Math.max(0, sum2 / m - mean * mean);
            }
        }
        return s;
    }

    /** The capacity excess after moving task {@code j} from its agent to {@code to}. */
    double excessAfterShift(int j, int to) {
        int from = agentOf[j];
        double e = excess;
        for (int d = 0; d < dims; d++) {
            int kf = d * m + from;
            int kt = d * m + to;
            double rf = demand[kf * n + j];
            double rt = demand[kt * n + j];
            e += over(kf, used[kf] - rf) - overload[kf];
            e += over(kt, used[kt] + rt) - overload[kt];
        }
        return Math.max(0, e);
    }

    /** The objective after moving task {@code j} to {@code to}. */
    double objectiveAfterShift(int j, int to) {
        int from = agentOf[j];
        return objectiveWith(from, -duration[from * n + j], to, duration[to * n + j],
                totalCost - cost[from * n + j] + cost[to * n + j]);
    }

    /** The constraints' violation after moving task {@code j} to {@code to} (0 cost without constraints). */
    double violationAfterShift(int j, int to) {
        if (constraints.isEmpty()) {
            return 0;
        }
        int from = agentOf[j];
        agentOf[j] = to;
        double v = constraintViolation();
        agentOf[j] = from;
        return v;
    }

    void shift(int j, int to) {
        int from = agentOf[j];
        if (from == to) {
            return;
        }
        double newExcess = excessAfterShift(j, to);
        double newViolation = violationAfterShift(j, to);
        double lf = load[from];
        double lt = load[to];
        load[from] -= duration[from * n + j];
        load[to] += duration[to * n + j];
        sumLoad += load[from] - lf + load[to] - lt;
        sumLoad2 += load[from] * load[from] - lf * lf + load[to] * load[to] - lt * lt;
        totalCost += cost[to * n + j] - cost[from * n + j];
        for (int d = 0; d < dims; d++) {
            int kf = d * m + from;
            int kt = d * m + to;
            used[kf] -= demand[kf * n + j];
            used[kt] += demand[kt * n + j];
            overload[kf] = over(kf, used[kf]);
            overload[kt] = over(kt, used[kt]);
        }
        agentOf[j] = to;
        excess = newExcess;
        violation = newViolation;
    }

    /** The capacity excess after tasks {@code j} and {@code k} (on different agents) trade agents. */
    double excessAfterSwap(int j, int k) {
        int a = agentOf[j];
        int b = agentOf[k];
        double e = excess;
        for (int d = 0; d < dims; d++) {
            int ka = d * m + a;
            int kb = d * m + b;
            double ua = used[ka] - demand[ka * n + j] + demand[ka * n + k];
            double ub = used[kb] - demand[kb * n + k] + demand[kb * n + j];
            e += over(ka, ua) - overload[ka] + over(kb, ub) - overload[kb];
        }
        return Math.max(0, e);
    }

    double objectiveAfterSwap(int j, int k) {
        int a = agentOf[j];
        int b = agentOf[k];
        double da = duration[a * n + k] - duration[a * n + j];
        double db = duration[b * n + j] - duration[b * n + k];
        return objectiveWith(a, da, b, db,
                totalCost - cost[a * n + j] - cost[b * n + k] + cost[a * n + k] + cost[b * n + j]);
    }

    double violationAfterSwap(int j, int k) {
        if (constraints.isEmpty()) {
            return 0;
        }
        int a = agentOf[j];
        agentOf[j] = agentOf[k];
        agentOf[k] = a;
        double v = constraintViolation();
        agentOf[k] = agentOf[j];
        agentOf[j] = a;
        return v;
    }

    void swap(int j, int k) {
        int a = agentOf[j];
        int b = agentOf[k];
        shift(j, b);
        shift(k, a);
    }
}
