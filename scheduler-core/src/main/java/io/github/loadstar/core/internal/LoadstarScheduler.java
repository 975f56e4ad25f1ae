package io.github.loadstar.core.internal;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.PlacementPolicy;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The scheduler's entry points: submission.
 *
 * Submission paths
 *   local    a plain Runnable submitted by one of this scheduler's running tasks is pushed onto
 *            the current agent's deque as it is: no wrapper, no clock read, no shared write
 *            (except one fence and a read of the idle counts when the deque was empty).
 *   external anything else is wrapped (RunnableTask or TaskFutureImpl, which carry the claim
 *            that settles a race with shutdown), placed by the PlacementPolicy into an agent's
 *            inbox (or its pinned queue, or the shared injection queue), and then an idle agent
 *            is signalled if nobody is searching.
 *
 * A submission that races shutdown is settled by the task's claim: after enqueueing, the
 * submitter re-reads the run state (its enqueue and that read are sequentially consistent, and so
 * are the agents' exit checks); if the scheduler is shutting down it tries to claim its own task
 * back (QUEUED -> REJECTED) and throws RejectedExecutionException. If an agent started it first,
 * or shutdownNow returned it first, the claim fails and the submission stands. Every task is thus
 * run, returned or rejected exactly once.
 *
 * Waits inside a task help (HelpingWait): invokeAll's come from the JDK through the futures' get,
 * invokeAny from inside a task is this class's own.
 */

/** The runtime behind {@link Scheduler}: its entry points; the state and life are the layers below. */
public final class LoadstarScheduler extends SchedulerLifecycle implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(LoadstarScheduler.class);

    private LoadstarScheduler(SchedulerConfig config) {
        super(config);
    }

    /**
     * Creates and starts a scheduler.
     *
     * @throws IllegalStateException if a thread cannot be created; threads already started are stopped
     */
    public static LoadstarScheduler start(SchedulerConfig config) {
        LoadstarScheduler scheduler = new LoadstarScheduler(config);
        Thread[] threads = new Thread[config.agentCount()];     // the other slots start empty
        try {
            for (int i = 0; i < threads.length; i++) {
                Thread t = scheduler.newThread(scheduler.agents[i]);
                if (t == null) {
                    throw new IllegalStateException("threadFactory returned null for agent " + i);
                }
                scheduler.agents[i].thread = t;
                threads[i] = t;
            }
        } catch (RuntimeException | Error e) {
            throw new IllegalStateException("cannot create the threads of scheduler " + config.name(), e);
        }
        for (int i = 0; i < threads.length; i++) {
            try {
                threads[i].start();
            } catch (RuntimeException | Error e) {
                // "unable to create native thread" surfaces here, not in the factory: stop the
                // agents already started, so no thread outlives the failed build
                scheduler.abortStart(i);
                throw new IllegalStateException("cannot start the threads of scheduler " + config.name(), e);
            }
        }
        synchronized (scheduler.reconfiguring) {
            try {
                scheduler.coordinator.startIfNeeded();
            } catch (RuntimeException | Error e) {
                scheduler.abortStart(threads.length);
                throw new IllegalStateException("cannot start the coordinator thread of scheduler " + config.name(), e);
            }
        }
        if (config.jmx()) {
            try {
                scheduler.management = io.github.loadstar.core.management.SchedulerManagement.register(scheduler);
            } catch (RuntimeException e) {
                scheduler.abortStart(threads.length);
                throw e;
            }
        }
        LOG.info("scheduler {} started: {} agents, ordering {} ({}), placement {}, steal {}, {}",
                config.name(), threads.length, config.orderingPolicy().name(), config.orderingScope(),
                config.placementPolicy().name(), config.stealPolicy().name(),
                scheduler.bounded ? "at most " + config.maxQueuedTasks() + " queued, " + config.rejectionBehaviour()
                        : "unbounded");
        return scheduler;
    }

    /** See {@link Scheduler#currentAgent()}. */
    public static int currentAgentIndex() {
        Agent a = currentAgent();
        return a == null ? -1 : a.index;
    }

    /** See {@link Scheduler#managedBlock}: the entry from the API package. */
    public static void managedBlock(ForkJoinPool.ManagedBlocker blocker) throws InterruptedException {
        SpareAgent.managedBlock(blocker);
    }

    // ================================================================ submission

    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "task");
        Agent local = localAgent();
        if (command instanceof TaskFutureImpl) {
            TaskFutureImpl<?> future = (TaskFutureImpl<?>) command;
            figures.admit(future.options);      // its options were made by a submit: checked again here
            submitTask(future, future.options, future, local);
        } else if (local != null && !ordered) {
            spawnLocal(command, local);
        } else {
            submitTask(wrap(command, TaskOptions.DEFAULT), TaskOptions.DEFAULT, command, local);
        }
    }

    @Override
    public void execute(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        options = figures.admit(options);     // the tenant weight rule; a weight from the settings' registry
        Agent local = localAgent();
        if (options == TaskOptions.DEFAULT && local != null && !ordered && !(task instanceof TaskFutureImpl)) {
            spawnLocal(task, local);
        } else {
            submitTask(wrap(task, options), options, task, local);
        }
    }

    @Override
    public <T> TaskFuture<T> submit(Callable<T> task, TaskOptions options) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        options = figures.admit(options);
        TaskFutureImpl<T> future = new TaskFutureImpl<>(task, options, this);
        submitTask(future, options, future, localAgent());
        return future;
    }

    @Override
    public <T> io.github.loadstar.core.allocation.AllocatedBatch<T> submitAll(
            java.util.List<? extends Callable<T>> tasks, io.github.loadstar.core.allocation.AllocationProblem problem,
            io.github.loadstar.core.allocation.Allocator allocator,
            io.github.loadstar.core.allocation.AllocationRequest request,
            io.github.loadstar.core.allocation.BatchPlacement placement) {
        return batches.submit(this, tasks, problem, allocator, request, placement);
    }

    @Override
    public TaskFuture<?> submit(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        options = figures.admit(options);
        TaskFutureImpl<Object> future = new TaskFutureImpl<>(task, null, options, this);
        submitTask(future, options, future, localAgent());
        return future;
    }

    @Override
    public <T> TaskFuture<T> submit(Callable<T> task) {
        return submit(task, TaskOptions.DEFAULT);
    }

    @Override
    public TaskFuture<?> submit(Runnable task) {
        return submit(task, TaskOptions.DEFAULT);
    }

    @Override
    public <T> TaskFuture<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        TaskFutureImpl<T> future = new TaskFutureImpl<>(task, result, TaskOptions.DEFAULT, this);
        submitTask(future, TaskOptions.DEFAULT, future, localAgent());
        return future;
    }

    @Override
    protected <T> TaskFutureImpl<T> newTaskFor(Runnable runnable, T value) {
        return new TaskFutureImpl<>(runnable, value, TaskOptions.DEFAULT, this);
    }

    @Override
    protected <T> TaskFutureImpl<T> newTaskFor(Callable<T> callable) {
        return new TaskFutureImpl<>(callable, TaskOptions.DEFAULT, this);
    }

    /** From one of this scheduler's tasks, helps while it waits (see HelpingWait); else as usual. */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        Agent self = localAgent();
        if (self == null) {
            return super.invokeAny(tasks);
        }
        try {
            return HelpingWait.invokeAny(this, self, tasks, false, 0L);
        } catch (TimeoutException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** From one of this scheduler's tasks, helps while it waits (see HelpingWait); else as usual. */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Agent self = localAgent();
        if (self == null) {
            return super.invokeAny(tasks, timeout, unit);
        }
        return HelpingWait.invokeAny(this, self, tasks, true, System.nanoTime() + unit.toNanos(timeout));
    }

    /** A plain Runnable's wrapper. */
    private static RunnableTask wrap(Runnable task, TaskOptions options) {
        return new RunnableTask(task, options);
    }

    /**
     * The fast path: a plain Runnable spawned by a running task of this scheduler, kept local, as
     * it is (one spawn in the sampling interval is wrapped to carry a timestamp).
     */
    private void spawnLocal(Runnable command, Agent local) {
        if (admitLocal(command, command)) {
            Runnable item = command;
            if (local.sampleSpawn(sampleMask)) {
                RunnableTask timed = new RunnableTask(command, TaskOptions.DEFAULT);
                timed.stamp(System.nanoTime());
                item = timed;
            }
            pushLocal(item, command, local);
        }
    }

    /**
     * The fork path: a wrapped task with the default options, submitted by one of this scheduler's
     * running tasks in FIFO mode, goes onto the current agent's deque: no placement, no random draw
     * (the sample is the agent's own count of spawns).
     */
    private void spawnWrapped(Runnable task, Object userTask, Agent local) {
        if (admitLocal(task, userTask)) {
            if (local.sampleSpawn(sampleMask)) {
                WrappedTask.of(task).stamp(System.nanoTime());
            }
            pushLocal(task, userTask, local);
        }
    }

    /**
     * Whether a local spawn may be queued: not once the scheduler stops (after shutdown() running
     * tasks may still spawn), and within the queue bound (else the rejection behaviour applies).
     * No run-state re-check follows the push: a task on the owner's own deque is never in a queue
     * shutdownNow drains before the owner sees STOP; it runs as a leftover.
     */
    private boolean admitLocal(Runnable task, Object userTask) {
        if (runState >= STOP) {
            throw reject(userTask, "scheduler " + name + " is stopping");
        }
        if (bounded && !tryAcquireQueuedSlot()) {
            boundReached(task, userTask);
            return false;
        }
        return true;
    }

    private void pushLocal(Runnable item, Object userTask, Agent local) {
        local.pushLocal(item);
        if (listener != null) {
            events.fireSubmitted(userTask, TaskOptions.DEFAULT, local.index);
        }
    }

    /**
     * Queues a wrapped task (RunnableTask or TaskFutureImpl).
     *
     * @param local the current thread's agent of this scheduler, or null
     */
    private void submitTask(Runnable task, TaskOptions options, Object userTask, Agent local) {
        if (local != null && options == TaskOptions.DEFAULT && !ordered) {
            spawnWrapped(task, userTask, local);
            return;
        }
        int affinity = options.affinity();
        if (affinity >= agents.length) {
            throw new IllegalArgumentException("options.affinity " + affinity + " is not an agent of "
                    + name + " (agents 0.." + (agents.length - 1) + ")");
        }
        if (options.preferredAgent() >= agents.length) {
            throw new IllegalArgumentException("options.preferredAgent " + options.preferredAgent() + " is not an agent of "
                    + name + " (agents 0.." + (agents.length - 1) + ")");
        }
        // while remote agents exist, a task that cannot be sent to a member is kept to local agents
        int localOnly = remoteAgents == 0 ? RemoteRouting.ANYWHERE
                : RemoteRouting.localTargetFor(this, WrappedTask.of(task), userTask);
        // registered by admit(), which applied the tenant weight rule
        TenantStats tenant = options.tenant() != null ? figures.registered(options) : null;
        int state = runState;
        if (state != RUNNING && (local == null || state >= STOP)) {
            throw reject(userTask, "scheduler " + name + " is shut down");
        }
        if (bounded && !tryAcquireQueuedSlot()) {
            boundReached(task, userTask);
            return;
        }
        ThreadLocalRandom draws = ThreadLocalRandom.current();
        int random = draws.nextInt();
        // the sample has its own draw: placement may use any bits of `random`, and a sample must
        // not depend on where the task goes
        if (ordered || options.hasDeadline() || sampled(draws)) {
            // an ordering policy needs every task's submission time (deadlines, aging, latency)
            WrappedTask.of(task).stamp(System.nanoTime());
        }
        long extraCost = options.cost() - 1;
        Agent target;
        boolean sharedQueue = true;
        if (globalScope && affinity < 0) {
            target = null;
            globalInbox.offer(task);
        } else if (affinity >= 0) {
            target = agents[affinity];
            if (breakers && failPinnedOnOpen && !target.accepting && target.membership == AgentRemoval.ACTIVE) {
                if (bounded) {
                    releaseQueuedSlot();
                }
                throw reject(userTask, "agent " + affinity + " of scheduler " + name + " has an open circuit breaker"
                        + " and the task is pinned to it");
            }
            if (!AgentRemoval.announcePinned(target)) {
                if (bounded) {
                    releaseQueuedSlot();
                }
                throw reject(userTask, "agent " + affinity + " of scheduler " + name + " is not in it (removed, or"
                        + " being removed) and the task is pinned to it");
            }
            try {
                target.addExtraCost(extraCost);
                // under a per-agent policy a pinned task is ordered with the rest (thieves skip it)
                (ordered && !globalScope ? target.inbox : target.pinned).offer(task);
            } finally {
                AgentRemoval.pinnedQueued(target);
            }
        } else if (local != null && options.preferredAgent() < 0 && local.accepting) {
            // a running task's subtask stays on its agent, unless that agent takes no work (being
            // removed, or its breaker open): then it is placed as an outside submission is
            target = local;
            local.addExtraCost(extraCost);
            if (ordered) {
                local.inbox.offer(task);
            } else {
                local.pushLocal(task);
                sharedQueue = false;
            }
        } else {
            int i = place(options, random);
            if (localOnly != RemoteRouting.ANYWHERE && (i < 0 || i >= agents.length || agents[i].remote != null)) {
                i = localOnly;
            }
            if (i >= 0 && i < agents.length && agents[i].membership == AgentRemoval.ACTIVE) {
                target = agents[i];
                target.addExtraCost(extraCost);
                target.inbox.offer(task);
                if (AgentRemoval.gone(target)) {
                    AgentRemoval.rescue(target);    // it left meanwhile (see AgentRemoval)
                }
            } else {
                if (breakers && rejectWhenAllOpen && !anyAgentAccepting()) {
                    if (bounded) {
                        releaseQueuedSlot();
                    }
                    throw reject(userTask, allOpenMessage());
                }
                target = null;
                global.offer(task);
            }
        }
        if (sharedQueue) {
            // Re-read the run state after the (sequentially consistent) enqueue; see the overview.
            int after = runState;
            if ((after >= STOP || (local == null && after != RUNNING)) && tryClaim(task, TaskClaim.REJECTED)) {
                if (target != null) {
                    target.addExtraCost(-extraCost);
                }
                if (bounded) {
                    releaseQueuedSlot();
                }
                throw reject(userTask, "scheduler " + name + " is shut down");
            }
            if (affinity >= 0) {
                idle.signalAgent(target);
            } else {
                idle.signal(target);
            }
            if (remoteAgents != 0) {
                // remote agents are outside the idle protocol: the one given the task, or any for shared work
                RemoteAgent r = target == null ? null : target.remote;
                if (r != null) {
                    r.wake();
                } else if (target == null) {
                    wakeRemoteAgents();
                }
            }
        }
        if (tenant != null) {
            tenant.submitted();
        }
        if (listener != null) {
            events.fireSubmitted(userTask, options, target == null ? PlacementPolicy.ANY_AGENT : target.index);
        }
    }

    /** The placement policy's choice; a policy that throws places the task on no agent in particular. */
    private int place(TaskOptions options, int random) {
        int preferred = options.preferredAgent();
        if (preferred >= 0) {
            Agent a = agents[preferred];
            if (a.accepting && a.membership == AgentRemoval.ACTIVE) {
                return preferred;
            }
        }
        try {
            return settings.placementPolicy().place(options, this, random);
        } catch (Throwable t) {
            strategyFailures.failed(StrategyFailures.PLACEMENT, "place", "the task goes to the shared queue", t);
            return PlacementPolicy.ANY_AGENT;
        }
    }

    private boolean sampled(ThreadLocalRandom draws) {
        return sampleMask == 0 || (draws.nextInt() >>> sampleShift) == 0;
    }

    /** The queue bound is reached: apply the rejection behaviour. */
    private void boundReached(Runnable task, Object userTask) {
        switch (rejectionBehaviour) {
            case CALLER_RUNS:
                task.run();     // never queued, so never claimed: a wrapper runs what it wraps
                return;
            case DISCARD:
                discarded.increment();
                if (task instanceof TaskFutureImpl) {
                    ((TaskFutureImpl<?>) task).cancel(false);
                }
                return;
            case ABORT:
            default:
                throw reject(userTask, "scheduler " + name + " has " + maxQueued + " queued tasks (its bound)");
        }
    }

    // ================================================================ open breakers at submission

    private boolean anyAgentAccepting() {
        for (Agent a : agents) {
            if (a.accepting) {
                return true;
            }
        }
        return false;
    }

    private String allOpenMessage() {
        long earliest = Long.MAX_VALUE;
        for (Agent a : agents) {
            earliest = Math.min(earliest, a.breaker.nanosUntilTrials());
        }
        return "every agent's circuit breaker of scheduler " + name + " is open"
                + (earliest == Long.MAX_VALUE ? "" : "; the earliest lets trials through in "
                + TimeUnit.NANOSECONDS.toMillis(earliest) + " ms");
    }
}
