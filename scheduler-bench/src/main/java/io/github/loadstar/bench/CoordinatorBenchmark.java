package io.github.loadstar.bench;

import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.RebalancePolicies;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The coordinator: Loadstar's push path, which moves queued work off an overloaded agent before
 * anyone is idle (scheduler-core {@code Coordinator}, {@code RebalancePolicies.threshold}). Every
 * rebalancing round it counts each agent's queued tasks exactly, the policy plans moves ("agent
 * {@code to}, take {@code k} tasks from agent {@code from}"), and each move becomes an order that
 * the <em>receiving</em> agent carries out through its own steal path between two of its tasks (at
 * once if it is idle). No round is planned while an order is outstanding; an order not carried out
 * within 4 rounds is withdrawn. ForkJoinPool has no peer for this — it balances only by stealing,
 * when a worker is idle — so the only {@code executor} is {@code loadstar} (kept as a param for the
 * report). {@code agents}: 2, 8 and 64, all on the 2-core machine; the design below keeps agents
 * blocked, not spinning, so 64 of them need little CPU and the figures measure the coordinator, not
 * the cores.
 *
 * <h2>{@code rebalance}: time to spread a skew (SingleShotTime, ms)</h2>
 * The scheduler: {@code agents(n)}, {@code stealThreshold(Integer.MAX_VALUE)}, no history, and a
 * rebalancing policy that the benchmark switches on and off ({@code SwitchedPolicy}: while on, it
 * hands each round to a fresh {@code RebalancePolicies.threshold()} — tolerance
 * {@value RebalancePolicies#DEFAULT_TOLERANCE} — and counts its rounds and the tasks it orders;
 * while off it plans nothing) with a rebalancing interval of {@value #REBALANCE_INTERVAL_MILLIS} ms.
 * <p>Set-up of a shot (not timed): every agent {@code i} but agent 0 gets a <em>chain</em>: a task
 * pinned to {@code i} that blocks {@value #TASK_MILLIS} ms ({@code LockSupport.parkNanos}, like
 * I/O) and then submits itself again, pinned to {@code i}; once every chain has started, agent 0
 * gets {@value #SKEW_PER_AGENT} × n movable tasks ({@code TaskOptions.preferAgent(0)}, into its
 * inbox) that block {@value #TASK_MILLIS} ms each. So every agent is always inside a task, and its
 * next task is always already queued: no agent is ever idle, so none searches or sweeps, and
 * <b>nothing but the coordinator moves work</b> (the steal policy names no victim, and the sweep
 * before parking, which ignores the steal policy, never runs). Each agent reaches a point between
 * tasks every {@value #TASK_MILLIS} ms, where it carries out an order, and every agent runs one
 * queued task per {@value #TASK_MILLIS} ms, so a balance once reached holds while they drain. (Agent
 * 0 has no chain because a pinned task that resubmits itself starves its agent's inbox: an agent
 * takes its pinned queue before its inbox, every time, so agent 0 would never run the skew itself.)
 * The queued-task counts start at ≈ {@value #SKEW_PER_AGENT} × n on agent 0 and 0–1 elsewhere: a
 * coefficient of variation of about √(n − 1).
 * <p>The shot: switch the policy on, then every ~1 ms ({@code parkNanos(1 ms)}, then one read of
 * every agent's queue length) compute the coefficient of variation of the agents' queued tasks
 * (inbox, deque and pinned queue; population standard deviation / mean); the shot ends at the first
 * poll with a CoV ≤ {@value #COV_TARGET} (the rule's tolerance: with equal capacities a completed
 * round leaves every agent within it of the mean), or after {@value #SHOT_LIMIT_MILLIS} ms (counted
 * in {@code timeouts}; the score is then the limit). Score: ms from switching on to that poll, i.e.
 * up to one interval until the next round, the plan, up to one task ({@value #TASK_MILLIS} ms) until
 * each receiver is between tasks, the steals (63 receivers contend for agent 0's queues at 64
 * agents), and the polling's own granularity (~1 ms).
 * <p>The polls read the queue lengths through the scheduler's live view of its agents, the
 * {@code AgentLoads} that the SPI hands to placement policies ({@code backlog(i)}: the same count as
 * {@code metrics().agents().get(i).queued()}, a few reads per agent), kept by the scheduler's
 * placement policy ({@code Watching}: the default power-of-two-choices, which remembers the view it
 * is given; one task placed at set-up hands it over). Not {@code scheduler.metrics()}: a snapshot
 * reads every agent's thread CPU time and latency histogram, about 0.1 ms at 2 or 8 agents and
 * 0.7 ms at 64 on an idle pool, 1–8 ms at 64 while the 63 chains wake every {@value #TASK_MILLIS}
 * ms (measured on the 2-vCPU VM) — polled every millisecond it would take the benchmark thread's
 * core and quantise the 64-agent figure to several ms. {@code metrics()} is read twice per shot,
 * outside the timing (before the switch, and at the start of the tear-down).
 * <p>After the shot (iteration tear-down, not timed): the polls go on, the policy still on, until
 * 50 ms after the switch (for {@code covAfter10ms} and {@code covAfter50ms}); then the policy is
 * switched off, every task is told to return at once (the chains stop, the queued tasks stop
 * blocking), and the tear-down waits until every task submitted in the shot has run once (a
 * {@link Completion}: none lost, none twice; else {@code IllegalStateException}), so each shot
 * starts from an empty, quiet pool. A task that ran on an agent other than its pin fails the shot.
 * <p>Counters (per shot; the report divides by {@code samples}):
 * <ul>
 *   <li>{@code samples}: shots.</li>
 *   <li>{@code initialCov}: the queued-task CoV at the switch (the skew; about √(n − 1)).</li>
 *   <li>{@code covAfter10ms}, {@code covAfter50ms}: the CoV at the first poll at least 10 ms and 50
 *       ms after the switch — whether the balance holds while the agents drain at one speed.</li>
 *   <li>{@code passes}: rebalancing rounds the policy planned from the switch to the end of the shot
 *       (rounds skipped while orders were outstanding are not planned, so not counted).</li>
 *   <li>{@code tasksOrdered}: tasks the policy ordered moved in those rounds.</li>
 *   <li>{@code migrations}: tasks actually moved from the switch until the tear-down begins (the
 *       shot, and the polls to 50 ms), {@code metrics().migrations()}'s increase (tasks taken from
 *       a busy agent with more queued).</li>
 *   <li>{@code timeouts}: shots that ended at the limit without reaching the target.</li>
 * </ul>
 *
 * <h2>{@code pass}: the cost of one rebalancing pass (AverageTime, µs per call)</h2>
 * {@code scheduler.rebalanceNow()} called by the benchmark thread. The scheduler has no history and
 * rebalancing off, so it starts no coordinator thread, and {@code rebalanceNow} runs the pass on the
 * caller's thread with the default threshold rule (with a coordinator thread it would only wake that
 * thread and return; set-up checks that there is none). Set-up (per trial): every agent is blocked
 * in a task pinned to it (waiting on a latch: no CPU), then movable tasks are queued with
 * {@code preferAgent}: {@code load = balanced}: {@value #QUEUED_PER_AGENT} on every agent;
 * {@code load = skewed}: {@value #QUEUED_PER_AGENT} × n on agent 0, none elsewhere. No agent is idle,
 * so nothing is stolen, and no agent gets between tasks, so no order is ever carried out: the
 * queues stay exactly as set for the whole trial (checked at tear-down: a change fails it).
 * <ul>
 *   <li>{@code balanced}: every pass finds no order outstanding, reads the n queue lengths and plans
 *       nothing: the cost of a round that finds nothing to do.</li>
 *   <li>{@code skewed}: a pass that plans orders one move to each of the n − 1 other agents (every
 *       one to the mean). Those orders are never carried out, so the next three passes find them
 *       outstanding and return after reading the n orders; the fourth withdraws them (4 rounds is
 *       the coordinator's limit) and plans the same moves again. So the figure is the mean over that
 *       cycle: one planning pass (O(n²) in the threshold rule's search for giver and taker, n − 1
 *       orders written) and three that read n orders — not a planning pass alone, which costs
 *       roughly 4 × the mean.</li>
 * </ul>
 * No counters. A planning pass allocates the threshold rule's per-round arrays (≈ 14 bytes per
 * agent plus headers, and the callback) and a pass that finds orders outstanding allocates nothing,
 * so {@code -prof gc} shows the cycle: {@code skewed}'s bytes per call are a quarter of
 * {@code balanced}'s.
 *
 * <p>Caveats: 64 agents are 64 threads on 2 cores; in {@code rebalance} each wakes every
 * {@value #TASK_MILLIS} ms (32,000 wake-ups a second at 64 agents), so the benchmark thread and the
 * coordinator thread wait for a core now and then, more so on a machine shared with other work. The
 * shot's figure is quantised by the ~1 ms polls and includes each receiver's wait for the end of
 * its current task (up to {@value #TASK_MILLIS} ms: orders are carried out between tasks): it is the
 * latency of the coordinator in a pool of blocking tasks of {@value #TASK_MILLIS} ms, not a CPU cost;
 * the CPU cost of a round is {@code pass}. The first shot of a fork also pays for JIT compilation
 * (hence the warm-up shots). Configurations: 3 ({@code rebalance}) + 6 ({@code pass}) = 9.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CoordinatorBenchmark {
    /** How long each task of {@code rebalance} blocks. */
    static final long TASK_MILLIS = 2;
    /** Movable tasks queued on agent 0 per agent of the pool, in {@code rebalance}. */
    static final int SKEW_PER_AGENT = 64;
    /** The coordinator's interval in {@code rebalance}. */
    static final long REBALANCE_INTERVAL_MILLIS = 1;
    /** The queued-task CoV at which a {@code rebalance} shot ends. */
    static final double COV_TARGET = RebalancePolicies.DEFAULT_TOLERANCE;
    /** The longest shot. */
    static final long SHOT_LIMIT_MILLIS = 1_000;
    /** The poll period of {@code rebalance}. */
    static final long POLL_NANOS = 1_000_000;
    /** Queued tasks per agent in {@code pass}. */
    static final int QUEUED_PER_AGENT = 32;

    static final long TASK_NANOS = TimeUnit.MILLISECONDS.toNanos(TASK_MILLIS);

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    public void rebalance(SkewedPool pool, Shots counters) {
        pool.shot(counters);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 1, time = 1000, timeUnit = TimeUnit.MILLISECONDS)
    @Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
    public void pass(QueuedPool pool) {
        pool.scheduler.rebalanceNow();
    }

    /** Per-shot counters of {@code rebalance}; the report divides each by {@code samples}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Shots {
        /** Shots measured. */
        public long samples;
        /** Sum over shots of the queued-task CoV at the switch. */
        public double initialCov;
        /** Sum over shots of the CoV at the first poll ≥ 10 ms after the switch. */
        public double covAfter10ms;
        /** Sum over shots of the CoV at the first poll ≥ 50 ms after the switch. */
        public double covAfter50ms;
        /** Rounds planned during the shots. */
        public long passes;
        /** Tasks ordered moved during the shots. */
        public long tasksOrdered;
        /** Tasks moved from the switches until the tear-downs began. */
        public long migrations;
        /** Shots that ended at the limit. */
        public long timeouts;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
            initialCov = 0;
            covAfter10ms = 0;
            covAfter50ms = 0;
            passes = 0;
            tasksOrdered = 0;
            migrations = 0;
            timeouts = 0;
        }
    }

    /** The pool of {@code pass}: every agent blocked, the movable tasks queued as {@code load} says. */
    @State(Scope.Benchmark)
    public static class QueuedPool {
        @Param({Executors.LOADSTAR})
        public String executor;

        @Param({"2", "8", "64"})
        public int agents;

        /** {@code skewed}: all queued tasks on agent 0; {@code balanced}: as many on every agent. */
        @Param({"skewed", "balanced"})
        public String load;

        Scheduler scheduler;
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger holding = new AtomicInteger();
        private final Completion completion = new Completion();
        private long[] expected;
        private long total;

        @Setup(Level.Trial)
        public void start() {
            if (!Executors.LOADSTAR.equals(executor)) {
                throw new IllegalArgumentException("the coordinator has no peer: executor must be loadstar, not " + executor);
            }
            boolean skewed;
            switch (load) {
                case "skewed":
                    skewed = true;
                    break;
                case "balanced":
                    skewed = false;
                    break;
                default:
                    throw new IllegalArgumentException("load must be skewed or balanced: " + load);
            }
            // no history, rebalancing off: no coordinator thread, so rebalanceNow() runs the pass here
            scheduler = Scheduler.builder().name("coordinator-pass").agents(agents)
                    .stealThreshold(Integer.MAX_VALUE)
                    .coordinator(CoordinatorConfig.builder().historyInterval(Duration.ZERO).build())
                    .build();
            String coordinatorThread = scheduler.name() + "-coordinator";
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals(coordinatorThread)) {
                    throw new IllegalStateException("a coordinator thread runs: rebalanceNow() would only wake it");
                }
            }
            Runnable hold = () -> {
                holding.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                completion.increment();
            };
            for (int i = 0; i < agents; i++) {
                scheduler.execute(hold, TaskOptions.builder().pinnedTo(i).build());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (holding.get() < agents) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("only " + holding.get() + " of " + agents + " agents were held");
                }
                LockSupport.parkNanos(100_000L);
            }
            Runnable noop = completion::increment;
            expected = new long[agents];
            for (int i = 0; i < agents; i++) {
                int tasks = skewed ? (i == 0 ? QUEUED_PER_AGENT * agents : 0) : QUEUED_PER_AGENT;
                TaskOptions there = TaskOptions.builder().preferAgent(i).build();
                for (int k = 0; k < tasks; k++) {
                    scheduler.execute(noop, there);
                }
                expected[i] = tasks;
                total += tasks;
            }
            checkQueues("after set-up");
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            checkQueues("after the passes");
            release.countDown();
            completion.await(agents + total);
            Executors.stop(scheduler);
        }

        /** Every agent still holds exactly the tasks queued on it at set-up. */
        private void checkQueues(String when) {
            List<AgentMetrics> a = scheduler.metrics().agents();
            for (int i = 0; i < agents; i++) {
                if (a.get(i).queued() != expected[i]) {
                    throw new IllegalStateException(when + ": agent " + i + " has " + a.get(i).queued()
                            + " tasks queued, expected " + expected[i] + " (work moved or ran)");
                }
            }
        }
    }

}
