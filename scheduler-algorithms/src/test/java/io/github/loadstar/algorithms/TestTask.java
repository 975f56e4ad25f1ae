package io.github.loadstar.algorithms;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.AbstractQueuedTask;
import java.util.Objects;

/**
 * A {@link io.github.loadstar.core.spi.QueuedTask} for driving backlogs directly in tests: options, a submission time and the
 * two policy slots, nothing else. Identity (not equality) is what tests compare.
 */
public class TestTask extends AbstractQueuedTask {
    private final long id;
    private final String label;
    private final TaskOptions options;
    private final long submitNanos;

    /** A task numbered {@code id} (for messages), submitted at {@code submitNanos}. */
    public TestTask(long id, TaskOptions options, long submitNanos) {
        this(id, null, options, submitNanos);
    }

    /** A task called {@code label} (its {@code toString}, for orders a test compares), submitted at {@code submitNanos}. */
    public TestTask(String label, TaskOptions options, long submitNanos) {
        this(-1, Objects.requireNonNull(label, "label"), options, submitNanos);
    }

    private TestTask(long id, String label, TaskOptions options, long submitNanos) {
        this.id = id;
        this.label = label;
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
    public String toString() {
        if (label != null) {
            return label;
        }
        return "TestTask#" + id + "{submit=" + submitNanos + ", " + options + "}";
    }
}
