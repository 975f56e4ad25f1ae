package io.github.loadstar.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one task wants to be scheduled: an immutable value, built once and reused for any number
 * of submissions.
 *
 * <pre>{@code
 * TaskOptions urgent = TaskOptions.builder()
 *     .priority(Priority.HIGH)
 *     .deadline(Duration.ofMillis(5))     // relative to the moment of submission
 *     .tenant("billing", 2.0)             // fair-share key and weight
 *     .cost(3)                            // estimated cost, in the caller's units
 *     .build();
 * scheduler.submit(() -> work(), urgent);
 * }</pre>
 *
 * <p>A task is <em>movable</em> unless it is pinned to an agent with {@link Builder#pinnedTo(int)};
 * a pinned task is never stolen or migrated.
 */
public final class TaskOptions {
    /** The options of a plain {@code execute}/{@code submit}: NORMAL, no deadline, no tenant, cost 1, movable. */
    public static final TaskOptions DEFAULT = new Builder().build();

    /** {@link #affinity()} of a task that may run on any agent. */
    public static final int MOVABLE = -1;

    private final Priority priority;
    private final long deadlineNanos;   // relative; <= 0 means none
    private final String tenant;        // null means none
    private final double tenantWeight;
    private final long cost;
    private final int affinity;
    private final int preferredAgent;
    private final String idempotenceKey;  // null means none

    private TaskOptions(Builder b) {
        this.priority = b.priority;
        this.deadlineNanos = b.deadlineNanos;
        this.tenant = b.tenant;
        this.tenantWeight = b.tenantWeight;
        this.cost = b.cost;
        this.affinity = b.affinity;
        this.preferredAgent = b.preferredAgent;
        this.idempotenceKey = b.idempotenceKey;
    }

    /** A builder with the {@link #DEFAULT} values. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.priority = priority;
        b.deadlineNanos = deadlineNanos;
        b.tenant = tenant;
        b.tenantWeight = tenantWeight;
        b.cost = cost;
        b.affinity = affinity;
        b.preferredAgent = preferredAgent;
        b.idempotenceKey = idempotenceKey;
        return b;
    }

    /** The priority class; {@link Priority#NORMAL} by default. */
    public Priority priority() {
        return priority;
    }

    /** Whether the task has a deadline. */
    public boolean hasDeadline() {
        return deadlineNanos > 0;
    }

    /** The deadline relative to submission, if any. */
    public Optional<Duration> deadline() {
        return hasDeadline() ? Optional.of(Duration.ofNanos(deadlineNanos)) : Optional.empty();
    }

    /** The deadline relative to submission in nanoseconds, or 0 when there is none. */
    public long relativeDeadlineNanos() {
        return hasDeadline() ? deadlineNanos : 0L;
    }

    /** The tenant (fair-share key), or {@code null} when the task belongs to no tenant. */
    public String tenant() {
        return tenant;
    }

    /** The tenant's weight; 1.0 by default. */
    public double tenantWeight() {
        return tenantWeight;
    }

    /** The estimated cost, at least 1; 1 by default. */
    public long cost() {
        return cost;
    }

    /** The agent the task is pinned to, or {@link #MOVABLE}. */
    public int affinity() {
        return affinity;
    }

    /**
     * The agent a movable task is placed on if it accepts work, ahead of the placement policy, or
     * {@link #MOVABLE} for none; stealing and rebalancing may still move the task (a preference, as
     * an allocator's assignment placed with {@code BatchPlacement.PREFERRED}).
     */
    public int preferredAgent() {
        return preferredAgent;
    }

    /** Whether the task may run on any agent (it is not pinned). */
    /**
     * The task's idempotence key, or null: the stable id under which a remote agent's cluster records
     * the task's outcome once (see {@link io.github.loadstar.core.spi.RemoteTask#id()}); a submitter
     * that restarts looks its result up by it. Local agents ignore it.
     */
    public String idempotenceKey() {
        return idempotenceKey;
    }

    public boolean isMovable() {
        return affinity == MOVABLE;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TaskOptions)) {
            return false;
        }
        TaskOptions other = (TaskOptions) o;
        return priority == other.priority
                && deadlineNanos == other.deadlineNanos
                && Objects.equals(tenant, other.tenant)
                && Double.compare(tenantWeight, other.tenantWeight) == 0
                && cost == other.cost
                && affinity == other.affinity
                && preferredAgent == other.preferredAgent
                && Objects.equals(idempotenceKey, other.idempotenceKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(priority, deadlineNanos, tenant, tenantWeight, cost, affinity, preferredAgent, idempotenceKey);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("TaskOptions{priority=").append(priority);
        if (hasDeadline()) {
            s.append(", deadline=").append(Duration.ofNanos(deadlineNanos));
        }
        if (tenant != null) {
            s.append(", tenant=").append(tenant).append(", tenantWeight=").append(tenantWeight);
        }
        s.append(", cost=").append(cost);
        s.append(isMovable() ? ", movable" : ", pinnedTo=" + affinity);
        if (preferredAgent != MOVABLE) {
            s.append(", preferredAgent=").append(preferredAgent);
        }
        if (idempotenceKey != null) {
            s.append(", idempotenceKey=").append(idempotenceKey);
        }
        return s.append('}').toString();
    }

    /** Builds {@link TaskOptions}; every setter validates its argument at once. */
    public static final class Builder {
        private Priority priority = Priority.NORMAL;
        private long deadlineNanos;
        private String tenant;
        private double tenantWeight = 1.0;
        private long cost = 1;
        private int affinity = MOVABLE;
        private int preferredAgent = MOVABLE;
        private String idempotenceKey;

        private Builder() {
        }

        /**
         * Sets the priority class.
         *
         * @throws NullPointerException if {@code priority} is null
         */
        public Builder priority(Priority priority) {
            this.priority = Objects.requireNonNull(priority, "priority");
            return this;
        }

        /**
         * Sets a deadline, relative to the moment the task is submitted.
         *
         * @throws NullPointerException     if {@code deadline} is null
         * @throws IllegalArgumentException if {@code deadline} is zero, negative or longer than
         *                                  about 146 years
         */
        public Builder deadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline");
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive: " + deadline);
            }
            long nanos;
            try {
                nanos = deadline.toNanos();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("deadline is too long: " + deadline, e);
            }
            if (nanos > Long.MAX_VALUE / 2) {
                // keeps submit time + deadline comparable with a - b < 0 arithmetic
                throw new IllegalArgumentException("deadline is too long: " + deadline);
            }
            this.deadlineNanos = nanos;
            return this;
        }

        /** Removes the deadline. */
        public Builder noDeadline() {
            this.deadlineNanos = 0;
            return this;
        }

        /**
         * Assigns the task to a tenant, the unit of fair sharing, with the tenant's weight. Every task
         * of a tenant must carry the same weight: the first task a scheduler receives for a tenant
         * fixes it, and a scheduler refuses a later task with another weight
         * ({@link IllegalArgumentException} naming {@code tenantWeight}, before anything is queued).
         * An ordering policy may serve a tenant by a weight of its own configuration (a CFS nice
         * value, a WFQ weight set by name); the metrics report both.
         *
         * @throws NullPointerException     if {@code tenant} is null
         * @throws IllegalArgumentException if {@code tenant} is empty, or {@code weight} is not
         *                                  positive and finite
         */
        public Builder tenant(String tenant, double weight) {
            Objects.requireNonNull(tenant, "tenant");
            if (tenant.isEmpty()) {
                throw new IllegalArgumentException("tenant must not be empty");
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("tenantWeight must be positive and finite: " + weight);
            }
            this.tenant = tenant;
            this.tenantWeight = weight;
            return this;
        }

        /**
         * Assigns the task to a tenant of weight 1.
         *
         * @throws NullPointerException     if {@code tenant} is null
         * @throws IllegalArgumentException if {@code tenant} is empty
         */
        public Builder tenant(String tenant) {
            return tenant(tenant, 1.0);
        }

        /**
         * Sets the estimated cost, in the caller's own units (microseconds, records, tokens).
         * Placement counts queued cost per unit of agent capacity; fair-queuing policies charge it.
         *
         * @throws IllegalArgumentException if {@code cost} is less than 1
         */
        public Builder cost(long cost) {
            if (cost < 1) {
                throw new IllegalArgumentException("cost must be at least 1: " + cost);
            }
            this.cost = cost;
            return this;
        }

        /**
         * Pins the task to one agent: it is placed there and never stolen or migrated.
         *
         * @throws IllegalArgumentException if {@code agent} is negative (an index beyond the
         *                                  scheduler's agents is rejected at submission)
         */
        public Builder pinnedTo(int agent) {
            if (agent < 0) {
                throw new IllegalArgumentException("pinnedTo must be a non-negative agent index (the task's affinity): " + agent);
            }
            this.affinity = agent;
            return this;
        }

        /**
         * Places the task on {@code agent} if that agent accepts work when it is submitted (else the
         * placement policy decides), leaving it movable: stealing and rebalancing may still move it.
         * Ignored for a pinned task. An index beyond the scheduler's agents is rejected at submission.
         *
         * @throws IllegalArgumentException naming {@code preferAgent} if {@code agent} is negative
         */
        public Builder preferAgent(int agent) {
            if (agent < 0) {
                throw new IllegalArgumentException("preferAgent must be a non-negative agent index: " + agent);
            }
            this.preferredAgent = agent;
            return this;
        }

        /**
         * Gives the task a stable id for remote agents: its outcome is recorded once under this key,
         * however often the task is sent, and can be looked up by it after the submitter restarts.
         * Unique per task: two tasks with one key share one recorded outcome. At most 200 characters.
         *
         * @throws NullPointerException     if {@code key} is null
         * @throws IllegalArgumentException naming {@code idempotenceKey} if it is empty or too long
         */
        public Builder idempotenceKey(String key) {
            Objects.requireNonNull(key, "idempotenceKey");
            if (key.isEmpty() || key.length() > 200) {
                throw new IllegalArgumentException("idempotenceKey must have 1 to 200 characters: " + key.length());
            }
            this.idempotenceKey = key;
            return this;
        }

        /** Lets the task run on any agent (the default). */
        public Builder movable() {
            this.affinity = MOVABLE;
            return this;
        }

        /** The options. */
        public TaskOptions build() {
            return new TaskOptions(this);
        }
    }
}
