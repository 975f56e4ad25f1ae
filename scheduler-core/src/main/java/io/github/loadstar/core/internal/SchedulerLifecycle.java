package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.Backlog;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * A scheduler's life: its threads, quiescence, shutdown and termination.
 *
 * Run states, in order: RUNNING -> SHUTDOWN -> TIDYING -> TERMINATED, or any -> STOP -> TERMINATED.
 *   SHUTDOWN  external submissions are rejected; queued work and work spawned by running tasks
 *             continues.
 *   TIDYING   entered by the agent that, after shutdown, finds every agent idle (or suspended by
 *             an open breaker), no spare active and every queue empty; all agents then exit.
 *   STOP      shutdownNow: running tasks are interrupted, queued tasks are drained and returned
 *             (ShutdownDrain).
 *   TERMINATED every agent thread (and every started spare's) has exited.
 *
 * An Error that escapes a task ends its agent's thread after a replacement thread has taken over
 * the agent (same queues, same counters); if none can be made, the old thread carries on.
 */

/** Threads, quiescence and shutdown of a {@link LoadstarScheduler}; see {@link SchedulerState}. */
abstract class SchedulerLifecycle extends SchedulerState {
    private static final Logger LOG = LoggerFactory.getLogger(LoadstarScheduler.class);

    SchedulerLifecycle(SchedulerConfig config) {
        super(config);
    }

    /** Stops a scheduler whose first {@code started} threads started and the next one did not. */
    final void abortStart(int started) {
        shutdownNow();
        for (int i = 0; i < started; i++) {
            try {
                agents[i].thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void onAgentThreadStart(Agent agent, Thread thread) {
        if (customThreads) {
            CURRENT.set(agent);
        }
        agent.markRunning();
    }

    /**
     * An Error escaped a task on {@code agent}. Starts a new thread for the agent and returns true,
     * or returns false (and reports the error) if the old thread must carry on.
     */
    boolean replaceThread(Agent agent, Thread dead, Throwable error) {
        Thread replacement = null;
        if (runState < STOP) {
            try {
                replacement = newThread(agent);
            } catch (Throwable t) {
                error.addSuppressed(t);
            }
        }
        if (replacement == null) {
            LOG.error("scheduler {}: agent {} thread {} failed with {}; no replacement thread, it carries on",
                    name, agent.index, dead.getName(), error.toString());
            events.fireAgentReplaced(agent.index, dead, null, error);
            try {
                dead.getUncaughtExceptionHandler().uncaughtException(dead, error);
            } catch (Throwable ignored) {
                // the handler's failure must not stop the agent
            }
            return false;
        }
        agent.thread = replacement;
        try {
            replacement.start();
        } catch (Throwable t) {
            agent.thread = dead;
            error.addSuppressed(t);
            LOG.error("scheduler {}: agent {} thread {} failed with {}; replacement could not start, it carries on",
                    name, agent.index, dead.getName(), error.toString());
            return false;
        }
        LOG.warn("scheduler {}: agent {} thread {} died of {}; replaced by {}",
                name, agent.index, dead.getName(), error.toString(), replacement.getName());
        events.fireAgentReplaced(agent.index, dead, replacement, error);
        return true;
    }

    void onAgentExit(Agent agent) {
        if (customThreads) {
            CURRENT.remove();
        }
        if (liveAgents.decrementAndGet() == 0) {
            long end = System.nanoTime();
            terminatedNanos = end == 0 ? 1 : end;
            try {
                coordinator.finalSample();   // the final snapshot, before anyone can see TERMINATED
            } catch (Throwable t) {
                LOG.warn("scheduler {}: the final history snapshot failed", name, t);
            }
            io.github.loadstar.core.management.SchedulerManagement bean = management;
            if (bean != null) {
                bean.unregister();      // gone before anyone can see TERMINATED
            }
            runState = TERMINATED;
            terminated.countDown();
            coordinator.wake();
            LOG.info("scheduler {} terminated", name);
        }
    }

    // ================================================================ elastic agents (AgentRemoval)

    /** See {@link io.github.loadstar.core.Scheduler#addAgent}. */
    public int addAgent(double capacity) {
        return AgentRemoval.add((LoadstarScheduler) this, capacity);
    }

    /** See {@link io.github.loadstar.core.Scheduler#addRemoteAgent}. */
    public int addRemoteAgent(io.github.loadstar.core.spi.RemoteLink link, double capacity,
                              io.github.loadstar.core.spi.AgentBreaker breaker) {
        return AgentRemoval.addRemote((LoadstarScheduler) this, link, capacity, breaker);
    }

    /** See {@link io.github.loadstar.core.Scheduler#removeAgent}. */
    public void removeAgent(int index) {
        AgentRemoval.remove((LoadstarScheduler) this, index);
    }

    /** One agent thread fewer: the quiescence it may complete, and the termination if it was the last. */
    final void leave(Agent agent) {
        members.decrementAndGet();
        if (runState == SHUTDOWN && idle.idleCount() + suspended.get() >= members.get() && !hasQueuedWork()) {
            onQuiescent();
        }
        onAgentExit(agent);
    }

    // ================================================================ quiescence

    /** An agent about to park found every agent idle and no work queued. */
    void onQuiescent() {
        if (runState == SHUTDOWN && activeSpares.get() == 0 && !hasQueuedWork() && casRunState(SHUTDOWN, TIDYING)) {
            idle.wakeAll();
            unparkSpares();
            if (breakers) {
                for (Agent a : agents) {
                    IdleControl.unpark(a.thread);   // suspended agents sleep outside the idle protocol
                }
            }
        }
    }

    /**
     * Called by an agent going idle that leaves no searcher (and by the last agent to go idle):
     * makes sure queued work has an agent that will run it. Work in an agent's own queues can always
     * be run by that agent, so an idle owner is woken — not the caller, which may be unable to steal
     * it (a steal threshold, a policy that skips the owner); work behind a <em>busy</em> owner is the
     * caller's to steal if its policy allows (see {@code Agent.stealableFromBusyAgent}). Work in the
     * global queue may be run by anyone.
     *
     * @return whether any work is queued anywhere
     */
    boolean wakeOwnersOfQueuedWork() {
        boolean found = false;
        for (Agent a : agents) {
            if (a.backlog() > 0) {
                found = true;
                if (a.isIdle()) {
                    idle.signalAgent(a);
                }
            }
        }
        if (!global.isEmpty() || hasGlobalOrderedWork()) {
            found = true;
            idle.wakeOne();
        }
        return found;
    }

    /** GLOBAL scope: work waiting in the shared backlog or on its way there. */
    boolean hasGlobalOrderedWork() {
        return globalScope && (!globalInbox.isEmpty() || globalBacklogSize > 0);
    }

    /** Any task queued anywhere (deques, inboxes, pinned queues, the global queue). */
    boolean hasQueuedWork() {
        if (!global.isEmpty() || hasGlobalOrderedWork() || !resends.isEmpty()) {
            return true;
        }
        for (Agent a : agents) {
            if (a.backlog() > 0) {
                return true;
            }
        }
        return false;
    }

    int suspendedAgents() {
        return suspended.get();
    }

    /** An agent enters or leaves suspension; entering may complete quiescence after shutdown. */
    void agentSuspended(boolean entering) {
        if (!entering) {
            suspended.decrementAndGet();
            return;
        }
        suspended.incrementAndGet();
        checkQuiescentWhileSuspended();
    }

    /**
     * A suspended agent after shutdown: if every agent is idle or suspended and no work is queued,
     * the scheduler can terminate without waiting for any breaker to half-open.
     */
    void checkQuiescentWhileSuspended() {
        if (runState == SHUTDOWN && suspended.get() + idle.idleCount() >= members.get() && !hasQueuedWork()) {
            onQuiescent();
        }
    }

    // ================================================================ spares (see SpareAgent)

    /** {@code agent}'s spare, made on first use. Called by the agent's own thread only. */
    SpareAgent spareFor(Agent agent) {
        SpareAgent spare = spares.get(agent.index);
        if (spare == null) {
            synchronized (reconfiguring) {      // made with the ordering policy in force (OrderingSwitch)
                GuardedBacklog backlog = agent.backlog == null ? null
                        : new GuardedBacklog(orderingPolicy.newBacklog(), strategyFailures);
                spare = new SpareAgent((LoadstarScheduler) this, Agent.spareFor(agent, backlog));
                spares.set(agent.index, spare);
            }
        }
        return spare;
    }

    /** Starts a spare's thread, counted as a live agent; null (and logged) if none can be had. */
    Thread startSpareThread(SpareAgent spare) {
        if (runState >= STOP) {
            return null;
        }
        liveAgents.incrementAndGet();   // from a live agent's thread: the count is not zero
        Thread t = null;
        try {
            t = customThreads ? config.threadFactory().newThread(spare)
                    : new AgentThread(spare.agent, spare, config.threadNamePrefix() + spare.agent.index + "-spare",
                            config.daemon());
            if (t != null) {
                t.start();
                return t;
            }
        } catch (Throwable e) {
            LOG.warn("scheduler {}: no spare thread for agent {}: {}; its blocking section runs without one",
                    name, spare.agent.index, e.toString());
        }
        onAgentExit(spare.agent);
        return null;
    }

    /** A spare became active (needed, or running its own queue) or inactive. */
    void spareActive(boolean active) {
        if (active) {
            activeSpares.incrementAndGet();
            return;
        }
        activeSpares.decrementAndGet();
        // the last agent to go idle may have found this spare active and left the shutdown to it
        if (runState == SHUTDOWN && idle.idleCount() + suspended.get() >= members.get() && !hasQueuedWork()) {
            onQuiescent();
        }
    }

    final void unparkSpares() {
        for (int i = 0; i < agents.length; i++) {
            SpareAgent spare = spares.get(i);
            if (spare != null) {
                IdleControl.unpark(spare.thread());
            }
        }
    }

    // ================================================================ shutdown and termination

    /** Blocks an agent until shutdownNow has drained the queues. */
    void awaitDrained() {
        while (!drained && runState == STOP) {
            LockSupport.parkNanos(this, 100_000L);
        }
    }

    @Override
    public void shutdown() {
        for (;;) {
            int s = runState;
            if (s != RUNNING) {
                return;
            }
            if (casRunState(RUNNING, SHUTDOWN)) {
                break;
            }
        }
        LOG.info("scheduler {} shutting down", name);
        // parked agents re-check for quiescence
        idle.wakeAll();
        if (breakers) {
            for (Agent a : agents) {
                IdleControl.unpark(a.thread);   // and so do agents suspended by an open breaker
            }
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        boolean first = false;
        for (;;) {
            int s = runState;
            if (s >= STOP) {
                break;
            }
            if (casRunState(s, STOP)) {
                first = true;
                break;
            }
        }
        if (!first) {
            return new ArrayList<>();
        }
        LOG.info("scheduler {} stopping now", name);
        List<Runnable> returned = ShutdownDrain.drain((LoadstarScheduler) this);
        drained = true;
        for (Agent a : agents) {
            IdleControl.unpark(a.thread);
        }
        unparkSpares();
        LOG.info("scheduler {} returned {} queued tasks", name, returned.size());
        return returned;
    }

    @Override
    public boolean isShutdown() {
        return runState >= SHUTDOWN;
    }

    @Override
    public boolean isTerminated() {
        return runState == TERMINATED;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return terminated.await(timeout, unit);
    }

    /** See {@link io.github.loadstar.core.Scheduler#close()}. */
    public void close() {
        if (isTerminated()) {
            return;
        }
        shutdown();
        if (localAgent() != null) {
            return;     // waiting here would wait for this very task
        }
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
