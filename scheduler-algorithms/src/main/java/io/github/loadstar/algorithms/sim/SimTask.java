package io.github.loadstar.algorithms.sim;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.AbstractQueuedTask;
import java.util.Objects;

/**
 * A task in a simulation: an arrival time, an amount of work (processor time), options, and what
 * happened to it. Its {@code submitNanos} is its arrival on the virtual clock.
 */
public final class SimTask extends AbstractQueuedTask {
    private final long id;
    private final long arrivalNanos;
    private final long workNanos;
    private final TaskOptions options;
    private final String label;
    long remainingNanos;
    long firstStartNanos = -1;
    long completionNanos = -1;
    int lastAgent = -1;

    SimTask(long id, long arrivalNanos, long workNanos, TaskOptions options, String label) {
        if (workNanos <= 0) {
            throw new IllegalArgumentException("workNanos must be positive: " + workNanos);
        }
        this.id = id;
        this.arrivalNanos = arrivalNanos;
        this.workNanos = workNanos;
        this.options = Objects.requireNonNull(options, "options");
        this.label = label;
        this.remainingNanos = workNanos;
    }

    /** A fresh copy, for running the same workload again. */
    SimTask copy() {
        return new SimTask(id, arrivalNanos, workNanos, options, label);
    }

    /** The task's position in its workload. */
    public long id() {
        return id;
    }

    /** A label for reports (the workload generator's name for it), or null. */
    public String label() {
        return label;
    }

    /** When it arrives, on the virtual clock. */
    public long arrivalNanos() {
        return arrivalNanos;
    }

    /** The processor time it needs. */
    public long workNanos() {
        return workNanos;
    }

    /** The processor time it still needs. */
    public long remainingNanos() {
        return remainingNanos;
    }

    /** When it first ran, or -1. */
    public long firstStartNanos() {
        return firstStartNanos;
    }

    /** When it completed, or -1. */
    public long completionNanos() {
        return completionNanos;
    }

    /** Whether it completed within the simulated time. */
    public boolean completed() {
        return completionNanos >= 0;
    }

    /** Whether it has a deadline and completed after it (or did not complete by the end). */
    public boolean missedDeadline(long endNanos) {
        if (!hasDeadline()) {
            return false;
        }
        long finished = completed() ? completionNanos : endNanos;
        return finished - deadlineNanos() > 0;
    }

    /** The agent that ran it last, or -1. */
    public int agent() {
        return lastAgent;
    }

    @Override
    public TaskOptions options() {
        return options;
    }

    @Override
    public long submitNanos() {
        return arrivalNanos;
    }

    @Override
    public String toString() {
        return "SimTask#" + id + (label == null ? "" : "(" + label + ")") + "{arrival=" + arrivalNanos
                + ", work=" + workNanos + ", remaining=" + remainingNanos + ", " + options + "}";
    }
}
