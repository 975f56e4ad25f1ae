package io.github.loadstar.bench;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
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

/**
 * How much stealing the spawned tree of {@link ExecutorThroughputBenchmark#localSpawn} causes: the
 * same binary tree of {@value ExecutorThroughputBenchmark#TREE_TASKS} no-op tasks (depth
 * {@value ExecutorThroughputBenchmark#DEPTH}), with each pool's own steal counters read once at
 * the end of every invocation (tree), never per task.
 *
 * <ul>
 *   <li>{@code loadstar}: the tree spawned with {@code execute} (as in {@code localSpawn});
 *       counters from {@code scheduler.metrics()}: {@code steals()} (successful steal operations,
 *       each moving one or more tasks) and {@code migrations()} (tasks moved off the agent they
 *       were queued on).</li>
 *   <li>{@code forkjoinpool}: {@code new ForkJoinPool(2)}, the tree spawned with {@code execute}
 *       (as in {@code localSpawn}); counter {@code getStealCount()}.</li>
 *   <li>{@code forkjoinpool-fork}: {@code new ForkJoinPool(2)}, the tree in its native idiom
 *       ({@code RecursiveAction.fork()}, as in {@link ForkJoinNativeBenchmark#localFork}).</li>
 * </ul>
 *
 * <p>Auxiliary counters (JMH secondary results, {@code @AuxCounters(EVENTS)}): {@code trees}, and
 * during them {@code steals} and {@code tasksMoved}. JMH sums such counters over all measurement
 * iterations and forks, so its table shows totals; the ratio report ({@link RatioReport}) prints
 * them per tree ({@code steals / trees}: the mean over every measured invocation), and JMH's
 * per-iteration lines show each iteration's counts.
 * <ul>
 *   <li>{@code steals}: steal operations. For ForkJoinPool, the increase of
 *       {@code getStealCount()}, its estimate of tasks run by a thread other than the one that
 *       queued them; a worker takes one task per steal, and the count may include the root, which a
 *       worker takes from the external submission queue (it does on JDK 25, whose workers count
 *       every task their scan takes from a queue). The accounting differs between JDK 17 and 25.</li>
 *   <li>{@code tasksMoved}: tasks moved between workers. For Loadstar, {@code migrations()}; for
 *       ForkJoinPool the same figure as {@code steals} (one task per steal).</li>
 * </ul>
 * Each invocation's figure is the counter's increase since the previous invocation's reading.
 * Counters written just before a tree's last task completes may be read one invocation late
 * (Loadstar's counters are not synchronised with the reader, and ForkJoinPool's are an estimate
 * until the pool is quiescent); such a count moves to the next tree, so the per-iteration average
 * is off by at most the edge; no count is lost. Score: tasks per microsecond, like
 * {@code localSpawn} plus one counter read per tree. Loadstar's read costs more: {@code metrics()} builds a whole snapshot
 * (about 20 µs on the 2-vCPU VM, measured alone with a no-op load) against a tree of a few
 * milliseconds, under 1 % of the score; {@code getStealCount()} sums a few fields. For the clean
 * throughput comparison use {@code ExecutorThroughputBenchmark.localSpawn}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class StealCountBenchmark {
    static final String FJP_FORK = "forkjoinpool-fork";

    @Param({Executors.LOADSTAR, Executors.FORK_JOIN_POOL, FJP_FORK})
    public String executor;

    @Param({"2"})
    public int threads;

    private ExecutorService pool;
    private Scheduler scheduler;
    private ForkJoinPool forkJoinPool;
    private boolean nativeFork;
    private final Completion completion = new Completion();
    /** The counters at the previous reading. */
    private long lastSteals;
    private long lastMoved;

    /**
     * The counters JMH reports next to the score. JMH sums {@code EVENTS} counters over the
     * measurement iterations (and forks), so they are kept as raw totals, and the per-tree figures
     * are their quotients: RatioReport prints {@code steals / trees} and {@code tasksMoved / trees}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Steals {
        /** Trees (invocations) completed. */
        public long trees;
        /** Steal operations during those trees. */
        public long steals;
        /** Tasks moved between workers during those trees. */
        public long tasksMoved;

        @Setup(Level.Iteration)
        public void reset() {
            trees = 0;
            steals = 0;
            tasksMoved = 0;
        }
    }

    @Setup(Level.Trial)
    public void start() {
        nativeFork = FJP_FORK.equals(executor);
        pool = Executors.create(nativeFork ? Executors.FORK_JOIN_POOL : executor, threads);
        if (pool instanceof Scheduler) {
            scheduler = (Scheduler) pool;
        } else {
            forkJoinPool = (ForkJoinPool) pool;
        }
        readCounters(null);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(pool);
    }

    @Benchmark
    @OperationsPerInvocation(ExecutorThroughputBenchmark.TREE_TASKS)
    public void spawnTreeSteals(Steals counters) {
        completion.reset();
        if (nativeFork) {
            forkJoinPool.execute(new ForkJoinNativeBenchmark.ForkNode(completion, ExecutorThroughputBenchmark.DEPTH));
        } else {
            pool.execute(new ExecutorThroughputBenchmark.SpawnNode(pool, completion, ExecutorThroughputBenchmark.DEPTH));
        }
        completion.await(ExecutorThroughputBenchmark.TREE_TASKS);
        readCounters(counters);
    }

    /** Reads the pool's counters once and adds their increase to {@code counters} (if given). */
    private void readCounters(Steals counters) {
        long steals;
        long moved;
        if (scheduler != null) {
            SchedulerMetrics m = scheduler.metrics();
            steals = m.steals();
            moved = m.migrations();
        } else {
            steals = forkJoinPool.getStealCount();
            moved = steals;
        }
        if (counters != null) {
            counters.trees++;
            counters.steals += steals - lastSteals;
            counters.tasksMoved += moved - lastMoved;
        }
        lastSteals = steals;
        lastMoved = moved;
    }
}
