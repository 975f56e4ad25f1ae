package io.github.loadstar.core.internal;

import io.github.loadstar.core.metrics.TenantMetrics;
import java.util.concurrent.atomic.LongAdder;

/**
 * One tenant: the weight its tasks carry (fixed by its first task; see
 * {@link SchedulerFigures#tenant}) and its service counters, shared by every agent that runs its
 * tasks.
 */
final class TenantStats {
    final String tenant;
    /** Fixed by the first task, or set by the registry (SchedulerSettings.tenantWeights) when configured. */
    volatile double weight;
    /** The last options resolved to the registry's weight, and what they became (see SchedulerFigures.resolve). */
    volatile io.github.loadstar.core.TaskOptions[] resolved;
    private final LongAdder submitted = new LongAdder();
    private final LongAdder left = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder serviceNanos = new LongAdder();

    TenantStats(String tenant, double weight) {
        this.tenant = tenant;
        this.weight = weight;
    }

    /** A task of this tenant was queued. */
    void submitted() {
        submitted.increment();
    }

    /** A queued task of this tenant left without running (cancelled, returned by shutdownNow, refused). */
    void left() {
        left.increment();
    }

    void record(long runNanos) {
        completed.increment();
        serviceNanos.add(Math.max(0, runNanos));
    }

    /** With {@code servedWeight}, the weight the ordering policy serves the tenant by now. */
    TenantMetrics snapshot(double servedWeight) {
        long done = completed.sum();
        long gone = left.sum();
        long waiting = Math.max(0, submitted.sum() - done - gone);
        return new TenantMetrics(tenant, servedWeight, weight, waiting, done, serviceNanos.sum());
    }
}
