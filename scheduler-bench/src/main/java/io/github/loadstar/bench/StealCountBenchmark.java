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
 * How much stealing the spawned tree of {@link SpawnBenchmark#tree} causes: the same binary tree of
 * {@value SpawnBenchmark#TREE_TASKS} no-op tasks (depth {@value SpawnBenchmark#DEPTH}), with each
 * pool's own steal counters read once at the end of every invocation (tree), never per task.
 *
 * <ul>
 *   <li>{@code loadstar}: the tree spawned with {@code execute} ({@link SpawnBenchmark.SpawnNode});
 *       counters from {@code scheduler.metrics()}: {@code steals()} (successful steal operations,
 *       each moving one or more tasks) and {@code migrations()} (tasks moved to relieve a busy
 *       agent: stolen from an agent that was inside a task and had more queued than the one task
 *       taken; a lone task taken from an agent between tasks counts in {@code steals()} only, so
 *       {@code migrations()} can be below {@code steals()}).</li>
 *   <li>{@code forkjoinpool}: {@code new ForkJoinPool(2)}, the tree spawned with {@code execute}
 *       (the same {@code SpawnNode}); counter {@code getStealCount()}.</li>
 *   <li>{@code forkjoinpool-fork}: {@code new ForkJoinPool(2)}, the tree in its native idiom
 *       ({@code RecursiveAction.fork()}, {@link SpawnBenchmark.ForkNode}, as in
 *       {@code SpawnBenchmark}'s {@code forkjoinpool-fork}); counter {@code getStealCount()}.</li>
 * </ul>
 * The tree's count is checked on every invocation ({@link Completion#await}: exactly
 * {@value SpawnBenchmark#TREE_TASKS} tasks, else {@code IllegalStateException}).
 *
 * <p>Auxiliary counters (JMH secondary results, {@code @AuxCounters(EVENTS)}): {@code samples}, and
 * during them {@code steals} and {@code tasksMoved}. JMH sums such counters over all measurement
 * iterations and forks, so its table shows totals; the report tool divides every other counter by
 * {@code samples} ({@code steals / samples}: the mean per tree over every measured invocation), and
 * JMH's per-iteration lines show each iteration's counts.
 * <ul>
 *   <li>{@code samples}: measured invocations, i.e. trees whose counters were read and added.</li>
 *   <li>{@code steals}: steal operations. For ForkJoinPool, the increase of
 *       {@code getStealCount()}, its estimate of tasks run by a thread other than the one that
 *       queued them; a worker takes one task per steal, and the count may include the root, which a
 *       worker takes from the external submission queue (it does on JDK 25, whose workers count
 *       every task their scan takes from a queue). The accounting differs between JDK 17 and 25.</li>
 *   <li>{@code tasksMoved}: tasks moved between workers. For Loadstar, {@code migrations()} (see
 *       above: it leaves out lone tasks taken from an agent that was not behind, so it can be below
 *       {@code steals}); for ForkJoinPool the same figure as {@code steals} (one task per steal).</li>
 * </ul>
 * Each invocation's figure is the counter's increase since the previous invocation's reading.
 * Counters written just before a tree's last task completes may be read one invocation late
 * (Loadstar's counters are not synchronised with the reader, and ForkJoinPool's are an estimate
 * until the pool is quiescent); such a count moves to the next tree, so the per-iteration average
 * is off by at most the edge; no count is lost. Score: tasks per microsecond, like
 * {@code SpawnBenchmark.tree} plus one counter read per tree. Loadstar's read costs more:
 * {@code metrics()} builds a whole snapshot (20–100 µs at 2 agents on the 2-vCPU VM, most of it
 * the agents' thread CPU-time reads; measured during issue 12) against a tree of a few
 * milliseconds, up to a few per cent of the score; {@code getStealCount()}
 * sums a few fields. For the clean throughput comparison use {@code SpawnBenchmark.tree}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 3000, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class StealCountBenchmark {
    static final String FJP_FORK = SpawnBenchmark.FJP_FORK;

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
     * are their quotients: {@code steals / samples} and {@code tasksMoved / samples}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Steals {
        /** Measurements added into the other fields: trees (invocations) completed and read. */
        public long samples;
        /** Steal operations during those trees. */
        public long steals;
        /** Tasks moved between workers during those trees. */
        public long tasksMoved;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
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
    @OperationsPerInvocation(SpawnBenchmark.TREE_TASKS)
    public void spawnTreeSteals(Steals counters) {
        completion.reset();
        if (nativeFork) {
            forkJoinPool.execute(new SpawnBenchmark.ForkNode(completion, SpawnBenchmark.DEPTH));
        } else {
            pool.execute(new SpawnBenchmark.SpawnNode(pool, completion, SpawnBenchmark.DEPTH));
        }
        completion.await(SpawnBenchmark.TREE_TASKS);
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
            counters.samples++;
            counters.steals += steals - lastSteals;
            counters.tasksMoved += moved - lastMoved;
        }
        lastSteals = steals;
        lastMoved = moved;
    }
}
