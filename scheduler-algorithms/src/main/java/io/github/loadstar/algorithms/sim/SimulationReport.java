package io.github.loadstar.algorithms.sim;

import io.github.loadstar.core.metrics.Fairness;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a simulation did: per task, per tenant, and the summary figures — service, deadline misses,
 * waiting time (arrival to first run) and Jain's fairness index over tenants' service per weight.
 */
public final class SimulationReport {
    private final String policy;
    private final long endNanos;
    private final List<SimTask> tasks;
    private final long[] busyNanos;
    private final Map<String, TenantSummary> tenants;

    /** One tenant's totals. */
    public record TenantSummary(String tenant, double weight, long tasks, long completed, long serviceNanos) {
        /** Service per unit of weight. */
        public double normalisedService() {
            return serviceNanos / weight;
        }
    }

    SimulationReport(String policy, long endNanos, List<SimTask> tasks, long[] busyNanos) {
        this.policy = policy;
        this.endNanos = endNanos;
        this.tasks = Collections.unmodifiableList(new ArrayList<>(tasks));
        this.busyNanos = busyNanos.clone();
        Map<String, long[]> sums = new TreeMap<>();
        Map<String, Double> weights = new TreeMap<>();
        for (SimTask t : tasks) {
            String tenant = t.options().tenant() == null ? "" : t.options().tenant();
            long[] s = sums.computeIfAbsent(tenant, k -> new long[3]);
            s[0]++;
            if (t.completed()) {
                s[1]++;
            }
            s[2] += t.workNanos() - Math.max(0, t.remainingNanos());
            weights.putIfAbsent(tenant, t.options().tenantWeight());
        }
        Map<String, TenantSummary> byTenant = new TreeMap<>();
        for (Map.Entry<String, long[]> e : sums.entrySet()) {
            long[] s = e.getValue();
            byTenant.put(e.getKey(), new TenantSummary(e.getKey(), weights.get(e.getKey()), s[0], s[1], s[2]));
        }
        this.tenants = Collections.unmodifiableMap(byTenant);
    }

    /** The simulated policy's name. */
    public String policy() {
        return policy;
    }

    /** The virtual time at which the simulation ended. */
    public long endNanos() {
        return endNanos;
    }

    /** Every task, in arrival order, with what happened to it. */
    public List<SimTask> tasks() {
        return tasks;
    }

    /** Per-tenant totals, by tenant ("" for tasks without a tenant). */
    public Map<String, TenantSummary> tenants() {
        return tenants;
    }

    /** Busy time of each agent. */
    public long[] busyNanos() {
        return busyNanos.clone();
    }

    /** Tasks that completed. */
    public long completed() {
        return tasks.stream().filter(SimTask::completed).count();
    }

    /** Tasks with a deadline that completed after it, or had not completed at the end. */
    public long deadlineMisses() {
        return tasks.stream().filter(t -> t.missedDeadline(endNanos)).count();
    }

    /** Jain's index over tenants' service per unit of weight. */
    public double tenantFairness() {
        double[] x = tenants.values().stream().mapToDouble(TenantSummary::normalisedService).toArray();
        return Fairness.jainIndex(x);
    }

    /** The waiting time (arrival to first run) at {@code percentile} (0–100) over tasks that ran. */
    public long waitPercentile(double percentile) {
        long[] waits = tasks.stream().filter(t -> t.firstStartNanos() >= 0)
                .mapToLong(t -> t.firstStartNanos() - t.arrivalNanos()).sorted().toArray();
        if (waits.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100.0 * waits.length) - 1;
        return waits[Math.max(0, Math.min(waits.length - 1, index))];
    }

    /** The longest wait (arrival to first run) of any task that ran. */
    public long maxWait() {
        return waitPercentile(100);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "simulation of %s: %.3f ms virtual, %d tasks, %d completed, %d deadline misses%n"
                        + "  wait p50 %.3f ms, p99 %.3f ms, max %.3f ms; tenant fairness (Jain) %.4f; busy %s%n",
                policy, endNanos / 1e6, tasks.size(), completed(), deadlineMisses(),
                waitPercentile(50) / 1e6, waitPercentile(99) / 1e6, maxWait() / 1e6, tenantFairness(),
                Arrays.toString(busyNanos)));
        for (TenantSummary t : tenants.values()) {
            s.append(String.format(Locale.ROOT, "  tenant %-12s weight %6.2f tasks %6d completed %6d service %.3f ms%n",
                    t.tenant().isEmpty() ? "(none)" : t.tenant(), t.weight(), t.tasks(), t.completed(),
                    t.serviceNanos() / 1e6));
        }
        return s.toString();
    }
}
