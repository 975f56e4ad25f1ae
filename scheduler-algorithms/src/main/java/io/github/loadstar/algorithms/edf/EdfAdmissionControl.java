package io.github.loadstar.algorithms.edf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Admission control for periodic tasks under EDF, partitioned over agents.
 *
 * <p>An agent admits periodic tasks while their total utilization {@code Σ C/T ≤ 1}: for implicit
 * deadlines (D = T) on one preemptive processor that is EDF's exact test (Liu and Layland 1973) —
 * not {@code n(2^(1/n) − 1)}, which is the rate-monotonic bound and would reject feasible sets.
 * Utilizations are summed as exact fractions. Across agents, tasks are partitioned first-fit: one
 * task goes to the lowest-numbered agent it fits on; a batch is sorted by decreasing utilization
 * first (first-fit decreasing) and admitted all or nothing. A rejection says why.
 *
 * <p>The runtime does not preempt running tasks, so the bound is the preemptive one: admitted work
 * fits each agent's capacity, and jobs short relative to the periods of their agent's other tasks
 * meet their deadlines; long non-preemptible jobs can still block a shorter-period job (see
 * docs/algorithms.md). Thread-safe: every method is atomic.
 */
public final class EdfAdmissionControl {
    private final Fraction[] utilization;
    private final List<List<PeriodicTaskSpec>> admitted;

    /**
     * @throws IllegalArgumentException if {@code agents} is less than 1
     */
    public EdfAdmissionControl(int agents) {
        if (agents < 1) {
            throw new IllegalArgumentException("agents must be at least 1: " + agents);
        }
        this.utilization = new Fraction[agents];
        this.admitted = new ArrayList<>(agents);
        for (int i = 0; i < agents; i++) {
            utilization[i] = Fraction.ZERO;
            admitted.add(new ArrayList<>());
        }
    }

    /** Where an admitted task runs. */
    public record Admission(PeriodicTaskSpec task, int agent) {
    }

    /** An admission that does not fit; the message says why. */
    public static final class AdmissionRejectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AdmissionRejectedException(String message) {
            super(message);
        }
    }

    /**
     * Admits one task on the first agent it fits on.
     *
     * @throws NullPointerException        if {@code task} is null
     * @throws AdmissionRejectedException if no agent has room; nothing changes
     */
    public synchronized Admission admit(PeriodicTaskSpec task) {
        Objects.requireNonNull(task, "task");
        Fraction u = task.utilization();
        int agent = firstFit(utilization, u);
        if (agent < 0) {
            throw new AdmissionRejectedException(rejection(task, utilization));
        }
        utilization[agent] = utilization[agent].plus(u);
        admitted.get(agent).add(task);
        return new Admission(task, agent);
    }

    /**
     * Admits a batch by first-fit decreasing, all or nothing.
     *
     * @throws NullPointerException        if {@code tasks} or an element is null
     * @throws AdmissionRejectedException if some task fits on no agent; nothing changes
     */
    public synchronized List<Admission> admitAll(Collection<PeriodicTaskSpec> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        List<PeriodicTaskSpec> sorted = new ArrayList<>(tasks.size());
        for (PeriodicTaskSpec t : tasks) {
            sorted.add(Objects.requireNonNull(t, "tasks contains null"));
        }
        sorted.sort((a, b) -> b.utilization().compareTo(a.utilization()));
        Fraction[] trial = utilization.clone();
        List<Admission> result = new ArrayList<>(sorted.size());
        for (PeriodicTaskSpec t : sorted) {
            Fraction u = t.utilization();
            int agent = firstFit(trial, u);
            if (agent < 0) {
                throw new AdmissionRejectedException(rejection(t, trial)
                        + " (batch of " + sorted.size() + " rejected as a whole)");
            }
            trial[agent] = trial[agent].plus(u);
            result.add(new Admission(t, agent));
        }
        System.arraycopy(trial, 0, utilization, 0, trial.length);
        for (Admission a : result) {
            admitted.get(a.agent()).add(a.task());
        }
        return result;
    }

    /**
     * Gives back an admitted task's share.
     *
     * @throws IllegalArgumentException if it is not admitted on that agent, or there is no such agent
     */
    public synchronized void release(Admission admission) {
        Objects.requireNonNull(admission, "admission");
        checkAgent(admission.agent());
        if (!admitted.get(admission.agent()).remove(admission.task())) {
            throw new IllegalArgumentException(admission + " is not admitted");
        }
        utilization[admission.agent()] = utilization[admission.agent()].minus(admission.task().utilization());
    }

    /**
     * An agent's admitted utilization, rounded for reports.
     *
     * @throws IllegalArgumentException if there is no such agent
     */
    public synchronized double utilization(int agent) {
        checkAgent(agent);
        return utilization[agent].doubleValue();
    }

    /** Whether an agent's admitted utilization is exactly at most 1 (always, by construction). */
    synchronized boolean withinBound(int agent) {
        return utilization[agent].compareTo(Fraction.ONE) <= 0;
    }

    private static int firstFit(Fraction[] used, Fraction u) {
        for (int i = 0; i < used.length; i++) {
            if (used[i].plus(u).compareTo(Fraction.ONE) <= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String rejection(PeriodicTaskSpec task, Fraction[] used) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "periodic task '%s' (C=%s, T=%s, utilization %.6f) fits on no agent: EDF admits while "
                        + "the sum of C/T stays at most 1; agents are at ",
                task.name(), task.executionTime(), task.period(), task.utilizationEstimate()));
        for (int i = 0; i < used.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", used[i].doubleValue()));
        }
        return s.toString();
    }

    private void checkAgent(int agent) {
        if (agent < 0 || agent >= utilization.length) {
            throw new IllegalArgumentException("agent must be between 0 and " + (utilization.length - 1) + ": " + agent);
        }
    }
}
