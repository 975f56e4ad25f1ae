package io.github.loadstar.core.metrics;

/**
 * The service one tenant received.
 *
 * @param tenant       the tenant key
 * @param weight       its weight
 * @param completed    its tasks that ran
 * @param serviceNanos total run time of its tasks
 */
public record TenantMetrics(String tenant, double weight, long completed, long serviceNanos) {

    /** Service per unit of weight: equal across tenants under a perfectly fair policy. */
    public double normalisedService() {
        return serviceNanos / weight;
    }
}
