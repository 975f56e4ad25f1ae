package io.github.loadstar.algorithms.edf;

import io.github.loadstar.algorithms.internal.KeyedHeap;
import io.github.loadstar.algorithms.internal.Versioned;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.Reconfigurable;

/**
 * Earliest Deadline First: the task with the earliest absolute deadline runs first.
 *
 * <h2>Definition</h2>
 * A task's key is its absolute deadline, {@code submission + options.deadline()}. Ties go to the
 * task that arrived first. A task <em>without</em> a deadline is keyed as if its deadline were its
 * submission time plus {@link EdfConfig#undatedDeadline()} (default 1 s), and loses ties to dated
 * tasks: it runs after every dated task whose deadline is earlier than that, so dated work goes
 * first, yet an undated task is never starved — however many dated tasks keep arriving, its key
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
 * A binary heap: O(log n) offer and poll, O(1) peek; no allocation beyond the task (amortised
 * array growth aside). Keys are computed once, at offer; comparisons use the sign of
 * {@code a - b}, so {@code nanoTime} values that wrap compare correctly.
 *
 * <p>References: C. L. Liu, J. W. Layland, "Scheduling Algorithms for Multiprogramming in a
 * Hard-Real-Time Environment", JACM 1973; Linux {@code Documentation/scheduler/sched-deadline.rst}.
 */
public final class EdfPolicy implements OrderingPolicy, Reconfigurable<EdfConfig> {
    /** Added to the sequence number of undated tasks, so they lose ties to dated ones. */
    private static final long UNDATED = 1L << 62;

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

    /** One agent's EDF backlog. */
    private final class EdfBacklog implements Backlog {
        private final KeyedHeap<QueuedTask> heap = new KeyedHeap<>();
        private long sequence;

        @Override
        public void offer(QueuedTask task, long now) {
            long seq = sequence++;
            heap.offer(task, keyOf(task), task.hasDeadline() ? seq : seq + UNDATED);
        }

        @Override
        public QueuedTask poll(long now) {
            return heap.poll();
        }

        @Override
        public QueuedTask peek(long now) {
            return heap.peek();
        }

        @Override
        public int size() {
            return heap.size();
        }
    }
}
