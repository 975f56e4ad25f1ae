package io.github.loadstar.core.spi;

/**
 * Decides the order in which an agent runs its waiting tasks, by creating the {@link Backlog}
 * that holds them.
 *
 * <p>Chosen by code ({@code Policies.edf()} in {@code scheduler-algorithms}, or
 * {@link OrderingPolicies#fifo()}) or by name ({@link OrderingPolicies#byName(String)}).
 * {@link OrderingPolicies#fifo() FIFO}, the default, is special: the runtime runs it on its
 * lock-free deques and never creates a backlog for it.
 *
 * <p>A policy object is shared by all the backlogs it creates, so its parameters (an immutable
 * config) can be changed at run time for all of them at once; see {@link Reconfigurable}.
 */
public interface OrderingPolicy {

    /** The policy's short name, as registered ({@code fifo}, {@code edf}, {@code cfs}, ...). */
    String name();

    /** A new, empty backlog: one per agent, or one per scheduler in GLOBAL scope. */
    Backlog newBacklog();

    /** Whether this is FIFO, which the runtime runs on its lock-free path without a backlog. */
    default boolean isFifo() {
        return false;
    }

    /**
     * The weight this policy serves {@code tenant} by now, relative to a weight of 1, when its tasks
     * carry {@code requested} ({@link io.github.loadstar.core.TaskOptions#tenantWeight()}). A policy
     * whose own configuration weighs tenants (a nice value, a weight set by name) or rounds weights
     * answers with that; the runtime's fairness figures measure service against this answer, never
     * against a weight the policy did not use. Default: {@code requested}.
     */
    default double tenantWeight(String tenant, double requested) {
        return requested;
    }
}
