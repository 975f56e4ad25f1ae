package io.github.loadstar.core.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An immutable snapshot of a scheduler's figures: per agent, per tenant, and the derived balance
 * indicators the original specification names — load distribution variance, task migration rate,
 * queue latency percentiles, utilization and Jain's fairness index.
 *
 * <p>Balance is reported on two sample sets:
 * <ul>
 *   <li><b>load</b>: each agent's queued cost per unit of capacity, now. It says how evenly the
 *       work still waiting is spread; it is all zeros once the scheduler drains.</li>
 *   <li><b>work</b>: each agent's busy time per unit of capacity since start. It says how evenly
 *       the work done so far was spread, and is what {@link #workFairness()} is computed on.</li>
 * </ul>
 * Tenant fairness is Jain's index over each tenant's service divided by the weight it is served by
 * (the ordering policy's, see {@link TenantMetrics#weight()}). It is cumulative: when tenants' demands
 * differ (one runs out of work), it falls although no policy was unfair.
 *
 * <p>Counters are written by each agent just after a task returns, without synchronising with the
 * reader, so a snapshot taken the instant a task's future completes may not count that task yet
 * (as {@link java.util.concurrent.ThreadPoolExecutor#getCompletedTaskCount()} is approximate). Once
 * the scheduler has terminated, every count is final.
 */
public final class SchedulerMetrics {
    private final long uptimeNanos;
    private final List<AgentMetrics> agents;
    private final List<TenantMetrics> tenants;
    private final LatencySummary queueLatency;
    private final long rejected;
    private final long discarded;
    private final long listenerErrors;
    private final long strategyErrors;
    private final long sharedQueued;

    private final long completed;
    private final long failed;
    private final long cancelled;
    private final long queued;
    private final long migrations;
    private final long steals;
    private final long lateStarts;
    private final long deadlineMisses;
    private final double loadVariance;
    private final double loadCoefficientOfVariation;
    private final double workCoefficientOfVariation;
    private final double workFairness;
    private final double tenantFairness;
    private final double utilization;
    private final AllocationFigures allocations;

    /**
     * Derives the scheduler-wide figures from the per-agent and per-tenant ones.
     *
     * @param uptimeNanos    nanoseconds since the scheduler started
     * @param agents         per-agent figures, by index
     * @param tenants        per-tenant figures
     * @param queueLatency   sampled queue latency
     * @param rejected       submissions rejected (after shutdown, or at the queue bound with ABORT)
     * @param discarded      submissions dropped at the queue bound with DISCARD
     * @param listenerErrors exceptions thrown by listeners
     * @param strategyErrors exceptions thrown by strategies (placement, steal and ordering policies,
     *                       agent breakers, idle strategies), each answered with a safe default
     * @param sharedQueued   tasks waiting in queues no agent owns (the shared injection queue, and the
     *                       shared backlog in GLOBAL ordering scope)
     */
    public SchedulerMetrics(long uptimeNanos, List<AgentMetrics> agents, List<TenantMetrics> tenants,
                            LatencySummary queueLatency, long rejected, long discarded, long listenerErrors,
                            long strategyErrors, long sharedQueued) {
        this(uptimeNanos, agents, tenants, queueLatency, rejected, discarded, listenerErrors, strategyErrors, sharedQueued,
                AllocationFigures.none());
    }

    /** As the constructor above, with the batches allocated so far. */
    public SchedulerMetrics(long uptimeNanos, List<AgentMetrics> agents, List<TenantMetrics> tenants,
                            LatencySummary queueLatency, long rejected, long discarded, long listenerErrors,
                            long strategyErrors, long sharedQueued, AllocationFigures allocations) {
        this.uptimeNanos = uptimeNanos;
        this.allocations = java.util.Objects.requireNonNull(allocations, "allocations");
        this.agents = List.copyOf(Objects.requireNonNull(agents, "agents"));
        this.tenants = List.copyOf(Objects.requireNonNull(tenants, "tenants"));
        this.queueLatency = Objects.requireNonNull(queueLatency, "queueLatency");
        this.rejected = rejected;
        this.discarded = discarded;
        this.listenerErrors = listenerErrors;
        this.strategyErrors = strategyErrors;
        this.sharedQueued = sharedQueued;

        int n = this.agents.size();
        int present = 0;
        for (AgentMetrics a : this.agents) {
            present += a.state() == AgentState.REMOVED ? 0 : 1;
        }
        // removed agents count in the totals, not in the balance: no load, no share of the work
        double[] load = new double[present];
        double[] work = new double[present];
        int k = 0;
        long completedSum = 0;
        long failedSum = 0;
        long cancelledSum = 0;
        long queuedSum = 0;
        long migrationSum = 0;
        long stealSum = 0;
        long lateSum = 0;
        long missSum = 0;
        double utilizationSum = 0;
        for (int i = 0; i < n; i++) {
            AgentMetrics a = this.agents.get(i);
            if (a.state() != AgentState.REMOVED) {
                load[k] = a.load();
                work[k] = a.normalisedWork();
                utilizationSum += a.utilization();
                k++;
            }
            completedSum += a.completed();
            failedSum += a.failed();
            cancelledSum += a.cancelled();
            queuedSum += a.queued();
            migrationSum += a.migratedOut();
            stealSum += a.stealsIn();
            lateSum += a.lateStarts();
            missSum += a.deadlineMisses();
        }
        this.completed = completedSum;
        this.failed = failedSum;
        this.cancelled = cancelledSum;
        this.queued = queuedSum + sharedQueued;
        this.migrations = migrationSum;
        this.steals = stealSum;
        this.lateStarts = lateSum;
        this.deadlineMisses = missSum;
        this.utilization = present == 0 ? 0 : utilizationSum / present;
        this.loadVariance = Fairness.variance(load);
        this.loadCoefficientOfVariation = Fairness.coefficientOfVariation(load);
        this.workCoefficientOfVariation = Fairness.coefficientOfVariation(work);
        this.workFairness = Fairness.jainIndex(work);
        double[] service = new double[this.tenants.size()];
        for (int i = 0; i < service.length; i++) {
            service[i] = this.tenants.get(i).normalisedService();
        }
        this.tenantFairness = Fairness.jainIndex(service);
    }

    /** Nanoseconds since the scheduler started, up to its termination once it has terminated. */
    public long uptimeNanos() {
        return uptimeNanos;
    }

    /** Per-agent figures, by agent index. */
    public List<AgentMetrics> agents() {
        return agents;
    }

    /**
     * The row of the agent with this index, or null if none is listed (a slot that has never held an
     * agent). Rows are in index order; with agents added later an index can outrun the list position.
     */
    public AgentMetrics agent(int index) {
        if (index >= 0 && index < agents.size() && agents.get(index).index() == index) {
            return agents.get(index);
        }
        for (AgentMetrics a : agents) {
            if (a.index() == index) {
                return a;
            }
        }
        return null;
    }

    /** Per-tenant figures, for tenants that have had at least one task run. */
    public List<TenantMetrics> tenants() {
        return tenants;
    }

    /** Sampled queue latency. */
    public LatencySummary queueLatency() {
        return queueLatency;
    }

    /** Tasks that ran, successfully or not. */
    public long completed() {
        return completed;
    }

    /** Tasks that ran and threw. */
    public long failed() {
        return failed;
    }

    /**
     * Tasks dropped because they were cancelled before they started. A queued future that is
     * cancelled stays in its queue (as {@code ThreadPoolExecutor}'s does) and is counted here, and
     * leaves {@link #queued()} and the queue bound, when an agent reaches it and drops it.
     */
    public long cancelled() {
        return cancelled;
    }

    /**
     * Tasks waiting now: the agents' queue sizes and the shared queues', read one after another
     * without stopping the agents, so an estimate while tasks move between queues (exact when they
     * do not).
     */
    public long queued() {
        return queued;
    }

    /** Tasks waiting in queues no agent owns (included in {@link #queued()}). */
    public long sharedQueued() {
        return sharedQueued;
    }

    /** Submissions rejected. */
    public long rejected() {
        return rejected;
    }

    /** Submissions discarded at the queue bound. */
    public long discarded() {
        return discarded;
    }

    /** Exceptions thrown by listeners (and swallowed). */
    public long listenerErrors() {
        return listenerErrors;
    }

    /**
     * Exceptions thrown by strategies — a placement, steal or ordering policy, an agent breaker, an
     * idle strategy — and swallowed: each failed call was answered with a safe default (see
     * {@link io.github.loadstar.core.spi}), and the first of each kind was logged.
     */
    public long strategyErrors() {
        return strategyErrors;
    }

    /**
     * Tasks moved between agents to relieve one: taken by a steal from an agent that was inside a
     * task and had more work queued than the one task taken, or handed away from an agent whose
     * circuit breaker refused them. A lone task taken from an agent that was between tasks,
     * finishing one, searching or parked counts in {@link #steals()} only: placement named an
     * agent that was not behind, and another reached the task first.
     */
    public long migrations() {
        return migrations;
    }

    /** Successful steal operations (each moves one or more tasks). */
    public long steals() {
        return steals;
    }

    /** Tasks with a deadline that started after it. */
    public long lateStarts() {
        return lateStarts;
    }

    /** Tasks with a deadline that finished after it. */
    public long deadlineMisses() {
        return deadlineMisses;
    }

    /** {@link #migrations()} per completed task; 0 before any task completed. */
    public double migrationRate() {
        return completed == 0 ? 0 : (double) migrations / completed;
    }

    /** Completed tasks per second since start. */
    public double throughputPerSecond() {
        return uptimeNanos <= 0 ? 0 : completed * 1e9 / uptimeNanos;
    }

    /** Mean utilization over the agents. */
    public double utilization() {
        return utilization;
    }

    /** Population variance of per-agent queued cost per unit of capacity. */
    public double loadVariance() {
        return loadVariance;
    }

    /** Coefficient of variation of per-agent queued cost per unit of capacity. */
    public double loadCoefficientOfVariation() {
        return loadCoefficientOfVariation;
    }

    /** Coefficient of variation of per-agent busy time per unit of capacity. */
    public double workCoefficientOfVariation() {
        return workCoefficientOfVariation;
    }

    /** Jain's index over per-agent busy time per unit of capacity, in [1/n, 1]. */
    public double workFairness() {
        return workFairness;
    }

    /**
     * Jain's index over per-tenant service per unit of the weight each is served by, since start, in
     * [1/n, 1]; 1 with no tenants.
     */
    public double tenantFairness() {
        return tenantFairness;
    }

    /** The batches placed by an allocator ({@code Scheduler.submitAll}), and the last one. */
    public AllocationFigures allocations() {
        return allocations;
    }

    /** The snapshot as a JSON object. */
    public String toJson() {
        StringBuilder s = new StringBuilder(512 + 256 * agents.size());
        s.append('{');
        Json.field(s, "uptimeNanos", uptimeNanos).append(',');
        Json.field(s, "completed", completed).append(',');
        Json.field(s, "failed", failed).append(',');
        Json.field(s, "cancelled", cancelled).append(',');
        Json.field(s, "queued", queued).append(',');
        Json.field(s, "sharedQueued", sharedQueued).append(',');
        Json.field(s, "rejected", rejected).append(',');
        Json.field(s, "discarded", discarded).append(',');
        Json.field(s, "listenerErrors", listenerErrors).append(',');
        Json.field(s, "strategyErrors", strategyErrors).append(',');
        Json.field(s, "steals", steals).append(',');
        Json.field(s, "migrations", migrations).append(',');
        Json.field(s, "migrationRate", migrationRate()).append(',');
        Json.field(s, "lateStarts", lateStarts).append(',');
        Json.field(s, "deadlineMisses", deadlineMisses).append(',');
        Json.field(s, "throughputPerSecond", throughputPerSecond()).append(',');
        Json.field(s, "utilization", utilization).append(',');
        Json.field(s, "loadVariance", loadVariance).append(',');
        Json.field(s, "loadCoefficientOfVariation", loadCoefficientOfVariation).append(',');
        Json.field(s, "workCoefficientOfVariation", workCoefficientOfVariation).append(',');
        Json.field(s, "workFairness", workFairness).append(',');
        Json.field(s, "tenantFairness", tenantFairness).append(',');
        s.append("\"allocations\":{");
        Json.field(s, "batches", allocations.batches()).append(',');
        Json.field(s, "tasksPlaced", allocations.tasksPlaced()).append(',');
        Json.field(s, "allocationNanos", allocations.allocationNanos()).append(',');
        Json.field(s, "lastAllocator", allocations.lastAllocator()).append(',');
        Json.field(s, "lastStatus", allocations.lastStatus()).append(',');
        Json.field(s, "lastObjective", allocations.lastObjective()).append(',');
        Json.field(s, "lastElapsedNanos", allocations.lastElapsedNanos()).append(",\"lastValues\":");
        Json.numbers(s, new java.util.TreeMap<>(allocations.lastValues())).append("},\"queueLatency\":{");
        Json.field(s, "samples", queueLatency.samples()).append(',');
        Json.field(s, "samplingInterval", queueLatency.samplingInterval()).append(',');
        Json.field(s, "p50", queueLatency.p50()).append(',');
        Json.field(s, "p90", queueLatency.p90()).append(',');
        Json.field(s, "p99", queueLatency.p99()).append(',');
        Json.field(s, "p999", queueLatency.p999()).append(',');
        Json.field(s, "max", queueLatency.max()).append(',');
        Json.field(s, "mean", queueLatency.mean()).append("},");
        s.append("\"agents\":[");
        for (int i = 0; i < agents.size(); i++) {
            AgentMetrics a = agents.get(i);
            s.append(i == 0 ? "{" : ",{");
            Json.field(s, "index", a.index()).append(',');
            s.append("\"thread\":");
            Json.quote(s, a.thread()).append(',');
            s.append("\"state\":\"").append(a.state()).append("\",");
            Json.field(s, "capacity", a.capacity()).append(',');
            Json.field(s, "queued", a.queued()).append(',');
            s.append("\"running\":").append(a.running()).append(',');
            Json.field(s, "completed", a.completed()).append(',');
            Json.field(s, "failed", a.failed()).append(',');
            Json.field(s, "cancelled", a.cancelled()).append(',');
            Json.field(s, "stealsIn", a.stealsIn()).append(',');
            Json.field(s, "stealsOut", a.stealsOut()).append(',');
            Json.field(s, "migratedIn", a.migratedIn()).append(',');
            Json.field(s, "migratedOut", a.migratedOut()).append(',');
            Json.field(s, "parks", a.parks()).append(',');
            Json.field(s, "lateStarts", a.lateStarts()).append(',');
            Json.field(s, "deadlineMisses", a.deadlineMisses()).append(',');
            Json.field(s, "busyNanos", a.busyNanos()).append(',');
            Json.field(s, "utilization", a.utilization()).append(',');
            Json.field(s, "load", a.load()).append(',');
            s.append("\"breakerState\":");
            Json.quote(s, a.breakerState()).append(',');
            Json.field(s, "breakerTransitions", a.breakerTransitions()).append(',');
            Json.field(s, "rerouted", a.rerouted()).append(',');
            Json.field(s, "cpuNanos", a.cpuNanos()).append(',');
            s.append("\"blocked\":").append(a.blocked()).append(',');
            s.append("\"location\":");
            Json.quote(s, a.location()).append(',');
            Json.field(s, "inFlight", a.inFlight()).append(',');
            Json.field(s, "roundTripMillis", a.roundTripMillis()).append(',');
            Json.field(s, "speed", a.speed()).append(',');
            Json.field(s, "memberRunning", a.memberRunning()).append(',');
            Json.field(s, "memberCpuLoad", a.memberCpuLoad()).append(',');
            Json.field(s, "probeMillis", a.probeMillis()).append(',');
            Json.field(s, "probesUnanswered", a.probesUnanswered()).append('}');
        }
        s.append("],\"tenants\":[");
        for (int i = 0; i < tenants.size(); i++) {
            TenantMetrics t = tenants.get(i);
            s.append(i == 0 ? "{" : ",{");
            s.append("\"tenant\":");
            Json.quote(s, t.tenant()).append(',');
            Json.field(s, "weight", t.weight()).append(',');
            Json.field(s, "requestedWeight", t.requestedWeight()).append(',');
            Json.field(s, "waiting", t.waiting()).append(',');
            Json.field(s, "completed", t.completed()).append(',');
            Json.field(s, "serviceNanos", t.serviceNanos()).append('}');
        }
        return s.append("]}").toString();
    }

    /** What a remote agent's member last said of itself, for the text report. */
    private static String memberFigures(AgentMetrics a) {
        StringBuilder m = new StringBuilder();
        if (a.memberRunning() >= 0) {
            m.append(String.format(Locale.ROOT, "; member runs %d", a.memberRunning()));
            if (a.memberCpuLoad() >= 0) {
                m.append(String.format(Locale.ROOT, ", CPU %.0f %%", a.memberCpuLoad() * 100));
            }
            m.append(String.format(Locale.ROOT, ", probe %.1f ms", a.probeMillis()));
        }
        if (a.probesUnanswered() > 0) {
            m.append(String.format(Locale.ROOT, "; %d probes unanswered", a.probesUnanswered()));
        }
        return m.toString();
    }

    /** A human-readable report: the scheduler-wide figures, then one line per agent and tenant. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(1024);
        s.append(String.format(Locale.ROOT,
                "Loadstar metrics after %.3f s%n"
                        + "  completed %,d (failed %,d, cancelled %,d), queued %,d, rejected %,d, discarded %,d%n"
                        + "  throughput %,.0f tasks/s, utilization %.1f %%%n"
                        + "  steals %,d, migrations %,d (rate %.4f per task), deadline misses %,d (late starts %,d)%n"
                        + "  queue latency (1 in %d sampled, %,d samples): p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n"
                        + "  load variance %.4f, load CoV %.4f | work CoV %.4f, work fairness (Jain) %.4f"
                        + " | tenant fairness (Jain) %.4f%n",
                uptimeNanos / 1e9, completed, failed, cancelled, queued, rejected, discarded,
                throughputPerSecond(), utilization * 100,
                steals, migrations, migrationRate(), deadlineMisses, lateStarts,
                queueLatency.samplingInterval(), queueLatency.samples(),
                nanos(queueLatency.p50()), nanos(queueLatency.p90()), nanos(queueLatency.p99()),
                nanos(queueLatency.p999()), nanos(queueLatency.max()),
                loadVariance, loadCoefficientOfVariation, workCoefficientOfVariation, workFairness,
                tenantFairness));
        s.append(String.format(Locale.ROOT, "  %-5s %-10s %6s %8s %12s %8s %8s %8s %10s %6s  %s%n",
                "agent", "state", "cap", "queued", "completed", "failed", "stealsIn", "stolen", "migratedIn",
                "util", "breaker"));
        for (AgentMetrics a : agents) {
            s.append(String.format(Locale.ROOT, "  %-5d %-10s %6.2f %8d %12d %8d %8d %8d %10d %5.1f%%  %s%n",
                    a.index(), a.state(), a.capacity(), a.queued(), a.completed(), a.failed(), a.stealsIn(),
                    a.stealsOut(), a.migratedIn(), a.utilization() * 100,
                    ("NONE".equals(a.breakerState()) ? "-" : a.breakerState() + " (" + a.breakerTransitions()
                            + " transitions, " + a.rerouted() + " rerouted)")
                            + (a.remote() ? String.format(Locale.ROOT, "  remote %s, %d in flight, round trip %.1f ms,"
                                    + " speed %.2f%s", a.location(), a.inFlight(), a.roundTripMillis(), a.speed(),
                                    memberFigures(a)) : "")));
        }
        for (TenantMetrics t : tenants) {
            s.append(String.format(Locale.ROOT, "  tenant %-16s weight %6.2f completed %,10d service %s%n",
                    t.tenant(), t.weight(), t.completed(), nanos(t.serviceNanos())));
        }
        return s.toString();
    }

    static String nanos(long nanos) {
        if (nanos < 10_000) {
            return nanos + " ns";
        }
        if (nanos < 10_000_000) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 10_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
