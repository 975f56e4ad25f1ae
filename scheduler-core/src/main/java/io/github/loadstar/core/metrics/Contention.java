package io.github.loadstar.core.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tenants that competed between two snapshots — those with tasks waiting or running at both
 * ends — and the service per unit of weight each received in between: what demand-aware fairness
 * ({@link WindowFigures}) and the starved-tenant finding ({@link BottleneckAnalysis}) both rest on.
 */
final class Contention {
    private Contention() {
    }

    /** Tenant → service per weight between {@code a} and {@code b}, for the tenants backlogged at both. */
    static Map<String, Double> between(SchedulerMetrics a, SchedulerMetrics b) {
        Map<String, Double> served = new LinkedHashMap<>();
        for (TenantMetrics after : b.tenants()) {
            if (after.waiting() == 0) {
                continue;
            }
            for (TenantMetrics before : a.tenants()) {
                if (before.tenant().equals(after.tenant())) {
                    if (before.waiting() > 0) {
                        served.put(after.tenant(),
                                Math.max(0, after.serviceNanos() - before.serviceNanos()) / after.weight());
                    }
                    break;
                }
            }
        }
        return served;
    }
}
