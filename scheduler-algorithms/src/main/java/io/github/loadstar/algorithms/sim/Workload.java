package io.github.loadstar.algorithms.sim;

import io.github.loadstar.core.TaskOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The tasks a simulation runs: arrivals on the virtual clock, each with an amount of work and
 * options. Immutable; random generators draw from the builder's seed, so a workload is the same
 * every time it is built with the same calls.
 */
public final class Workload {
    private final List<SimTask> templates;

    private Workload(List<SimTask> templates) {
        this.templates = Collections.unmodifiableList(templates);
    }

    /** A builder whose random generators start from {@code seed}. */
    public static Builder builder(long seed) {
        return new Builder(seed);
    }

    /** The number of tasks. */
    public int size() {
        return templates.size();
    }

    /** Fresh, unrun copies of the tasks, in arrival order (ties: in the order they were added). */
    List<SimTask> freshTasks() {
        List<SimTask> copies = new ArrayList<>(templates.size());
        for (SimTask t : templates) {
            copies.add(t.copy());
        }
        return copies;
    }

    /** Builds a {@link Workload}. */
    public static final class Builder {
        private final SplittableRandom random;
        private final List<SimTask> tasks = new ArrayList<>();

        private Builder(long seed) {
            this.random = new SplittableRandom(seed);
        }

        /**
         * One task.
         *
         * @throws IllegalArgumentException if {@code arrivalNanos} is negative or {@code workNanos} not positive
         */
        public Builder task(long arrivalNanos, long workNanos, TaskOptions options) {
            return task(arrivalNanos, workNanos, options, null);
        }

        /** One task with a label for reports. */
        public Builder task(long arrivalNanos, long workNanos, TaskOptions options, String label) {
            if (arrivalNanos < 0) {
                throw new IllegalArgumentException("arrivalNanos must not be negative: " + arrivalNanos);
            }
            tasks.add(new SimTask(tasks.size(), arrivalNanos, workNanos, options, label));
            return this;
        }

        /**
         * A periodic task: a job of {@code executionNanos} released at 0, T, 2T, ... before
         * {@code horizonNanos}, each with deadline T (implicit deadline).
         */
        public Builder periodic(String label, long executionNanos, long periodNanos, long horizonNanos,
                                TaskOptions base) {
            Objects.requireNonNull(base, "base");
            if (periodNanos <= 0 || executionNanos <= 0 || executionNanos > periodNanos) {
                throw new IllegalArgumentException("need 0 < executionNanos <= periodNanos: C=" + executionNanos
                        + ", T=" + periodNanos);
            }
            TaskOptions options = base.toBuilder().deadline(Duration.ofNanos(periodNanos)).build();
            for (long release = 0; release < horizonNanos; release += periodNanos) {
                task(release, executionNanos, options, label);
            }
            return this;
        }

        /**
         * A Poisson arrival process of {@code perSecond} tasks per second until {@code horizonNanos},
         * each with exponentially distributed work of mean {@code meanWorkNanos} (at least 1 ns).
         */
        public Builder poisson(String label, double perSecond, long meanWorkNanos, long horizonNanos,
                               TaskOptions options) {
            if (!(perSecond > 0) || meanWorkNanos <= 0) {
                throw new IllegalArgumentException("perSecond and meanWorkNanos must be positive");
            }
            double meanGap = 1e9 / perSecond;
            long t = 0;
            while (true) {
                t += (long) Math.ceil(-meanGap * Math.log(1 - random.nextDouble()));
                if (t >= horizonNanos) {
                    return this;
                }
                long work = Math.max(1, Math.round(-meanWorkNanos * Math.log(1 - random.nextDouble())));
                task(t, work, options, label);
            }
        }

        /** {@code count} tasks of {@code workNanos} each, all arriving at {@code arrivalNanos}. */
        public Builder burst(long arrivalNanos, int count, long workNanos, TaskOptions options, String label) {
            for (int i = 0; i < count; i++) {
                task(arrivalNanos, workNanos, options, label);
            }
            return this;
        }

        /** A uniformly random long in [min, max], from the builder's seed (for custom generators). */
        public long uniform(long min, long max) {
            return min + (long) (random.nextDouble() * (max - min + 1));
        }

        /** The workload. */
        public Workload build() {
            List<SimTask> sorted = new ArrayList<>(tasks);
            sorted.sort(Comparator.comparingLong(SimTask::arrivalNanos).thenComparingLong(SimTask::id));
            return new Workload(sorted);
        }
    }
}
