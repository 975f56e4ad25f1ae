package io.github.loadstar.algorithms;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.QueuedTask;
import java.util.Objects;

/**
 * A {@link QueuedTask} for driving backlogs directly in tests: options, a submission time and the
 * two policy slots, nothing else. Identity (not equality) is what tests compare.
 */
public final class TestTask implements QueuedTask {
    private final long id;
    private final TaskOptions options;
    private final long submitNanos;
    private long policyKey;
    private Object policyNode;

    /** A task numbered {@code id} (for messages), submitted at {@code submitNanos}. */
    public TestTask(long id, TaskOptions options, long submitNanos) {
        this.id = id;
        this.options = Objects.requireNonNull(options, "options");
        this.submitNanos = submitNanos;
    }

    /** The number the test gave the task. */
    public long id() {
        return id;
    }

    @Override
    public TaskOptions options() {
        return options;
    }

    @Override
    public long submitNanos() {
        return submitNanos;
    }

    @Override
    public long policyKey() {
        return policyKey;
    }

    @Override
    public void policyKey(long key) {
        policyKey = key;
    }

    @Override
    public Object policyNode() {
        return policyNode;
    }

    @Override
    public void policyNode(Object node) {
        policyNode = node;
    }

    @Override
    public String toString() {
        return "TestTask#" + id + "{submit=" + submitNanos + ", " + options + "}";
    }
}
