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
    final double weight;
    private final LongAdder completed = new LongAdder();
    private final LongAdder serviceNanos = new LongAdder();

    TenantStats(String tenant, double weight) {
        this.tenant = tenant;
        this.weight = weight;
    }

    void record(long runNanos) {
        completed.increment();
        serviceNanos.add(Math.max(0, runNanos));
    }

    /** With {@code servedWeight}, the weight the ordering policy serves the tenant by now. */
    TenantMetrics snapshot(double servedWeight) {
        return new TenantMetrics(tenant, servedWeight, weight, completed.sum(), serviceNanos.sum());
    }
}
