package io.github.loadstar.core.internal;

import io.github.loadstar.core.metrics.SchedulerHistory;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The scheduler's one background thread, off the task path: every sampling interval it takes a
 * metrics snapshot into a bounded ring (the history). Why a thread of its own rather than an agent
 * between tasks: its period must hold whether the agents are busy with long tasks or all parked,
 * and a snapshot (a lock of the figures' own, a read of every agent's counters) must never delay a
 * task. It costs one parked thread. It exits when the scheduler terminates; the last agent to exit
 * takes the final snapshot itself, before termination is announced, so a terminated scheduler's
 * history always ends with its final counts.
 */

/** Takes the history's snapshots on a thread of its own; see the overview in the source. */
final class Coordinator implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

    private final LoadstarScheduler scheduler;
    private final long intervalNanos;
    private final int capacity;
    private final ArrayDeque<SchedulerMetrics> ring;
    private volatile Thread thread;

    Coordinator(LoadstarScheduler scheduler, long intervalNanos, int capacity) {
        this.scheduler = scheduler;
        this.intervalNanos = intervalNanos;
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    void start(String name, boolean daemon) {
        Thread t = new Thread(this, name);
        t.setDaemon(daemon);
        thread = t;
        t.start();
    }

    @Override
    public void run() {
        long next = System.nanoTime() + intervalNanos;
        try {
            while (!scheduler.isTerminated()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                    continue;   // woken early (termination, or spuriously): re-check
                }
                sample();
                next += intervalNanos;
                long now = System.nanoTime();
                if (next - now < 0) {
                    next = now + intervalNanos;     // fell behind (a long pause): do not catch up in a burst
                }
            }
        } catch (Throwable t) {
            LOG.error("scheduler {}: the coordinator thread failed; the history stops here", scheduler.name(), t);
        }
    }

    /** Takes one snapshot into the ring (under the ring's lock, so the ring stays in time order). */
    void sample() {
        synchronized (ring) {
            SchedulerMetrics m = scheduler.figures.collect();
            if (ring.size() == capacity) {
                ring.pollFirst();
            }
            ring.addLast(m);
        }
    }

    /** The scheduler has terminated: the coordinator thread exits. */
    void wake() {
        LockSupport.unpark(thread);
    }

    SchedulerHistory history() {
        synchronized (ring) {
            return new SchedulerHistory(intervalNanos, new ArrayList<>(ring));
        }
    }
}
