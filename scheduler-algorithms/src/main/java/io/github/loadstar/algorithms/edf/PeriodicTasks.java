package io.github.loadstar.algorithms.edf;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs admitted periodic tasks on a scheduler: like {@code scheduleAtFixedRate}, each admitted
 * task releases a job every period, pinned to the agent admission chose, with the period as its
 * deadline and its execution time as its cost. Use it with an {@link EdfPolicy} scheduler.
 *
 * <pre>{@code
 * Scheduler scheduler = Scheduler.builder().agents(2).orderingPolicy(Policies.edf()).build();
 * try (PeriodicTasks periodic = new PeriodicTasks(scheduler)) {
 *     PeriodicTasks.Handle control = periodic.schedule(
 *             new PeriodicTaskSpec("control-loop", Duration.ofMillis(2), Duration.ofMillis(10)), this::step);
 *     ...
 * }
 * }</pre>
 *
 * <p>Releases are timed by one daemon thread (a {@link ScheduledThreadPoolExecutor}); a release
 * only submits the job, so the timer thread does no work of its own. A job that overruns does not
 * delay the next release (the next job simply waits in the agent's EDF backlog), and a release that
 * the scheduler rejects (it shut down) cancels the task.
 */
public final class PeriodicTasks implements AutoCloseable {
    private final Scheduler scheduler;
    private final EdfAdmissionControl admission;
    private final ScheduledThreadPoolExecutor timer;
    private final Set<Handle> handles = ConcurrentHashMap.newKeySet();
    /** Set by close() under this object's lock; schedule() checks it under the same lock. */
    private boolean closed;

    /**
     * Periodic tasks on {@code scheduler}, with admission control over its agents.
     *
     * @throws NullPointerException if {@code scheduler} is null
     */
    public PeriodicTasks(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.admission = new EdfAdmissionControl(scheduler.agentCount());
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, scheduler.name() + "-periodic");
            t.setDaemon(true);
            return t;
        });
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /** The admission control in use (for its utilization figures). */
    public EdfAdmissionControl admission() {
        return admission;
    }

    /**
     * Admits {@code spec} and starts releasing {@code job} every period, the first release now.
     *
     * @throws NullPointerException if an argument is null
     * @throws EdfAdmissionControl.AdmissionRejectedException if no agent has room for it
     * @throws IllegalStateException if this has been closed
     */
    public Handle schedule(PeriodicTaskSpec spec, Runnable job) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(job, "job");
        synchronized (this) {     // against close(): nothing is admitted after it, nothing leaks
            if (closed) {
                throw new IllegalStateException("periodic tasks are closed");
            }
            return start(spec, job);
        }
    }

    private Handle start(PeriodicTaskSpec spec, Runnable job) {
        EdfAdmissionControl.Admission admitted = admission.admit(spec);
        TaskOptions options = TaskOptions.builder()
                .pinnedTo(admitted.agent())
                .deadline(spec.period())
                .cost(Math.max(1, spec.executionTime().toNanos() / 1_000))
                .build();
        Handle handle = new Handle(admitted, job, options);
        handles.add(handle);
        long period = spec.period().toNanos();
        ScheduledFuture<?> future = timer.scheduleAtFixedRate(handle::release, 0, period, TimeUnit.NANOSECONDS);
        handle.future = future;
        if (handle.stopped) {
            // the first release, at delay 0, may have been refused and cancelled the handle before
            // the future was set: cancel() then found no future to stop (volatile write, then read,
            // on both sides: one of the two sees the other)
            future.cancel(false);
        }
        return handle;
    }

    /** Stops every periodic task (jobs already released still run) and the timer thread; idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Handle h : handles) {
            h.cancel();
        }
        timer.shutdownNow();
    }

    /** One scheduled periodic task. */
    public final class Handle {
        private final EdfAdmissionControl.Admission admitted;
        private final Runnable job;
        private final TaskOptions options;
        private final AtomicLong releases = new AtomicLong();
        private volatile ScheduledFuture<?> future;
        /** Set first by cancel(): no job is released after it. */
        private volatile boolean stopped;
        /** Set last by cancel(): the utilization has been given back when this reads true. */
        private volatile boolean cancelled;

        private Handle(EdfAdmissionControl.Admission admitted, Runnable job, TaskOptions options) {
            this.admitted = admitted;
            this.job = job;
            this.options = options;
        }

        private void release() {
            if (stopped) {
                return;
            }
            try {
                scheduler.execute(job, options);
                releases.incrementAndGet();
            } catch (RejectedExecutionException e) {
                cancel();
            }
        }

        /** The agent the task runs on. */
        public int agent() {
            return admitted.agent();
        }

        /** The task's spec. */
        public PeriodicTaskSpec spec() {
            return admitted.task();
        }

        /** Jobs released so far. */
        public long releases() {
            return releases.get();
        }

        /** The relative deadline of each job (its period). */
        public Duration deadline() {
            return admitted.task().period();
        }

        /** Stops releasing jobs and gives the task's utilization back; idempotent. */
        public synchronized void cancel() {
            if (stopped) {
                return;
            }
            stopped = true;
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
            handles.remove(this);
            admission.release(admitted);
            cancelled = true;
        }

        /**
         * Whether cancelled (by {@link #cancel()}, by {@link PeriodicTasks#close()}, or by a shut-down
         * scheduler). Once it returns true, the task's utilization has been given back to its agent.
         */
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
