package io.github.loadstar.algorithms.edf;

import io.github.loadstar.algorithms.internal.KeyedHeap;
import io.github.loadstar.algorithms.internal.Versioned;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.ReconfigurableByName;

/**
 * Earliest Deadline First: the task with the earliest absolute deadline runs first.
 *
 * <h2>Definition</h2>
 * A task's key is its absolute deadline, {@code submission + options.deadline()}. Ties go to the
 * task submitted first (by submission time, so a task offered again after a preemption or a steal
 * keeps its place among equals; then in offer order). A task <em>without</em> a deadline is keyed as
 * if its deadline were its submission time plus {@link EdfConfig#undatedDeadline()} (default 1 s),
 * and loses ties to dated tasks: it runs after every dated task whose deadline is at or before
 * that, so dated work goes first, yet an undated task is never starved — however many dated tasks keep arriving, its key
 * eventually becomes the earliest.
 *
 * <h2>Guarantees</h2>
 * On one preemptive processor EDF is optimal (Liu and Layland 1973): if any schedule meets every
 * deadline, EDF does; for periodic tasks with deadlines equal to periods it meets them all iff
 * {@code Σ C/T ≤ 1}. Loadstar's agents do not preempt a running task, so on the runtime EDF orders
 * dispatch by deadline (non-preemptive EDF, which is optimal only among non-idling schedules; see
 * docs/algorithms.md); {@link EdfAdmissionControl} admits periodic work per agent with the exact
 * test. Deadline misses (late starts and late finishes) are counted in the scheduler's metrics.
 *
 * <h2>Complexity</h2>
 * Two binary heaps (dated, undated): O(log n) offer and poll, O(1) peek; no allocation beyond the task (amortised
 * array growth aside). Keys are computed once, at offer; comparisons use the sign of
 * {@code a - b}, so {@code nanoTime} values that wrap compare correctly.
 *
 * <p>References: C. L. Liu, J. W. Layland, "Scheduling Algorithms for Multiprogramming in a
 * Hard-Real-Time Environment", JACM 1973; Linux {@code Documentation/scheduler/sched-deadline.rst}.
 */
public final class EdfPolicy implements OrderingPolicy, ReconfigurableByName<EdfConfig> {
    private final Versioned<EdfConfig> config;

    /** EDF with the defaults. */
    public EdfPolicy() {
        this(EdfConfig.defaults());
    }

    /** EDF with {@code config}. */
    public EdfPolicy(EdfConfig config) {
        this.config = new Versioned<>(config);
    }

    @Override
    public String name() {
        return "edf";
    }

    @Override
    public Backlog newBacklog() {
        return new EdfBacklog();
    }

    @Override
    public EdfConfig config() {
        return config.config();
    }

    @Override
    public long configVersion() {
        return config.configVersion();
    }

    @Override
    public void reconfigure(EdfConfig newConfig) {
        config.reconfigure(newConfig);
    }

    @Override
    public String toString() {
        return "edf(" + config() + ")";
    }

    /** The key EDF orders {@code task} by. */
    long keyOf(QueuedTask task) {
        return task.hasDeadline()
                ? task.deadlineNanos()
                : task.submitNanos() + config().undatedDeadlineNanos();
    }

    /** One agent's EDF backlog: dated and undated tasks in two heaps, so undated ones lose ties. */
    private final class EdfBacklog implements Backlog {
        private final KeyedHeap<QueuedTask> dated = new KeyedHeap<>();
        private final KeyedHeap<QueuedTask> undated = new KeyedHeap<>();
        private long sequence;

        @Override
        public void offer(QueuedTask task, long now) {
            // ties on the key go to the earlier submission, also for a task offered again
            // (preempted in the simulator, or moved by a steal): it keeps its place among equals
            (task.hasDeadline() ? dated : undated).offer(task, keyOf(task), task.submitNanos(), sequence++);
        }

        @Override
        public QueuedTask poll(long now) {
            return next().poll();
        }

        @Override
        public QueuedTask peek(long now) {
            return next().peek();
        }

        @Override
        public int size() {
            return dated.size() + undated.size();
        }

        /** The heap whose head runs next: the undated head only with a strictly earlier key. */
        private KeyedHeap<QueuedTask> next() {
            if (undated.isEmpty()) {
                return dated;
            }
            if (dated.isEmpty() || undated.peekKey() - dated.peekKey() < 0) {
                return undated;
            }
            return dated;
        }
    }
}
