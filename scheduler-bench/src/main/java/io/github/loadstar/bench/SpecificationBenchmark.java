package io.github.loadstar.bench;

import io.github.loadstar.core.Scheduler;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The two benchmarks of the original specification (item 13 of the spec summary), as it defines
 * them: "throughput (tasks per second, average latency) for a task count and agent count" and
 * "load-balance efficiency = 1 / (1 + variance of per-agent load)".
 *
 * <h2>Executors ({@code @Param executor}), each with {@code agents} worker threads</h2>
 * <ul>
 *   <li>{@code loadstar}: {@code Scheduler.builder().agents(n)} with its defaults — power-of-two-choices
 *       placement, FIFO, work stealing with the default threshold policy, no push rebalancing.</li>
 *   <li>{@code loadstar-roundrobin}: the same with {@code PlacementPolicies.roundRobin()}.</li>
 *   <li>{@code forkjoinpool}: {@code new ForkJoinPool(n)} (never the common pool). Tasks submitted
 *       from outside go to its shared submission queues, which workers poll oldest first; its LIFO
 *       default only concerns tasks that workers push themselves, and no task here does.</li>
 *   <li>{@code threadpoolexecutor}: {@code new ThreadPoolExecutor(n, n, 0, s, new LinkedBlockingQueue<>())},
 *       as {@code Executors.create} builds it, except that its thread factory numbers the threads
 *       0, 1, … (so {@code loadBalanceEfficiency} can tell them apart; the threads are otherwise what
 *       the default factory makes: non-daemon, normal priority).</li>
 * </ul>
 * {@code PlacementPolicies.affinity()} is left out on purpose: it places a task by its tenant, and
 * a plain {@code execute(Runnable)} has none ({@code TaskOptions.DEFAULT}), so it falls through to
 * exactly the power-of-two-choices code that {@code loadstar} runs — a third name for the same
 * configuration. It needs a benchmark with tenants to mean anything. Every executor gets the same
 * tasks in the same order, from the same single producer (the benchmark thread), on the same JDK
 * and JVM flags, and pays the same instrumentation (throughput: one clock read on the producer, one
 * on the worker and two {@code LongAdder} updates per task; load balance: one plain write to the
 * worker's own slot and one {@code LongAdder} update per task).
 *
 * <h2>{@code throughputTest1k} and {@code throughputTest100k}: throughput and average latency</h2>
 * One invocation: the benchmark thread submits a batch of identical small tasks with
 * {@code execute} — {@value #SMALL_BATCH} or {@value #LARGE_BATCH} of them — and waits until all
 * have run. Each task burns {@code Blackhole.consumeCPU(}{@value #TASK_TOKENS}{@code )} (about
 * 0.2 µs on the 2-vCPU VM, JDK 17), then reads {@code System.nanoTime()} once.
 * <p><b>Score: tasks per second</b> ({@code Mode.Throughput}, {@code @OperationsPerInvocation} =
 * the batch size, output unit seconds), higher is better. The spec's "task count" is the batch size;
 * because {@code @OperationsPerInvocation} must be a compile-time constant, each batch size is its
 * own {@code @Benchmark} method rather than a {@code @Param} (JMH's usual way): the primary score is
 * then tasks per second, exact over each iteration (total tasks / total time), with JMH's error
 * bars, instead of an average of per-invocation rates. Select both with the regex
 * {@code throughputTest}. The "agent count" is {@code agents}.
 * <p>Auxiliary counters ({@code @AuxCounters(EVENTS)}, summed by JMH over iterations and forks;
 * divide by {@code samples}):
 * <ul>
 *   <li>{@code avgLatencyMicros}: per invocation, the mean over its tasks of (task end − the moment
 *       the producer was about to submit it), in µs; summed over invocations.</li>
 *   <li>{@code samples}: invocations measured (one latency mean each).</li>
 * </ul>
 * The mean is computed without a per-task array: the producer adds each task's submission stamp to
 * a local sum, each task adds its end stamp into a {@code LongAdder}, and
 * mean latency = (Σ end − Σ submission) / n — the same figure as a mean over per-task differences,
 * without tasks writing neighbouring array slots from different cores (false sharing would tax the
 * executors that spread consecutive tasks over agents, i.e. bias the comparison). Stamps are taken
 * relative to the invocation's start, so the sums cannot overflow.
 *
 * <h2>{@code loadBalanceEfficiency}: how evenly the work was divided</h2>
 * One invocation: the benchmark thread submits {@code taskCount} tasks with heterogeneous costs —
 * {@code consumeCPU(cost)} with cost drawn once, in set-up, from an exponential distribution of
 * mean {@value #MEAN_COST_TOKENS} tokens (about 2 µs; at least 1 token; seeded, so every executor
 * and every invocation sees the same costs in the same order) — and waits until all have run. Each
 * task adds its cost to the slot of the worker that ran it: Loadstar's {@code Scheduler.currentAgent()},
 * ForkJoinPool's {@code ForkJoinWorkerThread.getPoolIndex()}, the ThreadPoolExecutor thread's number
 * from the factory. Slots are 128 bytes apart and each is written only by its own worker.
 * Per-agent load {@code load_i} = the tokens worker i ran; normalised to the ideal share,
 * {@code x_i = load_i / (total / n)} (so the x_i average exactly 1); variance = the population
 * variance {@code Σ (x_i − 1)² / n} over all n agents (an agent that ran nothing counts with
 * x = 0); efficiency = {@code 1 / (1 + variance)}: 1 for a perfect split, 1/n when one agent ran
 * everything.
 * <p><b>Score: milliseconds per invocation</b> ({@code Mode.AverageTime}), lower is better — the
 * makespan of the batch, which is what an uneven split ultimately costs.
 * <p>Auxiliary counters (EVENTS, summed; divide by {@code samples}):
 * {@code loadVariance} (the variance above, per invocation), {@code efficiency} (1 / (1 + variance),
 * per invocation) and {@code samples} (invocations measured). Note mean(efficiency) is not
 * 1 / (1 + mean(variance)); both are given.
 *
 * <h2>Checks</h2>
 * Every invocation counts its finished tasks and throws {@code IllegalStateException} unless the
 * count equals the number submitted; a task that never runs makes the wait time out after
 * {@value #TIMEOUT_SECONDS} s with the same exception, so no work can be dropped silently.
 * {@code loadBalanceEfficiency} also checks that the slots add up to the batch's total cost, that no
 * task ran on a thread without a valid worker index, and that at most n distinct workers ran tasks.
 *
 * <h2>Caveats</h2>
 * <ul>
 *   <li>The machine has 2 cores. The producer is a thread too: with {@code agents = 2}, three busy
 *       threads share two cores; {@code agents = 4} and {@code 8} are oversubscribed on purpose (the
 *       spec asks for an agent-count axis), so those rows measure the executors under OS
 *       time-slicing, not parallel speed-up — throughput cannot grow past 2 agents here, and at 8
 *       agents the split of work also reflects which threads the OS happened to run.</li>
 *   <li>Latency is that of a burst: all tasks are queued at once, so the mean is dominated by
 *       waiting behind the batch (about half the time to drain it, plus submission). It grows with
 *       the batch and is not the wake-up latency of an idle pool ({@code QueueLatencyBenchmark} with {@code load=light} measures
 *       that). Its two clock reads per task (about 20 ns each; one on the producer, one on the
 *       worker) are part of the throughput figure for every executor alike.</li>
 *   <li>Pull-model executors (ThreadPoolExecutor's one queue; ForkJoinPool's shared submission
 *       queues) hand each task to whichever worker is free, which is greedy list scheduling: their
 *       efficiency is expected near 1 and is spoilt only at the end of the batch and by OS
 *       scheduling. Loadstar pushes each task to one agent's inbox at submission and relies on
 *       stealing to correct the placement, so its figure shows how well placement plus stealing
 *       recover what a shared queue gets for free (and what it pays for it is in the score).</li>
 *   <li>Load counts work (tokens run), not busy time: it says how the work was divided, not how
 *       fast each worker ran it. All agents have capacity 1. The figure is computed by this
 *       benchmark, identically for all executors; it is not Loadstar's own
 *       {@code metrics().loadVariance()}, which is the variance of queued load at one moment.</li>
 * </ul>
 * Configurations: throughput 2 methods × 4 executors × 2 agent counts = 16 (one agent is left out of
 * the grid to keep the quick profile under 10 minutes; {@code -p agents=1,2,4 throughputTest} adds it, where
 * Loadstar's placement policies are trivially the same); load balance 4 executors × 2 agent counts
 * × 1 task count = 8 (agents 2 and 8; {@code -p agents=2,4,8 loadBalanceEfficiency} adds 4); 24 in all.
 */
@Warmup(iterations = 1, time = 4000, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SpecificationBenchmark {
    /** The small batch of {@code throughputTest1k}. */
    static final int SMALL_BATCH = 1_000;
    /** The large batch of {@code throughputTest100k}. */
    static final int LARGE_BATCH = 100_000;
    /** The CPU cost of one throughput task, in {@code consumeCPU} tokens (about 2 ns each). */
    static final int TASK_TOKENS = 100;
    /** The mean cost of a load-balance task, in tokens. */
    static final int MEAN_COST_TOKENS = 1_000;
    /** The seed of the load-balance costs. */
    static final long SEED = 20_240_613L;
    /** How long an invocation may wait for its tasks before it declares some lost. */
    static final long TIMEOUT_SECONDS = 30;
    /** Longs between two load slots: 128 bytes, so no two workers write the same cache line (pair). */
    static final int PAD = 16;

    private static final int KIND_LOADSTAR = 0;
    private static final int KIND_FORK_JOIN = 1;
    private static final int KIND_THREAD_POOL = 2;

    // ================================================================ throughput

    /** The pool and the shared task of the throughput benchmarks. */
    @State(Scope.Benchmark)
    public static class ThroughputState {
        @Param({Executors.LOADSTAR, Executors.LOADSTAR_ROUND_ROBIN, Executors.FORK_JOIN_POOL,
                Executors.THREAD_POOL_EXECUTOR})
        public String executor;

        /** Worker threads (agents) of every executor. */
        @Param({"2", "4"})
        public int agents;

        ExecutorService pool;
        final Tally tally = new Tally();
        final TimedTask task = new TimedTask(tally);

        @Setup(Level.Trial)
        public void start() {
            pool = create(executor, agents);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            Executors.stop(pool);
        }
    }

    /** The latency counters of the throughput benchmarks. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Latency {
        /** Sum over invocations of each invocation's mean submit-to-completion latency, µs. */
        public double avgLatencyMicros;
        /** Invocations measured. */
        public long samples;

        @Setup(Level.Iteration)
        public void reset() {
            avgLatencyMicros = 0;
            samples = 0;
        }
    }

    /**
     * The throughput task: a fixed tiny CPU cost, then its end stamp (relative to {@link #base})
     * into the tally. One instance serves every submission (each executor wraps or queues the same
     * Runnable), so the producer allocates nothing of its own per task.
     */
    static final class TimedTask implements Runnable {
        private final Tally tally;
        /** The invocation's time origin; written before the batch is submitted (execute orders it). */
        long base;

        TimedTask(Tally tally) {
            this.tally = tally;
        }

        @Override
        public void run() {
            Blackhole.consumeCPU(TASK_TOKENS);
            tally.finish(System.nanoTime() - base);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(SMALL_BATCH)
    public void throughputTest1k(ThroughputState state, Latency counters) {
        runBatch(state, SMALL_BATCH, counters);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(LARGE_BATCH)
    public void throughputTest100k(ThroughputState state, Latency counters) {
        runBatch(state, LARGE_BATCH, counters);
    }

    private static void runBatch(ThroughputState state, int n, Latency counters) {
        Tally tally = state.tally;
        tally.reset();                      // the previous batch has finished: no task touches it now
        ExecutorService pool = state.pool;
        TimedTask task = state.task;
        long base = System.nanoTime();
        task.base = base;
        long submitted = 0;                 // Σ submission stamps, relative to base
        for (int i = 0; i < n; i++) {
            submitted += System.nanoTime() - base;
            pool.execute(task);
        }
        tally.await(n, state.executor);
        long finished = tally.endSum();     // Σ end stamps, relative to base; visible after await
        counters.avgLatencyMicros += (finished - submitted) / (n * 1_000.0);
        counters.samples++;
    }

    // ================================================================ load balance

    /** The pool, the precomputed heterogeneous tasks and the per-worker load slots. */
    @State(Scope.Benchmark)
    public static class BalanceState {
        @Param({Executors.LOADSTAR, Executors.LOADSTAR_ROUND_ROBIN, Executors.FORK_JOIN_POOL,
                Executors.THREAD_POOL_EXECUTOR})
        public String executor;

        /** Worker threads (agents) of every executor. */
        @Param({"2", "8"})
        public int agents;

        /** Tasks per invocation. */
        @Param({"20000"})
        public int taskCount;

        ExecutorService pool;
        final Tally tally = new Tally();
        CostTask[] tasks;
        long totalCost;
        /** Per-worker tokens, slot k at index k * PAD; the last slot collects tasks run by an unknown thread. */
        long[] loads;
        int slots;

        @Setup(Level.Trial)
        public void start() {
            int kind = executor.startsWith("loadstar") ? KIND_LOADSTAR
                    : executor.equals(Executors.FORK_JOIN_POOL) ? KIND_FORK_JOIN : KIND_THREAD_POOL;
            // getPoolIndex() stays below the next power of two of the parallelism on JDK 17; room to
            // spare, and an index beyond it lands in the "unknown thread" slot, which the check rejects.
            slots = 4 * agents + 8;
            loads = new long[(slots + 1) * PAD];
            SplittableRandom random = new SplittableRandom(SEED);
            tasks = new CostTask[taskCount];
            long total = 0;
            for (int i = 0; i < taskCount; i++) {
                long cost = Math.max(1L, Math.round(-MEAN_COST_TOKENS * Math.log(1.0 - random.nextDouble())));
                tasks[i] = new CostTask(cost, kind, this);
                total += cost;
            }
            totalCost = total;
            pool = create(executor, agents);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            Executors.stop(pool);
        }
    }

    /** The load-balance counters. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Balance {
        /** Sum over invocations of the variance of the normalised per-agent loads. */
        public double loadVariance;
        /** Sum over invocations of 1 / (1 + variance). */
        public double efficiency;
        /** Invocations measured. */
        public long samples;

        @Setup(Level.Iteration)
        public void reset() {
            loadVariance = 0;
            efficiency = 0;
            samples = 0;
        }
    }

    /** A load-balance task: burns its cost, then adds it to the slot of the worker running it. */
    static final class CostTask implements Runnable {
        private final long cost;
        private final int kind;
        private final long[] loads;
        private final int slots;
        private final Tally tally;

        CostTask(long cost, int kind, BalanceState state) {
            this.cost = cost;
            this.kind = kind;
            this.loads = state.loads;
            this.slots = state.slots;
            this.tally = state.tally;
        }

        @Override
        public void run() {
            Blackhole.consumeCPU(cost);
            int worker;
            switch (kind) {
                case KIND_LOADSTAR:
                    worker = Scheduler.currentAgent();
                    break;
                case KIND_FORK_JOIN: {
                    Thread t = Thread.currentThread();
                    worker = t instanceof ForkJoinWorkerThread ? ((ForkJoinWorkerThread) t).getPoolIndex() : -1;
                    break;
                }
                default: {
                    Thread t = Thread.currentThread();
                    worker = t instanceof NumberedThread ? ((NumberedThread) t).number : -1;
                    break;
                }
            }
            if (worker < 0 || worker >= slots) {
                worker = slots;             // the "unknown thread" slot, which the check rejects
            }
            loads[worker * PAD] += cost;    // single writer per slot: each worker its own
            tally.finish();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void loadBalanceEfficiency(BalanceState state, Balance counters) {
        long[] loads = state.loads;
        java.util.Arrays.fill(loads, 0L);   // workers are idle: the previous batch has finished
        Tally tally = state.tally;
        tally.reset();
        ExecutorService pool = state.pool;
        CostTask[] tasks = state.tasks;
        for (CostTask task : tasks) {
            pool.execute(task);
        }
        tally.await(tasks.length, state.executor);

        int n = state.agents;
        if (loads[state.slots * PAD] != 0) {
            throw new IllegalStateException(state.executor + ": tasks of " + loads[state.slots * PAD]
                    + " tokens ran on a thread without a valid worker index");
        }
        double ideal = (double) state.totalCost / n;
        long sum = 0;
        int workers = 0;
        double squares = 0;
        for (int k = 0; k < state.slots; k++) {
            long load = loads[k * PAD];
            if (load != 0) {
                workers++;
                sum += load;
                double d = load / ideal - 1.0;
                squares += d * d;
            }
        }
        if (workers > n) {
            throw new IllegalStateException(state.executor + ": " + workers + " workers ran tasks, more than " + n);
        }
        if (sum != state.totalCost) {
            throw new IllegalStateException(state.executor + ": the workers ran " + sum + " tokens, not " + state.totalCost);
        }
        squares += n - workers;             // each agent that ran nothing: x = 0, (0 - 1)² = 1
        double variance = squares / n;
        counters.loadVariance += variance;
        counters.efficiency += 1.0 / (1.0 + variance);
        counters.samples++;
    }

    // ================================================================ shared

    /** The executors: Executors.create's, except a ThreadPoolExecutor whose threads are numbered. */
    static ExecutorService create(String kind, int threads) {
        if (Executors.THREAD_POOL_EXECUTOR.equals(kind)) {
            return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    new NumberingFactory());
        }
        return Executors.create(kind, threads);
    }

    /** A thread that carries its number in its pool, read without a ThreadLocal. */
    static final class NumberedThread extends Thread {
        final int number;

        NumberedThread(Runnable r, String name, int number) {
            super(r, name);
            this.number = number;
        }
    }

    /** Numbers threads 0, 1, …; non-daemon, normal priority, as the default factory. */
    static final class NumberingFactory implements ThreadFactory {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            int number = next.getAndIncrement();
            Thread t = new NumberedThread(r, "bench-tpe-" + number, number);
            t.setDaemon(false);
            t.setPriority(Thread.NORM_PRIORITY);
            return t;
        }
    }

    /**
     * Finished tasks and the sum of their end stamps, each a LongAdder (a cell per core, no
     * contended write). A task adds its stamp before it counts itself, so once the count reaches
     * the target every stamp is visible to the reader. The wait polls and parks 10 µs between polls
     * (as {@link Completion}), and gives up after {@value #TIMEOUT_SECONDS} s.
     */
    static final class Tally {
        private final LongAdder done = new LongAdder();
        private final LongAdder ends = new LongAdder();

        /** A throughput task ends: its end stamp, then its count. */
        void finish(long endStamp) {
            ends.add(endStamp);
            done.increment();
        }

        /** A load-balance task ends: its count only. */
        void finish() {
            done.increment();
        }

        void reset() {
            done.reset();
            ends.reset();
        }

        long endSum() {
            return ends.sum();
        }

        /** Waits until {@code target} tasks have finished; throws unless exactly that many did. */
        void await(long target, String executor) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            int spins = 0;
            long count;
            while ((count = done.sum()) < target) {
                if (++spins < 64) {
                    Thread.onSpinWait();
                } else {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException(executor + ": " + count + " of " + target
                                + " tasks finished within " + TIMEOUT_SECONDS + " s");
                    }
                    LockSupport.parkNanos(10_000L);
                }
            }
            if (count != target) {
                throw new IllegalStateException(executor + ": " + count + " tasks finished, " + target + " submitted");
            }
        }
    }
}
