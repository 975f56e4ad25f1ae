package io.github.loadstar.algorithms.allocation;

import com.google.ortools.Loader;
import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverSolutionCallback;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.DoubleLinearExpr;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearArgument;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.Literal;
import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationConstraint;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocator;
import io.github.loadstar.core.allocation.Constraints;
import io.github.loadstar.core.allocation.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/*
 * Exact allocation with Google OR-Tools' CP-SAT (an optional dependency: this class is only loaded
 * when the cp-sat allocator is asked for; AllocatorProviders checks that OR-Tools is present first).
 *
 * The model, built from the problem's values:
 *   x[i][j] ∈ {0, 1}, one per allowed pair (AllocationProblem.allows: capacity alone, onlyOn, notOn);
 *   each task: exactly one x;
 *   each agent and dimension: Σ_j demand × x[i][j] ≤ capacity;
 *   maxTasksPerAgent(k): Σ_j x[i][j] ≤ k for each agent;
 *   together(tasks): x[i][first] = x[i][t] for every other task t and agent i;
 *   apart(tasks): Σ_t x[i][t] ≤ 1 for each agent;
 *   makespan (when weighted): M ≥ Σ_j duration × x[i][j] for each agent;
 *   minimise w_cost × Σ cost × x + w_makespan × M (real coefficients: CpModel.minimize(DoubleLinearExpr)).
 * CP-SAT's constraints take integers: demands, capacities and durations are scaled by the smallest
 * power of ten (up to 10^6) that makes them whole; where none does, demands are rounded up,
 * capacities down (so a scaled solution stays feasible) and durations to the nearest, and the result
 * is not reported optimal and says the data were rounded.
 * Load variance and utilization are not linear; a request that weighs them gets UNKNOWN, naming them.
 * A constraint of the user's own has no CP-SAT translation: UNKNOWN, naming it.
 *
 * Infeasibility: if CP-SAT proves the model infeasible, the model is built again with one enforcement
 * literal per rule (each agent's capacity, each constraint), all assumed true, and solved on one
 * worker; CP-SAT's sufficient assumptions name the rules that conflict.
 *
 * Every answer is evaluated again by the problem (Results.of) before it is reported; OPTIMAL when
 * CP-SAT proved it, with CP-SAT's best bound as the bound.
 */

/** The exact allocator on CP-SAT (registered as {@code cp-sat}); see the design overview in the source. */
public final class CpSatAllocator implements Allocator {
    private static final long MAX_SCALE = 1_000_000L;
    private final int workers;

    /** With as many search workers as processors. */
    public CpSatAllocator() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** @throws IllegalArgumentException naming {@code workers} unless 1 … 64 */
    public CpSatAllocator(int workers) {
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers must be between 1 and 64: " + workers);
        }
        this.workers = workers;
    }

    /** Whether OR-Tools is on the class or module path. */
    public static boolean available() {
        try {
            Class.forName("com.google.ortools.sat.CpModel", false, CpSatAllocator.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "cp-sat";
    }

    @Override
    public Allocation allocate(AllocationProblem p, AllocationRequest r) {
        long start = System.nanoTime();
        Allocation refused = Results.refusedUpFront(name(), p, r, start);
        if (refused != null) {
            return refused;
        }
        List<String> unmodelled = new ArrayList<>();
        for (Map.Entry<Objective, Double> w : r.weights().entrySet()) {
            if (w.getValue() > 0 && w.getKey() != Objective.TOTAL_COST && w.getKey() != Objective.MAKESPAN) {
                unmodelled.add("cp-sat models TOTAL_COST and MAKESPAN only, not " + w.getKey());
            }
        }
        for (AllocationConstraint c : p.constraints()) {
            if (!(c instanceof Constraints.AgentSet || c instanceof Constraints.MaxTasks || c instanceof Constraints.Group)) {
                unmodelled.add("cp-sat has no translation of the constraint " + c.describe());
            }
        }
        if (!unmodelled.isEmpty()) {
            return Allocation.without(name(), Allocation.Status.UNKNOWN, unmodelled, System.nanoTime() - start, 0);
        }
        Loader.loadNativeLibraries();
        Model model = new Model(p, r, false);
        CpSolver solver = new CpSolver();
        double remaining = Math.max(0.001, (r.timeBudget().toNanos() - (System.nanoTime() - start)) / 1e9);
        solver.getParameters().setMaxTimeInSeconds(remaining).setNumWorkers(workers).setRandomSeed((int) r.seed());
        Progress progress = new Progress(model, r, start, solver);
        Thread watcher = progress.watchCancellation();
        CpSolverStatus status;
        try {
            status = solver.solve(model.cp, progress);
        } finally {
            watcher.interrupt();
        }
        if (progress.failure != null) {
            throw progress.failure;
        }
        if (status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.FEASIBLE) {
            int[] assignment = model.read(solver::booleanValue);
            Allocation a = Results.of(name(), p, r, assignment, start, solver.response().getNumBranches());
            if (!a.found()) {
                return a;     // the final check refused it (rounded data): never reported feasible
            }
            boolean proven = status == CpSolverStatus.OPTIMAL && model.exact;
            return new Allocation(name(), proven ? Allocation.Status.OPTIMAL : Allocation.Status.FEASIBLE,
                    a.assignment(), a.evaluation(), a.objective(), proven ? a.objective()
                    : model.exact ? solver.bestObjectiveBound() : Double.NaN, model.exact ? List.of()
                    : List.of("data rounded to integers for CP-SAT (demands up, capacities down, durations to the"
                            + " nearest): not proven optimal"),
                    System.nanoTime() - start, solver.response().getNumBranches());
        }
        if (status == CpSolverStatus.INFEASIBLE) {
            if (!model.feasibilityExact) {
                return Allocation.without(name(), Allocation.Status.UNKNOWN, List.of(
                        "infeasible after rounding the data to integers (demands up, capacities down); not proven for the"
                                + " real values"), System.nanoTime() - start, solver.response().getNumBranches());
            }
            return Results.infeasible(name(), conflicts(p, r, start), start);
        }
        return Allocation.without(name(), Allocation.Status.UNKNOWN, List.of("CP-SAT ended " + status + " within "
                + r.timeBudget().toMillis() + " ms"), System.nanoTime() - start, solver.response().getNumBranches());
    }

    /** The rules CP-SAT finds in conflict: the model again, each rule behind an assumed literal. */
    private List<String> conflicts(AllocationProblem p, AllocationRequest r, long start) {
        Model model = new Model(p, r, true);
        CpSolver solver = new CpSolver();
        double remaining = Math.max(0.01, (r.timeBudget().toNanos() - (System.nanoTime() - start)) / 1e9);
        solver.getParameters().setMaxTimeInSeconds(remaining).setNumWorkers(1);
        CpSolverStatus status = solver.solve(model.cp);
        List<String> reasons = new ArrayList<>();
        if (status == CpSolverStatus.INFEASIBLE) {
            for (int index : solver.sufficientAssumptionsForInfeasibility()) {
                String rule = model.ruleOf.get(index);
                if (rule != null) {
                    reasons.add(rule);
                }
            }
        }
        if (reasons.isEmpty()) {
            reasons.add("CP-SAT proved that no assignment keeps every rule (it named no smaller conflicting set)");
        } else {
            reasons.add(0, "CP-SAT proved that these rules cannot all hold together:");
        }
        return reasons;
    }

    /** The CP-SAT model of a problem. */
    private static final class Model {
        final CpModel cp = new CpModel();
        final AllocationProblem p;
        final BoolVar[][] x;      // [i][j], null where the pair is not allowed
        /** Demands and capacities were whole at their scale: a proof of infeasibility holds for the real values. */
        final boolean feasibilityExact;
        /** Those and the durations too: a proof of optimality holds. */
        final boolean exact;
        final Map<Integer, String> ruleOf = new java.util.HashMap<>();

        Model(AllocationProblem p, AllocationRequest r, boolean assumptions) {
            this.p = p;
            int m = p.agents();
            int n = p.tasks();
            x = new BoolVar[m][n];
            for (int j = 0; j < n; j++) {
                List<Literal> one = new ArrayList<>();
                for (int i = 0; i < m; i++) {
                    if (p.allows(j, i)) {
                        x[i][j] = cp.newBoolVar("x" + i + "_" + j);
                        one.add(x[i][j]);
                    }
                }
                cp.addExactlyOne(one);
            }
            boolean allWhole = true;
            for (int d = 0; d < p.dimensions(); d++) {
                long scale = scale(p, d);
                allWhole &= scale > 0;
                long s = Math.abs(scale);
                for (int i = 0; i < m; i++) {
                    double capacity = p.capacity(i, d);
                    if (Double.isInfinite(capacity)) {
                        continue;
                    }
                    List<LinearArgument> vars = new ArrayList<>();
                    List<Long> coefficients = new ArrayList<>();
                    for (int j = 0; j < n; j++) {
                        double demand = p.demand(j, i, d);
                        if (x[i][j] != null && demand > 0) {
                            vars.add(x[i][j]);
                            coefficients.add((long) Math.ceil(demand * s - 1e-9));
                        }
                    }
                    long cap = (long) Math.floor(capacity * s + 1e-9);
                    var c = cp.addLessOrEqual(LinearExpr.weightedSum(vars.toArray(new LinearArgument[0]),
                            coefficients.stream().mapToLong(Long::longValue).toArray()), cap);
                    enforce(c, assumptions, "agent " + i + " capacity[" + d + "] " + capacity);
                }
            }
            for (AllocationConstraint rule : p.constraints()) {
                if (rule instanceof Constraints.MaxTasks) {
                    for (int i = 0; i < m; i++) {
                        List<Literal> on = new ArrayList<>();
                        for (int j = 0; j < n; j++) {
                            if (x[i][j] != null) {
                                on.add(x[i][j]);
                            }
                        }
                        enforce(cp.addLessOrEqual(LinearExpr.sum(on.toArray(new LinearArgument[0])),
                                ((Constraints.MaxTasks) rule).limit()), assumptions, rule.describe());
                    }
                } else if (rule instanceof Constraints.Group) {
                    int[] tasks = ((Constraints.Group) rule).tasks();
                    for (int i = 0; i < m; i++) {
                        if (((Constraints.Group) rule).together()) {
                            for (int k = 1; k < tasks.length; k++) {
                                enforce(cp.addEquality(var(i, tasks[0]), var(i, tasks[k])), assumptions, rule.describe());
                            }
                        } else {
                            List<LinearArgument> on = new ArrayList<>();
                            for (int t : tasks) {
                                on.add(var(i, t));
                            }
                            enforce(cp.addLessOrEqual(LinearExpr.sum(on.toArray(new LinearArgument[0])), 1), assumptions,
                                    rule.describe());
                        }
                    }
                }
                // AgentSet rules are in the pairs already (AllocationProblem.allows)
            }
            feasibilityExact = allWhole;
            exact = objective(r) && allWhole;
        }

        /** A variable for x[i][j], the constant 0 where the pair is not allowed. */
        private LinearArgument var(int i, int j) {
            return x[i][j] != null ? x[i][j] : LinearExpr.constant(0);
        }

        private final Map<String, Literal> enforcers = new java.util.HashMap<>();

        private void enforce(com.google.ortools.sat.Constraint c, boolean assumptions, String rule) {
            if (!assumptions) {
                return;
            }
            Literal l = enforcers.get(rule);
            if (l == null) {
                BoolVar b = cp.newBoolVar("rule" + enforcers.size());
                ruleOf.put(b.getIndex(), rule);
                cp.addAssumption(b);
                enforcers.put(rule, b);
                l = b;
            }
            c.onlyEnforceIf(l);
        }

        /** Sets the objective; false if the durations had to be rounded to integers. */
        private boolean objective(AllocationRequest r) {
            double wCost = r.weights().getOrDefault(Objective.TOTAL_COST, 0.0);
            double wMakespan = r.weights().getOrDefault(Objective.MAKESPAN, 0.0);
            List<IntVar> vars = new ArrayList<>();
            List<Double> coefficients = new ArrayList<>();
            int m = p.agents();
            int n = p.tasks();
            if (wCost > 0) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        if (x[i][j] != null && p.cost(j, i) != 0) {
                            vars.add(x[i][j]);
                            coefficients.add(wCost * p.cost(j, i));
                        }
                    }
                }
            }
            boolean whole = true;
            if (wMakespan > 0) {
                double[] durations = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        durations[i * n + j] = p.duration(j, i);
                    }
                }
                long scale = scale(durations);
                whole = scale > 0;
                long s = Math.abs(scale);
                long total = 0;
                for (int i = 0; i < m; i++) {
                    long sum = 0;
                    for (int j = 0; j < n; j++) {
                        if (x[i][j] != null) {
                            sum += Math.round(p.duration(j, i) * s);
                        }
                    }
                    total = Math.max(total, sum);
                }
                IntVar makespan = cp.newIntVar(0, total, "makespan");
                for (int i = 0; i < m; i++) {
                    List<LinearArgument> on = new ArrayList<>();
                    List<Long> d = new ArrayList<>();
                    for (int j = 0; j < n; j++) {
                        if (x[i][j] != null) {
                            on.add(x[i][j]);
                            d.add(Math.round(p.duration(j, i) * s));
                        }
                    }
                    cp.addLessOrEqual(LinearExpr.weightedSum(on.toArray(new LinearArgument[0]),
                            d.stream().mapToLong(Long::longValue).toArray()), makespan);
                }
                vars.add(makespan);
                coefficients.add(wMakespan / s);
            }
            if (!vars.isEmpty()) {
                cp.minimize(DoubleLinearExpr.weightedSum(vars.toArray(new IntVar[0]),
                        coefficients.stream().mapToDouble(Double::doubleValue).toArray()));
            }
            return whole;
        }

        /** The scale that makes dimension {@code d}'s demands and finite capacities whole (negative: none, rounded). */
        private static long scale(AllocationProblem p, int d) {
            double[] values = new double[p.agents() * (p.tasks() + 1)];
            int k = 0;
            for (int i = 0; i < p.agents(); i++) {
                double c = p.capacity(i, d);
                values[k++] = Double.isInfinite(c) ? 0 : c;
                for (int j = 0; j < p.tasks(); j++) {
                    values[k++] = p.demand(j, i, d);
                }
            }
            return scale(values);
        }

        /** The smallest power of ten (up to 10^6) that makes every value whole; its negation if none does. */
        private static long scale(double[] values) {
            for (long s = 1; s <= MAX_SCALE; s *= 10) {
                boolean whole = true;
                for (int k = 0; k < values.length && whole; k++) {
                    whole = isWhole(values[k] * s);
                }
                if (whole) {
                    return s;
                }
            }
            return -MAX_SCALE;
        }

        private static boolean isWhole(double v) {
            return Math.abs(v - Math.rint(v)) < 1e-9 * Math.max(1, Math.abs(v)) && Math.abs(v) < 1e15;
        }

        /** The assignment a solution gives, read through {@code isTrue} (the solver's, or a callback's). */
        int[] read(java.util.function.Predicate<Literal> isTrue) {
            int[] a = new int[p.tasks()];
            for (int j = 0; j < p.tasks(); j++) {
                for (int i = 0; i < p.agents(); i++) {
                    if (x[i][j] != null && isTrue.test(x[i][j])) {
                        a[j] = i;
                    }
                }
            }
            return a;
        }
    }

    /** Reports each solution CP-SAT finds, and stops the search when the caller cancels. */
    private static final class Progress extends CpSolverSolutionCallback {
        private final Model model;
        private final AllocationRequest r;
        private final long start;
        private final CpSolver solver;
        private long solutions;
        RuntimeException failure;

        Progress(Model model, AllocationRequest r, long start, CpSolver solver) {
            this.model = model;
            this.r = r;
            this.start = start;
            this.solver = solver;
        }

        @Override
        public void onSolutionCallback() {
            if (failure != null) {
                return;
            }
            try {
                double objective = model.p.evaluate(model.read(this::booleanValue)).weighted(r.weights());
                r.report(new AllocationRequest.Progress(System.nanoTime() - start, ++solutions, objective, true));
                if (r.isCancelled()) {
                    stopSearch();
                }
            } catch (RuntimeException e) {
                failure = e;       // thrown to the caller once CP-SAT returns
                stopSearch();
            }
        }

        /** A daemon that polls the cancellation check every 10 ms while CP-SAT searches. */
        Thread watchCancellation() {
            Thread t = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        if (r.isCancelled()) {
                            solver.stopSearch();
                            return;
                        }
                        Thread.sleep(10);
                    }
                } catch (InterruptedException done) {
                    // the search ended
                }
            }, "loadstar-cp-sat-cancellation");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }
}
