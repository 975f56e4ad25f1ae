package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.LatencySummary;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.metrics.TenantMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;

/**
 * Collects a scheduler's figures into a {@link SchedulerMetrics} snapshot: each agent's counters
 * (with its spare's), the latency samples (each agent's recorder is a single-writer HdrHistogram
 * recorder, swapped here and added to a cumulative histogram), and the tenants' service. Never
 * blocks an agent: agents only write their own counters and recorders; snapshots are serialised
 * by a lock of their own.
 */
final class SchedulerFigures {
    private final LoadstarScheduler scheduler;
    private final ConcurrentHashMap<String, TenantStats> tenants = new ConcurrentHashMap<>();
    private final ReentrantLock metricsLock = new ReentrantLock();
    private final Histogram cumulativeLatency = LatencyHistograms.newHistogram();
    private final Histogram[] recycledLatency;

    SchedulerFigures(LoadstarScheduler scheduler, int agents) {
        this.scheduler = scheduler;
        this.recycledLatency = new Histogram[agents];
    }

    /**
     * After submission (the task runs, is cancelled, returned or refused): the counters of the
     * options' tenant, which its submission registered. Checks nothing: the weight rule was applied
     * when the task was queued, and the registry may have named the tenant since.
     */
    TenantStats registered(TaskOptions options) {
        String key = options.tenant();
        TenantStats stats = tenants.get(key);
        return stats != null ? stats : tenants.computeIfAbsent(key, k -> new TenantStats(k, options.tenantWeight()));
    }

    /** The registry's weight for {@code tenant}, else {@code weight}. */
    private double registryWeight(String tenant, double weight) {
        Double configured = scheduler.settings.tenantWeights().get(tenant);
        return configured != null ? configured : weight;
    }

    /**
     * At submission: applies the tenant weight rule to a task's options, registers the tenant at its
     * first task, and returns the options the task is queued with. The rule: a tenant the registry
     * names ({@code SchedulerSettings.tenantWeights}) takes the registry's weight, and its tasks carry
     * that weight or none (the default, 1, which is replaced — by options made once per options
     * object and weight, so a producer reusing its options allocates nothing more); any other tenant
     * is fixed by its first task's weight, and every later task must carry the same.
     *
     * <p>Linearizable against reconfigurations (SettingsLincheckTest): the registry is read once. A
     * reconfiguration that names a tenant writes the settings, then the tenant's weight
     * ({@link #onTenantWeights}); so the tenant's weight is read before the registry, and a registry
     * read that does not name the tenant came before that settings write — the weight read earlier is
     * then the one the first task fixed. (Two reads of the registry, or the weight read after it, let
     * a reconfiguration in between make a valid task look invalid and an invalid one valid; both were
     * seen.)
     *
     * @throws IllegalArgumentException naming tenantWeight if the task carries a weight the rule refuses
     */
    TaskOptions admit(TaskOptions options) {
        String key = options.tenant();
        if (key == null) {
            return options;
        }
        double weight = options.tenantWeight();
        TenantStats stats = tenants.get(key);
        double fixed = stats == null ? Double.NaN : stats.weight;      // before the registry: see above
        Double named = scheduler.settings.tenantWeights().get(key);
        if (named != null) {
            if (weight != named && weight != 1.0) {
                throw new IllegalArgumentException("options.tenantWeight " + weight + " for tenant '" + key
                        + "' differs from its weight " + named + " in the scheduler's settings (tenantWeights): a task"
                        + " of a tenant named there carries that weight or none");
            }
            if (stats == null) {
                stats = tenants.computeIfAbsent(key, k -> new TenantStats(k, registryWeight(k, named)));
            }
            return weight == named ? options : resolved(options, stats, named);
        }
        if (stats == null) {
            boolean[] first = {false};
            stats = tenants.computeIfAbsent(key, k -> {
                first[0] = true;
                return new TenantStats(k, registryWeight(k, weight));
            });
            if (first[0]) {
                return options;     // this task is the tenant's first: it fixes the weight
            }
            fixed = stats.weight;   // another first task, or the registry naming it, came in between
            Double now = scheduler.settings.tenantWeights().get(key);
            if (now != null && (weight == now || weight == 1.0)) {
                return weight == now ? options : resolved(options, stats, now);    // valid after that change
            }
        }
        if (Double.compare(fixed, weight) != 0) {
            throw new IllegalArgumentException("options.tenantWeight " + weight + " for tenant '" + key
                    + "' differs from its weight " + fixed + ", which its first task fixed: every task of"
                    + " a tenant must carry the same weight");
        }
        return options;
    }

    /** {@code options} carrying the registry's weight {@code weight} for {@code stats}' tenant, made once per options object. */
    private static TaskOptions resolved(TaskOptions options, TenantStats stats, double weight) {
        TaskOptions[] last = stats.resolved;
        if (last != null && last[0] == options && last[1].tenantWeight() == weight) {
            return last[1];
        }
        TaskOptions resolved = options.toBuilder().tenant(stats.tenant, weight).build();
        stats.resolved = new TaskOptions[] {options, resolved};
        return resolved;
    }

    /** The registry changed: the named tenants' figures carry their new weights. */
    void onTenantWeights(java.util.Map<String, Double> weights) {
        for (java.util.Map.Entry<String, Double> e : weights.entrySet()) {
            // a tenant without tasks yet is not listed. Under the map's lock for the key: a tenant
            // registered concurrently either is here, or read the registry (with this weight) after
            // the settings write that preceded this call
            double w = e.getValue();
            tenants.computeIfPresent(e.getKey(), (k, stats) -> {
                stats.weight = w;
                return stats;
            });
        }
    }

    /** The weight the ordering policy serves {@code t} by; a policy that throws is answered with the task's weight. */
    private double servedWeight(TenantStats t) {
        LoadstarScheduler s = scheduler;
        if (!s.ordered) {
            return t.weight;
        }
        try {
            double w = s.orderingPolicy.tenantWeight(t.tenant, t.weight);
            return w > 0 && !Double.isInfinite(w) ? w : t.weight;
        } catch (Throwable e) {
            s.strategyFailures.failed(StrategyFailures.ORDERING, "tenantWeight", "the tasks' weight", e);
            return t.weight;
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU time of an agent's thread and its spare's, or -1 where the JVM does not measure it. */
    private static long cpuNanos(Thread own, Thread spare) {
        try {
            if (!THREADS.isThreadCpuTimeSupported() || !THREADS.isThreadCpuTimeEnabled()) {
                return -1;
            }
            return cpuOf(own) + cpuOf(spare);
        } catch (UnsupportedOperationException | SecurityException e) {
            return -1;
        }
    }

    private static long cpuOf(Thread t) {
        return t == null ? 0 : Math.max(0, THREADS.getThreadCpuTime(t.getId()));     // -1 once it has ended
    }

    SchedulerMetrics collect() {
        LoadstarScheduler s = scheduler;
        Agent[] agents = s.agents;
        metricsLock.lock();
        try {
            // a terminated scheduler's figures stop at its termination: its uptime, rates and
            // utilization do not decay while someone reads them later
            long ended = s.terminatedNanos;
            long now = ended != 0 ? ended : System.nanoTime();
            List<AgentMetrics> perAgent = new ArrayList<>(agents.length);
            for (int i = 0; i < agents.length; i++) {
                Agent a = agents[i];
                if (!a.everStarted) {
                    continue;       // a slot that never held an agent
                }
                SpareAgent spare = s.spares.get(i);
                perAgent.add(AgentSnapshot.of(a, now, spare == null ? null : spare.agent,
                        cpuNanos(a.thread, spare == null ? null : spare.thread())));
                Histogram interval = a.latency.getIntervalHistogram(recycledLatency[i]);
                cumulativeLatency.add(interval);
                recycledLatency[i] = interval;
                if (spare != null) {
                    cumulativeLatency.add(spare.agent.latency.getIntervalHistogram());
                }
            }
            List<TenantMetrics> perTenant = new ArrayList<>(tenants.size());
            for (TenantStats t : tenants.values()) {
                perTenant.add(t.snapshot(servedWeight(t)));
            }
            perTenant.sort(Comparator.comparing(TenantMetrics::tenant));
            Histogram h = cumulativeLatency;
            LatencySummary latency = h.getTotalCount() == 0
                    ? LatencySummary.empty(s.samplingInterval())
                    : new LatencySummary(h.getTotalCount(), s.samplingInterval(),
                            h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                            h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
            long shared = s.global.size();
            if (s.globalScope) {
                shared += s.globalInbox.size() + s.globalBacklogSize;
            }
            return new SchedulerMetrics(now - s.startNanos, perAgent, perTenant, latency,
                    s.rejectedCount(), s.discardedCount(), s.events.errors(),
                    s.strategyFailures.count(), shared, s.batches.figures());
        } finally {
            metricsLock.unlock();
        }
    }
}
