package io.github.loadstar.core;

import io.github.loadstar.core.internal.LoadstarScheduler;
import io.github.loadstar.core.metrics.PerformanceReport;
import io.github.loadstar.core.metrics.SchedulerHistory;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/**
 * A work-stealing scheduler: a drop-in {@link ExecutorService} that spreads tasks over a fixed set
 * of agents (worker threads), balances them by lock-free work stealing, and reports how well the
 * load is balanced.
 *
 * <pre>{@code
 * try (Scheduler scheduler = Scheduler.builder().agents(4).build()) {
 *     TaskFuture<Integer> answer = scheduler.submit(() -> 6 * 7);
 *     answer.toCompletableFuture().thenAccept(System.out::println);
 *     System.out.println(scheduler.metrics());
 * }
 * }</pre>
 *
 * <h2>Where tasks go</h2>
 * A task submitted from outside the scheduler is placed on an agent by the
 * {@link io.github.loadstar.core.spi.PlacementPolicy} (by default the less loaded of two agents
 * drawn at random). A task submitted from inside a running task stays on the current agent. A task
 * pinned with {@link TaskOptions.Builder#pinnedTo(int)} goes to its agent and stays there. Idle
 * agents steal movable tasks from busy ones.
 *
 * <h2>Lifecycle</h2>
 * As {@link ExecutorService}: {@link #shutdown()} rejects new submissions from outside and lets
 * queued work finish (tasks that running tasks submit are still accepted, as in
 * {@link java.util.concurrent.ForkJoinPool}); {@link #shutdownNow()} interrupts running tasks and
 * returns every task that had not started; {@link #close()} shuts down and waits.
 * A submission that races {@code shutdown} is either run or rejected, never lost.
 *
 * <h2>Failures</h2>
 * A task that throws completes its future exceptionally (or, for a plain {@code Runnable}, is
 * handed to its thread's uncaught-exception handler) and is counted; its agent carries on. An
 * {@link Error} ends the agent's thread, and a new thread takes over the agent's queues.
 */
public interface Scheduler extends ExecutorService, AutoCloseable {

    /**
     * Runs {@code blocker} as {@link ForkJoinPool#managedBlock} does: calls
     * {@link ForkJoinPool.ManagedBlocker#block() block()} until it or
     * {@link ForkJoinPool.ManagedBlocker#isReleasable() isReleasable()} returns true. Called from a
     * task running on a scheduler's agent, the agent gets a <em>spare</em> meanwhile: a thread that
     * runs the agent's queued work and steals, so the scheduler keeps its parallelism while the task
     * waits on I/O, a lock, or another library's future. At most one spare per agent (so at most as
     * many extra threads as agents); a spare is kept, parked, for the agent's next blocking section.
     * From any other thread it just blocks.
     *
     * <p>Waiting on this scheduler's own {@link TaskFuture}s needs no blocking section: those waits
     * run the awaited task, or other work, on the waiting thread.
     *
     * @throws InterruptedException if {@code block()} throws it
     * @throws NullPointerException if {@code blocker} is null
     */
    static void managedBlock(ForkJoinPool.ManagedBlocker blocker) throws InterruptedException {
        Objects.requireNonNull(blocker, "blocker");
        LoadstarScheduler.managedBlock(blocker);
    }

    /**
     * Runs {@code section}, which may block, as a blocking section (see
     * {@link #managedBlock(ForkJoinPool.ManagedBlocker)}), and returns its result.
     *
     * <pre>{@code
     * String body = Scheduler.blocking(() -> httpClient.send(request, ofString()).body());
     * }</pre>
     *
     * @throws Exception            what {@code section} throws
     * @throws NullPointerException if {@code section} is null
     */
    static <T> T blocking(Callable<T> section) throws Exception {
        Objects.requireNonNull(section, "section");
        final class Section implements ForkJoinPool.ManagedBlocker {
            T value;
            Exception failure;
            boolean done;

            @Override
            public boolean block() {
                try {
                    value = section.call();
                } catch (Exception e) {
                    failure = e;
                }
                done = true;
                return true;
            }

            @Override
            public boolean isReleasable() {
                return done;
            }
        }
        Section run = new Section();
        managedBlock(run);
        if (run.failure != null) {
            throw run.failure;
        }
        return run.value;
    }

    /**
     * The index of the agent whose thread calls this, in its scheduler (a spare running for an
     * agent answers that agent's), or -1 on a thread that is no Loadstar agent's.
     */
    static int currentAgent() {
        return LoadstarScheduler.currentAgentIndex();
    }

    /** A builder with the defaults: one agent per available processor, FIFO, work stealing. */
    static SchedulerBuilder builder() {
        return new SchedulerBuilder();
    }

    /**
     * Runs {@code task} with {@code options}.
     *
     * @throws NullPointerException     if {@code task} or {@code options} is null
     * @throws IllegalArgumentException if {@code options} pins the task to an agent that does not exist
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or at the queue bound
     *                                  with {@link RejectionBehaviour#ABORT}
     */
    void execute(Runnable task, TaskOptions options);

    /**
     * Submits {@code task} with {@code options}.
     *
     * @throws NullPointerException     if {@code task} or {@code options} is null
     * @throws IllegalArgumentException if {@code options} pins the task to an agent that does not exist
     * @throws java.util.concurrent.RejectedExecutionException after shutdown, or at the queue bound
     *                                  with {@link RejectionBehaviour#ABORT}
     */
    <T> TaskFuture<T> submit(Callable<T> task, TaskOptions options);

    /** As {@link #submit(Callable, TaskOptions)}, for a task without a result. */
    TaskFuture<?> submit(Runnable task, TaskOptions options);

    @Override
    <T> TaskFuture<T> submit(Callable<T> task);

    @Override
    TaskFuture<?> submit(Runnable task);

    @Override
    <T> TaskFuture<T> submit(Runnable task, T result);

    /**
     * Places a batch by an allocator's assignment: {@code allocator} solves {@code problem} (on the
     * caller's thread, within the request's budget), and if it finds an assignment each task is
     * submitted to its agent — pinned there, or preferring it and left movable
     * ({@link io.github.loadstar.core.allocation.BatchPlacement}). The problem's agents are this
     * scheduler's agents 0 … m − 1. If no assignment is found nothing is submitted, and the result
     * says why. The batch and its result show in {@link #metrics()} and the report.
     *
     * @param tasks one per task of the problem, in its order
     * @throws NullPointerException     if an argument or a task is null
     * @throws IllegalArgumentException naming {@code tasks} if their count differs from the problem's,
     *                                  or {@code problem.agents} if an agent is not in the scheduler
     * @throws java.util.concurrent.RejectedExecutionException after shutdown (the tasks of the batch
     *                                  already submitted are then cancelled)
     */
    <T> io.github.loadstar.core.allocation.AllocatedBatch<T> submitAll(
            java.util.List<? extends Callable<T>> tasks, io.github.loadstar.core.allocation.AllocationProblem problem,
            io.github.loadstar.core.allocation.Allocator allocator,
            io.github.loadstar.core.allocation.AllocationRequest request,
            io.github.loadstar.core.allocation.BatchPlacement placement);

    /** A snapshot of the scheduler's figures. Cheap enough to call every second; never blocks agents. */
    SchedulerMetrics metrics();

    /**
     * The scheduler's recent past: the snapshots its coordinator thread took every
     * {@link SchedulerBuilder#historyInterval history interval}, oldest first, ending — once the
     * scheduler has terminated — with its final counts; and the figures over a recent window
     * ({@link SchedulerHistory#window}). Empty if the history is off.
     */
    SchedulerHistory history();

    /**
     * The performance report: the KPIs now and over the newest {@code window} of the history, the
     * agents, tenants and breakers, and the trend (see {@link PerformanceReport}).
     *
     * @throws NullPointerException     if {@code window} is null
     * @throws IllegalArgumentException if {@code window} is negative
     */
    PerformanceReport report(java.time.Duration window);

    /**
     * The bottlenecks in the snapshot and the newest {@code window} of the history, each with its
     * evidence and a suggested action (see {@link io.github.loadstar.core.metrics.BottleneckAnalysis});
     * none for an idle or healthy scheduler.
     *
     * @throws NullPointerException     if {@code window} is null
     * @throws IllegalArgumentException if {@code window} is negative
     */
    java.util.List<io.github.loadstar.core.metrics.Finding> bottlenecks(java.time.Duration window);

    /**
     * Runs one rebalancing round now, with the configured policy (the default threshold rule if
     * rebalancing is off): moves are ordered at once and carried out by the receiving agents between
     * their tasks. Returns without waiting for them.
     */
    void rebalanceNow();

    /**
     * Runs the topology optimiser's rule now, over the newest window of the history, whether or not
     * its periodic rounds are on: add an agent, recalibrate capacities, remove one, or nothing —
     * with the evidence and the model's prediction. Applied ({@code apply}), the change is made
     * through {@link #addAgent}, {@link #removeAgent} or {@link #reconfigure} and the decision joins
     * {@link #topologyDecisions()}; a dry run changes nothing and its reason begins "dry run".
     *
     * @param objective what to improve, or null for the configured {@code topology.objective}
     * @param apply     whether to make the change
     * @throws IllegalStateException if no objective is given or configured, the history is off or holds
     *                               fewer than two snapshots in the window, nothing ran in it, the
     *                               scheduler is shut down, or — to apply — the last change is still
     *                               being measured
     */
    io.github.loadstar.core.metrics.TopologyDecision optimizeTopology(TopologyConfig.Objective objective, boolean apply);

    /**
     * The topology optimiser's decisions ({@link CoordinatorConfig.Builder#topology}), applied or not,
     * oldest first, the last 100: each with its evidence, its prediction and — once the next window
     * has passed — what was measured. Empty when the optimiser is off.
     */
    java.util.List<io.github.loadstar.core.metrics.TopologyDecision> topologyDecisions();

    /** The settings in force: what {@link #reconfigure} can change, with their version. */
    SchedulerSettings settings();

    /**
     * Changes settings while tasks run: {@code change} is applied to the settings in force (for
     * example {@code s -> s.withStealBatchLimit(8).withRebalancePolicy(RebalancePolicies.threshold())}),
     * the result is swapped in whole with the next version number, and what changed is reported.
     * Invalid values throw from the {@code with…} call that names the field, before anything is
     * swapped: the old settings stay in force. Concurrent reconfigurations are serialised. Agents
     * read the settings where they use them, so a change takes effect at each agent's next steal,
     * placement or rebalancing round.
     *
     * @throws NullPointerException if {@code change} or its result is null
     */
    SchedulerSettings.Change reconfigure(java.util.function.UnaryOperator<SchedulerSettings> change);

    /**
     * The number of agent slots: agent indices (for {@link TaskOptions#affinity}, the metrics, the
     * rebalancing moves) run from 0 to this minus 1. It is the agent count unless
     * {@link SchedulerBuilder#maxAgents} left room for agents added later; how many agents are in
     * the scheduler now is {@code settings().agentCount()}.
     */
    int agentCount();

    /**
     * Adds an agent while tasks run, in a free slot (up to {@link SchedulerBuilder#maxAgents}): its
     * thread starts at once and placement, stealing and rebalancing use it from its first loop
     * turn. Counts as a reconfiguration (the settings' capacities, a new version).
     *
     * @return the new agent's index
     * @throws IllegalArgumentException if {@code capacity} is not positive and finite
     * @throws IllegalStateException    if no slot is free, the scheduler is shut down, or no thread can
     *                                  be started (nothing changed)
     */
    int addAgent(double capacity);

    /**
     * Adds a <em>remote agent</em>: an agent slot whose tasks run on a member of a cluster, reached
     * through {@code link} (scheduler-hazelcast's {@code RemoteMembers} adds one per worker member).
     * The agent keeps its queue here, in this scheduler's order (FIFO, its own backlog under a
     * PER_AGENT ordering policy, or the shared backlog in GLOBAL scope), and admits tasks to the
     * member while fewer than {@code link.window()} are in flight;
     * placement, the metrics (with {@code location}), the report and the management tools treat it as
     * an agent. It never steals; local agents may steal its tasks that are not yet admitted.
     * {@code breaker} (its own; null for none) hears every outcome and every task in flight longer
     * than {@code link.responseTimeoutNanos()}; while it refuses, the agent admits nothing, takes
     * back the tasks the member has not started and hands its queue to the other agents; trials
     * probe the member back in. While any remote agent exists, a task whose body is not
     * {@link java.io.Serializable} goes to local agents only, and is rejected at submission if
     * there is none, it is pinned to a remote agent, or (in GLOBAL scope, where every movable task
     * may be admitted to a member) it is not pinned to a local agent. {@link #removeAgent} removes a remote agent:
     * it stops admitting, takes back its unstarted tasks, and leaves once every task it sent has
     * been reported.
     *
     * @return the new agent's index
     * @throws NullPointerException     if {@code link} is null
     * @throws IllegalArgumentException if {@code capacity} is not positive and finite, or the link's
     *                                  window or timeout is not positive (nothing changed)
     * @throws IllegalStateException    if no slot is free, the scheduler is shut down, or no thread
     *                                  can be started (nothing changed)
     */
    int addRemoteAgent(io.github.loadstar.core.spi.RemoteLink link, double capacity,
                       io.github.loadstar.core.spi.AgentBreaker breaker);

    /**
     * Drains and removes an agent while tasks run. At once it takes no new work (placement, steals
     * from others and rebalancing orders pass it by; a task newly pinned to it is rejected); between
     * its tasks it hands its queued movable tasks to the others (each counted as a migration) and
     * runs the tasks already pinned to it, then its thread exits and its slot is free again. Returns
     * without waiting: its state is {@link io.github.loadstar.core.metrics.AgentState#DRAINING
     * DRAINING}, then {@code REMOVED}. Counts as a reconfiguration.
     *
     * @throws IllegalArgumentException if there is no such agent, or it is already leaving
     * @throws IllegalStateException    if it is the last agent, or the scheduler is shut down
     */
    void removeAgent(int agent);

    /** The scheduler's name. */
    String name();

    /**
     * Shuts down and waits for the queued work to finish. If interrupted while waiting, calls
     * {@link #shutdownNow()}, keeps waiting, and returns with the interrupt flag set. Called from
     * one of this scheduler's own tasks, it only initiates the shutdown (waiting would wait for itself).
     */
    @Override
    void close();
}
