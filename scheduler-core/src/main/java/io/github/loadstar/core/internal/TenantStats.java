package io.github.loadstar.core.internal;

import io.github.loadstar.core.metrics.TenantMetrics;
import java.util.concurrent.atomic.LongAdder;

/** Service counters of one tenant, shared by every agent that runs its tasks. */
final class TenantStats {
    final String tenant;
    volatile double weight;
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

    TenantMetrics snapshot() {
        return new TenantMetrics(tenant, weight, completed.sum(), serviceNanos.sum());
    }
}
