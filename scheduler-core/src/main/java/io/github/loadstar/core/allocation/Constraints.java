package io.github.loadstar.core.allocation;

import java.util.Arrays;

/** The built-in {@link AllocationConstraint rules}. */
public final class Constraints {
    private Constraints() {
    }

    /**
     * Affinity: {@code task} goes to one of {@code agents}.
     *
     * @throws IllegalArgumentException if {@code agents} is empty
     */
    public static AllocationConstraint onlyOn(int task, int... agents) {
        return new AgentSet(task, agents, true);
    }

    /**
     * Anti-affinity: {@code task} goes to none of {@code agents}.
     *
     * @throws IllegalArgumentException if {@code agents} is empty
     */
    public static AllocationConstraint notOn(int task, int... agents) {
        return new AgentSet(task, agents, false);
    }

    /**
     * At most {@code limit} tasks on any agent.
     *
     * @throws IllegalArgumentException if {@code limit} is below 1
     */
    public static AllocationConstraint maxTasksPerAgent(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("maxTasksPerAgent must be at least 1: " + limit);
        }
        return new MaxTasks(limit);
    }

    /**
     * The tasks share one agent.
     *
     * @throws IllegalArgumentException if fewer than two tasks are given
     */
    public static AllocationConstraint together(int... tasks) {
        return new Group(tasks, true);
    }

    /**
     * No two of the tasks share an agent.
     *
     * @throws IllegalArgumentException if fewer than two tasks are given
     */
    public static AllocationConstraint apart(int... tasks) {
        return new Group(tasks, false);
    }

    private static void checkTask(AllocationProblem p, int task, String what) {
        if (task < 0 || task >= p.tasks()) {
            throw new IllegalArgumentException(what + ": task " + task + " is not in [0, " + p.tasks() + ")");
        }
    }

    /** {@link #onlyOn} and {@link #notOn}: a task and a set of agents it must, or must not, go to. */
    public static final class AgentSet implements AllocationConstraint {
        private final int task;
        private final boolean[] inSet;    // by agent, up to the largest agent named
        private final int[] agents;
        private final boolean only;

        AgentSet(int task, int[] agents, boolean only) {
            if (agents.length == 0) {
                throw new IllegalArgumentException((only ? "onlyOn" : "notOn") + " needs at least one agent");
            }
            this.task = task;
            this.agents = agents.clone();
            int max = 0;
            for (int a : agents) {
                if (a < 0) {
                    throw new IllegalArgumentException((only ? "onlyOn" : "notOn") + ": agent " + a + " is negative");
                }
                max = Math.max(max, a);
            }
            this.inSet = new boolean[max + 1];
            for (int a : agents) {
                inSet[a] = true;
            }
            this.only = only;
        }

        /** The task. */
        public int task() {
            return task;
        }

        /** The agents named (a copy). */
        public int[] agents() {
            return agents.clone();
        }

        /** True for {@link #onlyOn}, false for {@link #notOn}. */
        public boolean only() {
            return only;
        }

        private boolean member(int agent) {
            return agent < inSet.length && inSet[agent];
        }

        @Override
        public String describe() {
            return (only ? "onlyOn(task " : "notOn(task ") + task + ", agents " + Arrays.toString(agents) + ")";
        }

        @Override
        public double violation(AllocationProblem problem, int[] assignment) {
            return allows(problem, task, assignment[task]) ? 0 : 1;
        }

        @Override
        public boolean allows(AllocationProblem problem, int t, int agent) {
            return t != task || member(agent) == only;
        }

        @Override
        public void check(AllocationProblem p) {
            checkTask(p, task, describe());
            for (int a : agents) {
                if (a >= p.agents()) {
                    throw new IllegalArgumentException(describe() + ": agent " + a + " is not in [0, " + p.agents() + ")");
                }
            }
        }
    }

    /** {@link #maxTasksPerAgent}. */
    public static final class MaxTasks implements AllocationConstraint {
        private final int limit;

        MaxTasks(int limit) {
            this.limit = limit;
        }

        /** The most tasks one agent may take. */
        public int limit() {
            return limit;
        }

        @Override
        public String describe() {
            return "maxTasksPerAgent(" + limit + ")";
        }

        @Override
        public double violation(AllocationProblem problem, int[] assignment) {
            int[] count = new int[problem.agents()];
            for (int a : assignment) {
                count[a]++;
            }
            double over = 0;
            for (int c : count) {
                over += Math.max(0, c - limit);
            }
            return over;
        }

        @Override
        public String provablyInfeasible(AllocationProblem p) {
            return (long) limit * p.agents() < p.tasks()
                    ? p.tasks() + " tasks cannot go to " + p.agents() + " agents at " + limit + " each" : null;
        }
    }

    /** {@link #together} and {@link #apart}: a group of tasks that must, or must not, share an agent. */
    public static final class Group implements AllocationConstraint {
        private final int[] tasks;
        private final boolean together;

        Group(int[] tasks, boolean together) {
            if (tasks.length < 2) {
                throw new IllegalArgumentException((together ? "together" : "apart") + " needs at least two tasks");
            }
            this.tasks = tasks.clone();
            this.together = together;
        }

        /** The tasks (a copy). */
        public int[] tasks() {
            return tasks.clone();
        }

        /** True for {@link #together}, false for {@link #apart}. */
        public boolean together() {
            return together;
        }

        @Override
        public String describe() {
            return (together ? "together" : "apart") + "(tasks " + Arrays.toString(tasks) + ")";
        }

        @Override
        public double violation(AllocationProblem problem, int[] assignment) {
            int[] count = new int[problem.agents()];
            int distinct = 0;
            int most = 0;
            for (int t : tasks) {
                if (count[assignment[t]]++ == 0) {
                    distinct++;
                }
                most = Math.max(most, count[assignment[t]]);
            }
            // together: the tasks not on the agent holding most of them; apart: the tasks that share
            return together ? tasks.length - most : tasks.length - distinct;
        }

        @Override
        public String provablyInfeasible(AllocationProblem p) {
            if (!together) {
                return tasks.length > p.agents() ? tasks.length + " tasks must be apart on " + p.agents() + " agents" : null;
            }
            for (int i = 0; i < p.agents(); i++) {
                boolean fits = true;
                for (int d = 0; d < p.dimensions() && fits; d++) {
                    double sum = 0;
                    for (int t : tasks) {
                        sum += p.demand(t, i, d);
                    }
                    fits = sum <= p.capacity(i, d);
                }
                for (int t : tasks) {
                    fits &= p.allows(t, i);
                }
                if (fits) {
                    return null;
                }
            }
            return "no agent can hold all of them (capacity, or another rule)";
        }

        @Override
        public void check(AllocationProblem p) {
            for (int t : tasks) {
                checkTask(p, t, describe());
            }
        }
    }
}
