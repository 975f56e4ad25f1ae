package io.github.loadstar.bench;

import java.util.concurrent.ExecutorService;
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
 * Tasks per second through each executor, with the same number of worker threads, in one run.
 *
 * <ul>
 *   <li>{@code external}: the benchmark thread submits {@value #EXTERNAL_TASKS} no-op Runnables
 *       with {@code execute} and waits until all have run (one producer, T2 in the research notes).</li>
 *   <li>{@code localSpawn}: one task is submitted; every task down to depth {@value #DEPTH} submits
 *       two children with {@code execute} from inside the pool — a binary tree of
 *       {@value #TREE_TASKS} tasks spawned by the workers themselves (T1).</li>
 * </ul>
 * {@link ForkJoinNativeBenchmark} runs the same tree with ForkJoinPool's own idiom.
 * Every task ends by incrementing a {@link java.util.concurrent.atomic.LongAdder}; all executors pay
 * that alike. Score: operations (tasks) per microsecond.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ExecutorThroughputBenchmark {
    static final int EXTERNAL_TASKS = 50_000;
    static final int DEPTH = 16;
    static final int TREE_TASKS = (1 << (DEPTH + 1)) - 1;

    @Param({Executors.LOADSTAR, Executors.LOADSTAR_ROUND_ROBIN, Executors.FORK_JOIN_POOL,
            Executors.FORK_JOIN_POOL_FIFO, Executors.THREAD_POOL_EXECUTOR})
    public String executor;

    @Param({"2"})
    public int threads;

    private ExecutorService pool;
    private final Completion completion = new Completion();
    private final Runnable noop = completion::increment;

    @Setup(Level.Trial)
    public void start() {
        pool = Executors.create(executor, threads);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(pool);
    }

    @Benchmark
    @OperationsPerInvocation(EXTERNAL_TASKS)
    public void external() {
        completion.reset();
        ExecutorService p = pool;
        Runnable task = noop;
        for (int i = 0; i < EXTERNAL_TASKS; i++) {
            p.execute(task);
        }
        completion.await(EXTERNAL_TASKS);
    }

    @Benchmark
    @OperationsPerInvocation(TREE_TASKS)
    public void localSpawn() {
        completion.reset();
        pool.execute(new SpawnNode(pool, completion, DEPTH));
        completion.await(TREE_TASKS);
    }

    /** A node of the spawned tree: submits its children through the executor. */
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
}
