package io.github.loadstar.bench;

import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.PlacementPolicies;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.RebalancePolicies;
import io.github.loadstar.core.spi.RebalancePolicy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The pool of {@link CoordinatorBenchmark#rebalance}, skewed anew before every shot and drained
 * after it (the design overview is the benchmark's): agents held busy by pinned chains, movable
 * tasks queued on agent 0, a rebalancing policy switched on for the shot, and the live view of the
 * agents' queues that the shot polls.
 */
@State(Scope.Benchmark)
public class SkewedPool {
    @Param({Executors.LOADSTAR})
    public String executor;

    @Param({"2", "8", "64"})
    public int agents;

    Scheduler scheduler;
    final SwitchedPolicy policy = new SwitchedPolicy();
    final Watching placement = new Watching();
    /** The scheduler's live view of its agents, for the polls. */
    private AgentLoads view;
    final Completion completion = new Completion();
    /** Tasks submitted in this shot (counted before each submission). */
    final LongAdder submitted = new LongAdder();
    final AtomicInteger chainsStarted = new AtomicInteger();
    final AtomicInteger liveChains = new AtomicInteger();
    /** Tells every task of the shot to return at once. */
    volatile boolean stop;
    /** Set by a chain that ran on an agent other than its pin. */
    volatile boolean misplaced;
    private TaskOptions[] pinned;
    private TaskOptions toAgentZero;
    private final Runnable blocking = () -> {
        if (!stop) {
            LockSupport.parkNanos(CoordinatorBenchmark.TASK_NANOS);
        }
        completion.increment();
    };
    // the current shot
    private long switchedOn;
    private double cov10;
    private double cov50;
    private double initialCov;
    private long migrationsBefore;
    private long passesBefore;
    private long orderedBefore;
    private CoordinatorBenchmark.Shots counters;

    @Setup(Level.Trial)
    public void start() {
        if (!Executors.LOADSTAR.equals(executor)) {
            throw new IllegalArgumentException("the coordinator has no peer: executor must be loadstar, not " + executor);
        }
        scheduler = Scheduler.builder().name("coordinator-bench").agents(agents)
                .stealThreshold(Integer.MAX_VALUE)
                .placementPolicy(placement)
                .coordinator(CoordinatorConfig.builder()
                        .historyInterval(Duration.ZERO)
                        .rebalancePolicy(policy)
                        .rebalanceInterval(Duration.ofMillis(CoordinatorBenchmark.REBALANCE_INTERVAL_MILLIS))
                        .build())
                .build();
        pinned = new TaskOptions[agents];
        for (int i = 0; i < agents; i++) {
            pinned[i] = TaskOptions.builder().pinnedTo(i).build();
        }
        toAgentZero = TaskOptions.builder().preferAgent(0).build();
        // one task placed by the placement policy hands it the scheduler's live view
        CountDownLatch ran = new CountDownLatch(1);
        scheduler.execute(ran::countDown);
        try {
            if (!ran.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the first task did not run");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        view = placement.view;
        if (view == null || view.agentCount() != agents) {
            throw new IllegalStateException("the placement policy was not handed the agents' view");
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(scheduler);
    }

    /** Starts a chain on every agent but 0, then queues the skew on agent 0; the policy is off. */
    @Setup(Level.Iteration)
    public void skew() {
        completion.reset();
        submitted.reset();
        stop = false;
        chainsStarted.set(0);
        liveChains.set(agents - 1);
        for (int i = 1; i < agents; i++) {
            submitted.increment();
            scheduler.execute(new Chain(this, i), pinned[i]);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (chainsStarted.get() < agents - 1) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + chainsStarted.get() + " of " + (agents - 1)
                        + " chains started");
            }
            LockSupport.parkNanos(100_000L);
        }
        for (int k = CoordinatorBenchmark.SKEW_PER_AGENT * agents; k > 0; k--) {
            submitted.increment();
            scheduler.execute(blocking, toAgentZero);
        }
        migrationsBefore = scheduler.metrics().migrations();
        initialCov = queuedCov(view);
        passesBefore = policy.passes;
        orderedBefore = policy.tasksOrdered;
        cov10 = Double.NaN;
        cov50 = Double.NaN;
    }

    /** The timed part: switch the policy on, poll until the CoV reaches the target or the limit. */
    void shot(CoordinatorBenchmark.Shots c) {
        counters = c;
        switchedOn = System.nanoTime();
        policy.switchOn(RebalancePolicies.threshold());
        long limit = TimeUnit.MILLISECONDS.toNanos(CoordinatorBenchmark.SHOT_LIMIT_MILLIS);
        boolean timedOut;
        for (;;) {
            LockSupport.parkNanos(CoordinatorBenchmark.POLL_NANOS);
            double cov = queuedCov(view);
            long elapsed = System.nanoTime() - switchedOn;
            note(elapsed, cov);
            if (cov <= CoordinatorBenchmark.COV_TARGET) {
                timedOut = false;
                break;
            }
            if (elapsed > limit) {
                timedOut = true;
                break;
            }
        }
        c.samples++;
        c.initialCov += initialCov;
        c.passes += policy.passes - passesBefore;
        c.tasksOrdered += policy.tasksOrdered - orderedBefore;
        c.timeouts += timedOut ? 1 : 0;
    }

    /** Records the CoV points of the shot. */
    private void note(long elapsedNanos, double cov) {
        if (Double.isNaN(cov10) && elapsedNanos >= 10_000_000L) {
            cov10 = cov;
        }
        if (Double.isNaN(cov50) && elapsedNanos >= 50_000_000L) {
            cov50 = cov;
        }
    }

    /** Polls on until 50 ms after the switch, then drains the pool: every task of the shot runs once. */
    @TearDown(Level.Iteration)
    public void drain() {
        long migrated = scheduler.metrics().migrations() - migrationsBefore;
        while (Double.isNaN(cov50)) {
            LockSupport.parkNanos(CoordinatorBenchmark.POLL_NANOS);
            double cov = queuedCov(view);
            note(System.nanoTime() - switchedOn, cov);
        }
        if (counters != null) {
            counters.covAfter10ms += cov10;
            counters.covAfter50ms += cov50;
            counters.migrations += migrated;
        }
        policy.switchOff();
        stop = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (liveChains.get() > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(liveChains.get() + " chains did not stop");
            }
            LockSupport.parkNanos(100_000L);
        }
        completion.await(submitted.sum());
        if (misplaced) {
            throw new IllegalStateException("a task pinned to an agent ran on another");
        }
    }

    /**
     * A task pinned to one agent (not agent 0) that blocks {@value CoordinatorBenchmark#TASK_MILLIS} ms and submits
     * itself again, pinned there, until the shot stops: the agent's own work, always one task queued
     * behind the running one, so the agent is never idle.
     */
    static final class Chain implements Runnable {
        private final SkewedPool pool;
        private final int agent;
        /** Only this chain's runs touch it, one after another (each submitted by the last). */
        private boolean started;

        Chain(SkewedPool pool, int agent) {
            this.pool = pool;
            this.agent = agent;
        }

        @Override
        public void run() {
            if (Scheduler.currentAgent() != agent) {
                pool.misplaced = true;
            }
            if (!started) {
                started = true;
                pool.chainsStarted.incrementAndGet();
            }
            if (pool.stop) {
                pool.liveChains.decrementAndGet();
                pool.completion.increment();
                return;
            }
            LockSupport.parkNanos(CoordinatorBenchmark.TASK_NANOS);
            pool.submitted.increment();
            pool.scheduler.execute(this, pool.pinned[agent]);
            pool.completion.increment();
        }
    }

    /**
     * The rebalancing policy of {@code rebalance}: plans nothing while off; while on, hands each
     * round to the threshold rule it was switched on with (a fresh instance per shot, so no
     * hysteresis carries over) and counts the rounds and the tasks ordered. Called on the
     * coordinator thread only, which is the only writer of the counts.
     */
    static final class SwitchedPolicy implements RebalancePolicy {
        private volatile RebalancePolicy rule;
        volatile long passes;
        volatile long tasksOrdered;

        void switchOn(RebalancePolicy fresh) {
            rule = fresh;
        }

        void switchOff() {
            rule = null;
        }

        @Override
        public void plan(AgentLoads loads, Moves moves) {
            RebalancePolicy r = rule;
            if (r == null) {
                return;
            }
            passes++;       // one writer (the coordinator thread): no lost update
            r.plan(loads, (from, to, tasks) -> {
                tasksOrdered += tasks;
                moves.move(from, to, tasks);
            });
        }

        @Override
        public String name() {
            return "switched-threshold";
        }
    }
    /**
     * The coefficient of variation (population) of the agents' queued tasks, read once each from the
     * live view; 0 when none is queued.
     */
    static double queuedCov(AgentLoads loads) {
        int n = loads.agentCount();
        long[] queued = new long[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            queued[i] = loads.backlog(i);
            sum += queued[i];
        }
        double mean = sum / n;
        if (mean <= 0) {
            return 0;
        }
        double squares = 0;
        for (long q : queued) {
            double d = q - mean;
            squares += d * d;
        }
        return Math.sqrt(squares / n) / mean;
    }

    /**
     * The default placement (power of two choices), which also keeps the live view of the agents
     * that the scheduler hands every placement ({@code AgentLoads}: queue lengths read on demand).
     */
    static final class Watching implements PlacementPolicy {
        private final PlacementPolicy placement = PlacementPolicies.powerOfTwoChoices();
        volatile AgentLoads view;

        @Override
        public int place(TaskOptions options, AgentLoads loads, int random) {
            if (view == null) {
                view = loads;
            }
            return placement.place(options, loads, random);
        }

        @Override
        public String name() {
            return placement.name();
        }
    }
}
