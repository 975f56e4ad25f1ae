package io.github.loadstar.core.allocation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A batch to place: {@code m} agents and {@code n} tasks, each task to go to exactly one agent.
 * An immutable value, built with {@link #builder(int, int)}.
 *
 * <ul>
 *   <li>Each agent has a <b>capacity</b> per resource dimension (at least one dimension), a
 *       <b>speed</b> and a <b>cost rate</b>.</li>
 *   <li>Each task has a <b>demand</b> per dimension on each agent (a matrix: on the Generalized
 *       Assignment Problem's agents the same task uses different amounts), a <b>duration</b> on each
 *       agent (default: its work / the agent's speed) and a <b>cost</b> on each agent (default: its
 *       duration × the agent's cost rate).</li>
 *   <li>The agents' capacities are hard: the demands of the tasks given to an agent sum to at most
 *       its capacity in every dimension. Further rules are {@link AllocationConstraint} values.</li>
 * </ul>
 *
 * Everything is held in primitive arrays (durations and costs agent-major, {@code [agent * n + task]};
 * capacities and demands dimension-major), for the allocators' inner loops; the accessors are what
 * they read.
 */
public final class AllocationProblem {
    private final int agents;
    private final int tasks;
    private final int dimensions;
    private final double[] capacity;   // [dim * m + agent]
    private final double[] speed;
    private final double[] costRate;
    private final double[] demand;     // [dim * m * n + agent * n + task]
    private final double[] duration;   // [agent * n + task]
    private final double[] cost;       // [agent * n + task]
    private final List<AllocationConstraint> constraints;

    private AllocationProblem(Builder b) {
        this.agents = b.agents;
        this.tasks = b.tasks;
        this.dimensions = b.dimensions;
        this.capacity = b.capacity.clone();
        this.speed = b.speed.clone();
        this.costRate = b.costRate.clone();
        this.demand = b.demand.clone();
        this.duration = new double[agents * tasks];
        this.cost = new double[agents * tasks];
        for (int i = 0; i < agents; i++) {
            for (int j = 0; j < tasks; j++) {
                int k = i * tasks + j;
                duration[k] = Double.isNaN(b.duration[k]) ? b.work[j] / speed[i] : b.duration[k];
                cost[k] = Double.isNaN(b.cost[k]) ? duration[k] * costRate[i] : b.cost[k];
            }
        }
        this.constraints = List.copyOf(b.constraints);
    }

    /**
     * A builder for {@code agents} agents and {@code tasks} tasks with {@code dimensions} resource
     * dimensions; every capacity starts unbounded, every demand at 0, every speed and cost rate at 1,
     * every task's work at 1.
     *
     * @throws IllegalArgumentException if a count is not positive, or {@code agents × tasks × dimensions}
     *                                  exceeds 50,000,000
     */
    public static Builder builder(int agents, int tasks, int dimensions) {
        return new Builder(agents, tasks, dimensions);
    }

    /** {@link #builder(int, int, int)} with one resource dimension. */
    public static Builder builder(int agents, int tasks) {
        return new Builder(agents, tasks, 1);
    }

    /** The number of agents, {@code m}. */
    public int agents() {
        return agents;
    }

    /** The number of tasks, {@code n}. */
    public int tasks() {
        return tasks;
    }

    /** The number of resource dimensions. */
    public int dimensions() {
        return dimensions;
    }

    /** Agent {@code agent}'s capacity in dimension {@code dim}. */
    public double capacity(int agent, int dim) {
        return capacity[dim * agents + agent];
    }

    /** Agent {@code agent}'s speed. */
    public double speed(int agent) {
        return speed[agent];
    }

    /** Agent {@code agent}'s cost per unit of duration. */
    public double costRate(int agent) {
        return costRate[agent];
    }

    /** What task {@code task} uses of dimension {@code dim} on agent {@code agent}. */
    public double demand(int task, int agent, int dim) {
        return demand[(dim * agents + agent) * tasks + task];
    }

    /** How long task {@code task} runs on agent {@code agent}. */
    public double duration(int task, int agent) {
        return duration[agent * tasks + task];
    }

    /** What task {@code task} costs on agent {@code agent}. */
    public double cost(int task, int agent) {
        return cost[agent * tasks + task];
    }

    /** The rules beyond the capacities, in the order given. */
    public List<AllocationConstraint> constraints() {
        return constraints;
    }

    /**
     * Whether {@code task} may go to {@code agent} by itself: its demand fits the agent's capacity in
     * every dimension and no constraint rules the pair out ({@link AllocationConstraint#allows}).
     */
    public boolean allows(int task, int agent) {
        for (int d = 0; d < dimensions; d++) {
            if (demand(task, agent, d) > capacity(agent, d)) {
                return false;
            }
        }
        for (AllocationConstraint c : constraints) {
            if (!c.allows(this, task, agent)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The objective values and the broken rules of {@code assignment} ({@code assignment[task]} = its
     * agent).
     *
     * @throws IllegalArgumentException if {@code assignment} is not {@code n} agent indices
     */
    public Evaluation evaluate(int[] assignment) {
        return Evaluation.of(this, assignment);
    }

    /**
     * Reasons no assignment can satisfy the problem, found by quick necessary checks (a task that fits
     * no agent, a group that must share an agent and fits none, more tasks that must be apart than
     * agents, per-agent task limits below the task count); empty when none applies, which does not
     * prove that a feasible assignment exists.
     */
    public List<String> provablyInfeasible() {
        List<String> reasons = new ArrayList<>();
        for (int j = 0; j < tasks; j++) {
            boolean any = false;
            for (int i = 0; i < agents && !any; i++) {
                any = allows(j, i);
            }
            if (!any) {
                reasons.add("task " + j + " fits no agent: " + whyNot(j));
            }
        }
        for (AllocationConstraint c : constraints) {
            String reason = c.provablyInfeasible(this);
            if (reason != null) {
                reasons.add(c.describe() + ": " + reason);
            }
        }
        return reasons;
    }

    private String whyNot(int task) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            String part = null;
            for (int d = 0; d < dimensions && part == null; d++) {
                if (demand(task, i, d) > capacity(i, d)) {
                    part = "agent " + i + " capacity[" + d + "] " + capacity(i, d) + " < demand " + demand(task, i, d);
                }
            }
            for (AllocationConstraint c : constraints) {
                if (part == null && !c.allows(this, task, i)) {
                    part = "agent " + i + " ruled out by " + c.describe();
                }
            }
            parts.add(part);
            if (parts.size() == 4 && agents > 5) {
                parts.add("… (" + (agents - 4) + " more agents)");
                break;
            }
        }
        return String.join("; ", parts);
    }

    @Override
    public String toString() {
        return "AllocationProblem{" + agents + " agents, " + tasks + " tasks, " + dimensions + " dimensions, "
                + constraints.size() + " constraints}";
    }

    /** Builds an {@link AllocationProblem}; every setter checks its arguments at once, naming them. */
    public static final class Builder {
        private final int agents;
        private final int tasks;
        private final int dimensions;
        private final double[] capacity;
        private final double[] speed;
        private final double[] costRate;
        private final double[] demand;
        private final double[] work;
        private final double[] duration;
        private final double[] cost;
        private final List<AllocationConstraint> constraints = new ArrayList<>();

        private Builder(int agents, int tasks, int dimensions) {
            if (agents < 1 || tasks < 1 || dimensions < 1) {
                throw new IllegalArgumentException("agents, tasks and dimensions must be positive: " + agents + ", "
                        + tasks + ", " + dimensions);
            }
            if ((long) agents * tasks * dimensions > 50_000_000L) {
                throw new IllegalArgumentException("agents × tasks × dimensions must be at most 50,000,000: " + agents
                        + " × " + tasks + " × " + dimensions);
            }
            this.agents = agents;
            this.tasks = tasks;
            this.dimensions = dimensions;
            this.capacity = new double[dimensions * agents];
            Arrays.fill(capacity, Double.POSITIVE_INFINITY);
            this.speed = new double[agents];
            Arrays.fill(speed, 1);
            this.costRate = new double[agents];
            Arrays.fill(costRate, 1);
            this.demand = new double[dimensions * agents * tasks];
            this.work = new double[tasks];
            Arrays.fill(work, 1);
            this.duration = new double[agents * tasks];
            Arrays.fill(duration, Double.NaN);
            this.cost = new double[agents * tasks];
            Arrays.fill(cost, Double.NaN);
        }

        private void agent(int agent) {
            if (agent < 0 || agent >= agents) {
                throw new IllegalArgumentException("agent must be in [0, " + agents + "): " + agent);
            }
        }

        private void task(int task) {
            if (task < 0 || task >= tasks) {
                throw new IllegalArgumentException("task must be in [0, " + tasks + "): " + task);
            }
        }

        private void dim(int dim) {
            if (dim < 0 || dim >= dimensions) {
                throw new IllegalArgumentException("dimension must be in [0, " + dimensions + "): " + dim);
            }
        }

        private static double nonNegative(String name, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + " must be finite and not negative: " + v);
            }
            return v;
        }

        /** @throws IllegalArgumentException naming {@code capacity} if it is negative or NaN (infinite: unbounded) */
        public Builder capacity(int agent, int dim, double capacity) {
            agent(agent);
            dim(dim);
            if (!(capacity >= 0)) {
                throw new IllegalArgumentException("capacity must not be negative: " + capacity);
            }
            this.capacity[dim * agents + agent] = capacity;
            return this;
        }

        /** The capacity in dimension 0. */
        public Builder capacity(int agent, double capacity) {
            return capacity(agent, 0, capacity);
        }

        /** @throws IllegalArgumentException naming {@code speed} unless positive and finite */
        public Builder speed(int agent, double speed) {
            agent(agent);
            if (!(speed > 0) || Double.isInfinite(speed)) {
                throw new IllegalArgumentException("speed must be positive and finite: " + speed);
            }
            this.speed[agent] = speed;
            return this;
        }

        /** @throws IllegalArgumentException naming {@code costRate} if negative or not finite */
        public Builder costRate(int agent, double rate) {
            agent(agent);
            this.costRate[agent] = nonNegative("costRate", rate);
            return this;
        }

        /** What {@code task} uses of {@code dim} on {@code agent}. */
        public Builder demand(int task, int agent, int dim, double demand) {
            task(task);
            agent(agent);
            dim(dim);
            this.demand[(dim * agents + agent) * tasks + task] = nonNegative("demand", demand);
            return this;
        }

        /** What {@code task} uses of {@code dim} on every agent. */
        public Builder demand(int task, int dim, double demand) {
            for (int i = 0; i < agents; i++) {
                demand(task, i, dim, demand);
            }
            return this;
        }

        /** The task's work: its duration on an agent is work / speed unless set with {@link #duration}. */
        public Builder work(int task, double work) {
            task(task);
            this.work[task] = nonNegative("work", work);
            return this;
        }

        /** How long {@code task} runs on {@code agent} (overrides work / speed). */
        public Builder duration(int task, int agent, double duration) {
            task(task);
            agent(agent);
            this.duration[agent * tasks + task] = nonNegative("duration", duration);
            return this;
        }

        /** What {@code task} costs on {@code agent} (overrides duration × cost rate). */
        public Builder cost(int task, int agent, double cost) {
            task(task);
            agent(agent);
            this.cost[agent * tasks + task] = nonNegative("cost", cost);
            return this;
        }

        /** Adds a rule. @throws NullPointerException if {@code constraint} is null */
        public Builder constraint(AllocationConstraint constraint) {
            constraints.add(Objects.requireNonNull(constraint, "constraint"));
            return this;
        }

        /** The problem. @throws IllegalArgumentException if a constraint names a task or agent out of range */
        public AllocationProblem build() {
            AllocationProblem p = new AllocationProblem(this);
            for (AllocationConstraint c : p.constraints) {
                c.check(p);
            }
            return p;
        }
    }
}
