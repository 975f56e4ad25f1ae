package io.github.loadstar.bench;

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
 * The tree of {@link ExecutorThroughputBenchmark#localSpawn} in ForkJoinPool's own idiom:
 * {@code RecursiveAction.fork()}, which needs no wrapper per task. This is ForkJoinPool at its
 * best, and the figure Loadstar's {@code localSpawn} is held against.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ForkJoinNativeBenchmark {

    @Param({Executors.FORK_JOIN_POOL, Executors.FORK_JOIN_POOL_FIFO})
    public String executor;

    @Param({"2"})
    public int threads;

    private ForkJoinPool pool;
    private final Completion completion = new Completion();

    @Setup(Level.Trial)
    public void start() {
        pool = (ForkJoinPool) Executors.create(executor, threads);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(pool);
    }

    @Benchmark
    @OperationsPerInvocation(ExecutorThroughputBenchmark.TREE_TASKS)
    public void localFork() {
        completion.reset();
        pool.execute(new ForkNode(completion, ExecutorThroughputBenchmark.DEPTH));
        completion.await(ExecutorThroughputBenchmark.TREE_TASKS);
    }

    /** A node of the tree as a native ForkJoinTask. */
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
}
