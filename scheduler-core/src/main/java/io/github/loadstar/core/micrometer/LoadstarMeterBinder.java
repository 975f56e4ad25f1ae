package io.github.loadstar.core.micrometer;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.metrics.TenantMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a scheduler's figures to Micrometer: the executor meters under Micrometer's own names
 * ({@code executor.completed}, {@code executor.active}, {@code executor.queued},
 * {@code executor.pool.size}, {@code executor.pool.core}, {@code executor.pool.max}, as
 * {@code ExecutorServiceMetrics} names them), and Loadstar's under {@code loadstar.*}: steals,
 * migrations, failures, cancellations, rejections, queue latency percentiles, load variance and its
 * coefficient of variation, utilization, work and tenant fairness; per agent (tag {@code agent})
 * its completed tasks, queue, utilization and breaker state; per tenant (tag {@code tenant}) its
 * service, weight and waiting tasks. Every meter carries the tag {@code name} (the scheduler's
 * name) and the extra tags given here.
 *
 * <p>Cardinality is bounded: one series per agent, and at most {@value #MAX_TENANTS} tenants by
 * name — the tenants beyond are summed under {@code tenant=other}. The meters read one snapshot
 * ({@link Scheduler#metrics()}) at most every {@value #MAX_AGE_MILLIS} ms, however many meters a
 * registry reads at once.
 *
 * <p>Micrometer is an optional dependency of {@code scheduler-core} ({@code requires static} in its
 * module descriptor): applications that do not use this class need not have it.
 */
public final class LoadstarMeterBinder implements MeterBinder {
    /** The most tenants published by name. */
    public static final int MAX_TENANTS = 100;
    /** How old a snapshot may be when a meter is read. */
    public static final long MAX_AGE_MILLIS = 100;

    private final Scheduler scheduler;
    private final Tags tags;
    private SchedulerMetrics cached;
    private long cachedAt;
    private MultiGauge tenantService;
    private MultiGauge tenantWeight;
    private MultiGauge tenantWaiting;
    private boolean refreshing;

    /** Binds {@code scheduler}'s figures, tagged with its name. */
    public LoadstarMeterBinder(Scheduler scheduler) {
        this(scheduler, Tags.empty());
    }

    /**
     * Binds {@code scheduler}'s figures, tagged with its name and {@code extraTags}.
     *
     * @throws NullPointerException if an argument is null
     */
    public LoadstarMeterBinder(Scheduler scheduler, Iterable<Tag> extraTags) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.tags = Tags.of("name", scheduler.name()).and(Objects.requireNonNull(extraTags, "extraTags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        int agents = scheduler.agentCount();
        counter(registry, "executor.completed", "tasks", "Tasks that ran, successfully or not", m -> m.completed(), tags);
        gauge(registry, "executor.active", "threads", "Agents inside a task", m -> m.agents().stream()
                .filter(AgentMetrics::running).count(), tags);
        gauge(registry, "executor.queued", "tasks", "Tasks waiting in the agents' and the shared queues", m -> m.queued(), tags);
        gauge(registry, "executor.pool.size", "threads", "Agents in the scheduler", m -> present(m), tags);
        gauge(registry, "executor.pool.core", "threads", "Agents in the scheduler", m -> present(m), tags);
        gauge(registry, "executor.pool.max", "threads", "Agent slots (SchedulerBuilder.maxAgents)", m -> agents, tags);

        counter(registry, "loadstar.steals", "steals", "Steal operations", m -> m.steals(), tags);
        counter(registry, "loadstar.migrations", "tasks", "Tasks moved between agents to relieve one", m -> m.migrations(), tags);
        counter(registry, "loadstar.failed", "tasks", "Tasks that threw", m -> m.failed(), tags);
        counter(registry, "loadstar.cancelled", "tasks", "Tasks cancelled before they started", m -> m.cancelled(), tags);
        counter(registry, "loadstar.rejected", "tasks", "Submissions rejected", m -> m.rejected(), tags);
        counter(registry, "loadstar.strategy.errors", "errors", "Strategy calls that threw", m -> m.strategyErrors(), tags);
        for (String[] p : new String[][] {{"0.5", "p50"}, {"0.99", "p99"}, {"0.999", "p999"}}) {
            ToDoubleFunction<SchedulerMetrics> f = "p50".equals(p[1]) ? m -> m.queueLatency().p50()
                    : "p99".equals(p[1]) ? m -> m.queueLatency().p99() : m -> m.queueLatency().p999();
            TimeGauge.builder("loadstar.queue.latency", this, TimeUnit.NANOSECONDS, b -> f.applyAsDouble(b.snapshot()))
                    .tags(tags.and("percentile", p[0]))
                    .description("Sampled submit-to-start latency, cumulative")
                    .register(registry);
        }
        gauge(registry, "loadstar.load.variance", null, "Variance of queued cost per capacity over the agents, now",
                m -> m.loadVariance(), tags);
        gauge(registry, "loadstar.load.cov", null, "Coefficient of variation of the same", m -> m.loadCoefficientOfVariation(), tags);
        gauge(registry, "loadstar.utilization", null, "Mean agent busy time over lifetime", m -> m.utilization(), tags);
        gauge(registry, "loadstar.work.fairness", null, "Jain's index over busy time per capacity", m -> m.workFairness(), tags);
        gauge(registry, "loadstar.tenant.fairness", null, "Jain's index over tenant service per served weight",
                m -> m.tenantFairness(), tags);

        for (int i = 0; i < agents; i++) {
            int a = i;
            Tags at = tags.and("agent", Integer.toString(i));
            counter(registry, "loadstar.agent.completed", "tasks", "Tasks the agent ran", m -> m.agent(a) == null ? 0 : m.agent(a).completed(), at);
            gauge(registry, "loadstar.agent.queued", "tasks", "Tasks waiting on the agent", m -> m.agent(a) == null ? 0 : m.agent(a).queued(), at);
            gauge(registry, "loadstar.agent.utilization", null, "The agent's busy time over its lifetime",
                    m -> m.agent(a) == null ? 0 : m.agent(a).utilization(), at);
            gauge(registry, "loadstar.agent.breaker.state", null, "Its breaker: 0 none or closed, 1 half-open, 2 open",
                    m -> m.agent(a) == null ? 0 : breakerLevel(m.agent(a).breakerState()), at);
        }
        synchronized (this) {
            tenantService = MultiGauge.builder("loadstar.tenant.service").tags(tags).baseUnit("seconds")
                    .description("Run time of the tenant's tasks").register(registry);
            tenantWeight = MultiGauge.builder("loadstar.tenant.weight").tags(tags)
                    .description("The weight the tenant is served by").register(registry);
            tenantWaiting = MultiGauge.builder("loadstar.tenant.waiting").tags(tags).baseUnit("tasks")
                    .description("The tenant's tasks queued or running").register(registry);
            cached = null;
            snapshot();
        }
    }

    /** The agents in the scheduler now: not removed. */
    private static long present(SchedulerMetrics m) {
        return m.agents().stream().filter(a -> a.state() != io.github.loadstar.core.metrics.AgentState.REMOVED).count();
    }

    private static double breakerLevel(String state) {
        switch (state) {
            case "HALF_OPEN":
                return 1;
            case "OPEN":
            case "FORCED_OPEN":
                return 2;
            default:
                return 0;
        }
    }

    private void counter(MeterRegistry registry, String name, String unit, String description,
                         ToDoubleFunction<SchedulerMetrics> f, Tags t) {
        FunctionCounter.builder(name, this, b -> f.applyAsDouble(b.snapshot())).tags(t).baseUnit(unit)
                .description(description).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
                       ToDoubleFunction<SchedulerMetrics> f, Tags t) {
        Gauge.builder(name, this, b -> f.applyAsDouble(b.snapshot())).tags(t).baseUnit(unit)
                .description(description).strongReference(true).register(registry);
    }

    /** The snapshot the meters read: a new one at most every {@value #MAX_AGE_MILLIS} ms. */
    synchronized SchedulerMetrics snapshot() {
        long now = System.nanoTime();
        if (cached == null || now - cachedAt > TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MILLIS)) {
            cached = scheduler.metrics();
            cachedAt = now;
            if (!refreshing && tenantService != null) {
                refreshing = true;
                try {
                    publishTenants(cached);
                } finally {
                    refreshing = false;
                }
            }
        }
        return cached;
    }

    /** The tenant rows: the first {@value #MAX_TENANTS} by name, the rest summed under "other". */
    private void publishTenants(SchedulerMetrics m) {
        List<MultiGauge.Row<?>> service = new ArrayList<>();
        List<MultiGauge.Row<?>> weight = new ArrayList<>();
        List<MultiGauge.Row<?>> waiting = new ArrayList<>();
        double otherService = 0;
        double otherWaiting = 0;
        int n = 0;
        for (TenantMetrics t : m.tenants()) {
            if (n++ < MAX_TENANTS) {
                Tags tt = Tags.of("tenant", t.tenant());
                service.add(MultiGauge.Row.of(tt, t.serviceNanos() / 1e9));
                weight.add(MultiGauge.Row.of(tt, t.weight()));
                waiting.add(MultiGauge.Row.of(tt, t.waiting()));
            } else {
                otherService += t.serviceNanos() / 1e9;
                otherWaiting += t.waiting();
            }
        }
        if (n > MAX_TENANTS) {
            service.add(MultiGauge.Row.of(Tags.of("tenant", "other"), otherService));
            waiting.add(MultiGauge.Row.of(Tags.of("tenant", "other"), otherWaiting));
        }
        tenantService.register(service, true);
        tenantWeight.register(weight, true);
        tenantWaiting.register(waiting, true);
    }
}
