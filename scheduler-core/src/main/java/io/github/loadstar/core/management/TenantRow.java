package io.github.loadstar.core.management;

import io.github.loadstar.core.metrics.TenantMetrics;

/** One tenant, as JMX shows it (a composite row of open types). */
public final class TenantRow {
    private final String tenant;
    private final double weight;
    private final long waiting;
    private final long completed;
    private final double serviceSeconds;

    /** For the MXBean machinery. */
    @javax.management.ConstructorParameters({"tenant", "weight", "waiting", "completed", "serviceSeconds"})
    public TenantRow(String tenant, double weight, long waiting, long completed, double serviceSeconds) {
        this.tenant = tenant;
        this.weight = weight;
        this.waiting = waiting;
        this.completed = completed;
        this.serviceSeconds = serviceSeconds;
    }

    static TenantRow of(TenantMetrics t) {
        return new TenantRow(t.tenant(), t.weight(), t.waiting(), t.completed(), t.serviceNanos() / 1e9);
    }

    /** The tenant. */
    public String getTenant() {
        return tenant;
    }

    /** The weight it is served by. */
    public double getWeight() {
        return weight;
    }

    /** Its tasks queued or running. */
    public long getWaiting() {
        return waiting;
    }

    /** Its tasks that ran. */
    public long getCompleted() {
        return completed;
    }

    /** The run time of its tasks, in seconds. */
    public double getServiceSeconds() {
        return serviceSeconds;
    }
}
