package io.github.loadstar.core.metrics;

/**
 * The service one tenant received.
 *
 * @param tenant          the tenant key
 * @param weight          the weight the scheduler serves it by: its ordering policy's answer
 *                        ({@link io.github.loadstar.core.spi.OrderingPolicy#tenantWeight}: a CFS nice
 *                        value, a WFQ weight set by name), else the weight its tasks carry
 * @param requestedWeight the weight its tasks carry ({@link io.github.loadstar.core.TaskOptions#tenantWeight()})
 * @param waiting         its tasks queued or running when the snapshot was taken (an estimate
 *                        while tasks move; exact when they do not)
 * @param completed       its tasks that ran
 * @param serviceNanos    total run time of its tasks
 */
public record TenantMetrics(String tenant, double weight, double requestedWeight, long waiting, long completed,
                            long serviceNanos) {

    /** Service per unit of the weight it is served by: equal across tenants under a perfectly fair policy. */
    public double normalisedService() {
        return serviceNanos / weight;
    }
}
