package io.github.loadstar.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;
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

/**
 * Local spawn (T1 in the research notes): tasks submitted from inside the pool by the tasks
 * themselves, so the new task goes to the submitting worker's own queue (Loadstar keeps it on the
 * current agent, ForkJoinPool pushes it on the worker's deque) and other workers steal.
 *
 * <p>One invocation: the benchmark thread submits one root task from outside, waits until every
 * task of the invocation has counted itself done in a {@link Completion}, and checks the count
 * (exactly the expected number, else {@code IllegalStateException}; a lost task ends the wait with
 * one too). Only the root is submitted from outside, the same way for every executor; every other
 * task is submitted by a worker.
 * <ul>
 *   <li>{@code tree}: every task down to depth {@value #DEPTH} submits two children, then counts
 *       itself: a binary tree of {@value #TREE_TASKS} tasks (2^17 - 1), whose width keeps both
 *       workers busy — the spawn-and-steal throughput.</li>
 *   <li>{@code chain}: a chain of {@value #CHAIN_TASKS} tasks; each submits the next one, then
 *       counts itself. Only one task is ever queued, so there is no parallelism to gain: the score is
 *       the cost of one hand-off of a task submitted from a worker until it runs, on the same worker
 *       (which takes it back after the current task returns) or on another one (which was woken by
 *       the submission or was searching, and stole it). It includes each executor's signalling
 *       policy: whether a push onto an empty queue wakes an idle worker, and what that costs the
 *       submitter. Which of the two ran each task is not recorded (that would add work per task).</li>
 * </ul>
 *
 * <p>{@code executor}: how the tasks are spawned. Branched on once per invocation (the root's
 * class), never per task: each node class uses one idiom for all its descendants.
 * <ul>
 *   <li>{@code loadstar} ({@code Scheduler.builder().agents(threads)}, FIFO defaults),
 *       {@code forkjoinpool} ({@code new ForkJoinPool(threads)}, LIFO for local work),
 *       {@code forkjoinpool-fifo} (the same in async mode) and {@code threadpoolexecutor} (fixed,
 *       {@code LinkedBlockingQueue}: no local queues, every submission goes through the one shared
 *       queue): children submitted with {@code ExecutorService.execute(Runnable)} — the same code
 *       ({@link SpawnNode}, {@link ChainNode}) for all four.</li>
 *   <li>{@code forkjoinpool-fork}: {@code new ForkJoinPool(threads)} (the same pool type as
 *       {@code forkjoinpool}) in its native idiom, {@code RecursiveAction.fork()}
 *       ({@link ForkNode}, {@link ForkChainNode}): the task is itself the queue entry, no wrapper
 *       per task. This is ForkJoinPool at its best, the figure Loadstar's {@code execute} is held
 *       against in the same row group; {@code forkjoinpool} shows what ForkJoinPool costs for the
 *       same {@code execute} code as Loadstar's.</li>
 * </ul>
 * {@code threads}: the worker count, the same for every executor. Every task allocates its one
 * node object and ends with one {@link java.util.concurrent.atomic.LongAdder} increment, for all
 * executors alike; what an executor allocates beyond that (ForkJoinPool's wrapper around a
 * Runnable) is its own cost and shows in {@code -prof gc}.
 *
 * <p>Score: tasks per microsecond (higher is better). No auxiliary counters; the steals during the
 * tree are counted by {@link StealCountBenchmark}.
 *
 * <p>Caveats: the root's external submission and the benchmark thread's wait (it parks in 10 µs
 * steps) are inside the timing, at most a few µs against invocations of milliseconds. In
 * {@code chain}, a worker that parks and is woken again for each task makes the score a measure of
 * wake-up cost; on the 2-core machine the benchmark thread's polling competes with the workers too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 3000, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SpawnBenchmark {
    /** The depth of the spawned tree: the root is at {@code DEPTH}, the leaves at 0. */
    static final int DEPTH = 16;
    /** Tasks in the tree. */
    static final int TREE_TASKS = (1 << (DEPTH + 1)) - 1;
    /** Tasks in the chain. */
    static final int CHAIN_TASKS = 50_000;
    /** ForkJoinPool with {@code RecursiveAction.fork()} instead of {@code execute}. */
    static final String FJP_FORK = "forkjoinpool-fork";

    @Param({Executors.LOADSTAR, Executors.FORK_JOIN_POOL, Executors.FORK_JOIN_POOL_FIFO, FJP_FORK,
            Executors.THREAD_POOL_EXECUTOR})
    public String executor;

    @Param({"2"})
    public int threads;

    private ExecutorService pool;
    /** The same pool, when the tasks are forked; null otherwise. */
    private ForkJoinPool forkPool;
    private final Completion completion = new Completion();

    @Setup(Level.Trial)
    public void start() {
        boolean nativeFork = FJP_FORK.equals(executor);
        pool = Executors.create(nativeFork ? Executors.FORK_JOIN_POOL : executor, threads);
        forkPool = nativeFork ? (ForkJoinPool) pool : null;
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(pool);
    }

    @Benchmark
    @OperationsPerInvocation(TREE_TASKS)
    public void tree() {
        completion.reset();
        if (forkPool != null) {
            forkPool.execute(new ForkNode(completion, DEPTH));
        } else {
            pool.execute(new SpawnNode(pool, completion, DEPTH));
        }
        completion.await(TREE_TASKS);
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN_TASKS)
    public void chain() {
        completion.reset();
        if (forkPool != null) {
            forkPool.execute(new ForkChainNode(completion, CHAIN_TASKS));
        } else {
            pool.execute(new ChainNode(pool, completion, CHAIN_TASKS));
        }
        completion.await(CHAIN_TASKS);
    }

    /** A node of the tree: submits its two children with {@code execute}, then counts itself. */
    static final class SpawnNode implements Runnable {
        private final ExecutorService pool;
        private final Completion completion;
        private final int depth;

        SpawnNode(ExecutorService pool, Completion completion, int depth) {
            this.pool = pool;
            this.completion = completion;
            this.depth = depth;
        }

        @Override
        public void run() {
            if (depth > 0) {
                pool.execute(new SpawnNode(pool, completion, depth - 1));
                pool.execute(new SpawnNode(pool, completion, depth - 1));
            }
            completion.increment();
        }
    }

    /** A node of the tree as a native ForkJoinTask: {@code fork()}s its two children, then counts itself. */
    static final class ForkNode extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient Completion completion;
        private final int depth;

        ForkNode(Completion completion, int depth) {
            this.completion = completion;
            this.depth = depth;
        }

        @Override
        protected void compute() {
            if (depth > 0) {
                new ForkNode(completion, depth - 1).fork();
                new ForkNode(completion, depth - 1).fork();
            }
            completion.increment();
        }
    }

    /**
     * A link of the chain: submits the next link with {@code execute} unless it is the last one
     * ({@code remaining == 1}), then counts itself. A chain started with {@code remaining = n} runs n tasks.
     */
    static final class ChainNode implements Runnable {
        private final ExecutorService pool;
        private final Completion completion;
        private final int remaining;

        ChainNode(ExecutorService pool, Completion completion, int remaining) {
            this.pool = pool;
            this.completion = completion;
            this.remaining = remaining;
        }

        @Override
        public void run() {
            if (remaining > 1) {
                pool.execute(new ChainNode(pool, completion, remaining - 1));
            }
            completion.increment();
        }
    }

    /** A link of the chain as a native ForkJoinTask: {@code fork()}s the next link, then counts itself. */
    static final class ForkChainNode extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient Completion completion;
        private final int remaining;

        ForkChainNode(Completion completion, int remaining) {
            this.completion = completion;
            this.remaining = remaining;
        }

        @Override
        protected void compute() {
            if (remaining > 1) {
                new ForkChainNode(completion, remaining - 1).fork();
            }
            completion.increment();
        }
    }
}
