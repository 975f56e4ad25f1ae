package io.github.loadstar.bench;

import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerBuilder;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.RebalancePolicies;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Skewed load (T5 in the research notes: "when all work is spawned on one agent"): a batch of
 * {@value #TASKS} CPU-bound tasks with heavy-tailed costs, all queued on one worker, and how long
 * the pool takes to run it — against the same batch spread by normal placement.
 *
 * <p><b>The tasks.</b> Nominal costs are drawn once, at set-up, from a Pareto distribution with
 * shape {@value #ALPHA} and scale {@value #SCALE_TOKENS} tokens of
 * {@link Blackhole#consumeCPU(long)}, seeded ({@code SplittableRandom(}{@value #SEED}{@code )}),
 * and truncated at {@value #CAP_TOKENS} tokens (100 × the scale: a cost above the cap is set to
 * it; 12 of the {@value #TASKS} are). The same array, in the same order, serves every executor and
 * every capacity setting. Its figures: mean 4,005 tokens (2.86 × the scale after truncation), about
 * 8.4 µs on the 2-vCPU VM (≈ 2.1 ns per token, JDK 17); median 2,211; 99th percentile 30,116; the
 * largest task 35 × the mean; the largest 1 % of the tasks carry 17.5 % of the work; the whole batch
 * 40.0 M tokens, ≈ 84 ms of one core at capacity 1. A task is one leaf object (allocated
 * by whoever submits it, once per task and batch, for every executor) that spins its tokens and
 * then adds its nominal cost and 1 to its worker's slot (plain writes to a 128-byte padded slot
 * that only that worker writes) and counts itself in a {@link Completion}.
 *
 * <p><b>Emulated speeds.</b> {@code capacities} gives each worker a relative speed: {@code 1:1} (2
 * workers) or {@code 1:2:4} (3 workers; Loadstar gets {@code SchedulerBuilder.capacities(1, 2, 4)}).
 * The machine's cores are all alike, so heterogeneous speed is <em>emulated</em>: a task of
 * nominal cost {@code c} run by a worker of capacity {@code k} spins {@code c / k} tokens. A
 * worker's <em>load</em> in a batch is the nominal work it ran divided by its capacity, i.e. its
 * busy time in capacity-1 tokens; a perfectly balanced batch gives every worker the same load.
 * Loadstar's worker is the agent, {@link Scheduler#currentAgent()}. ForkJoinPool's workers get the
 * same speeds by pool index ({@link ForkJoinWorkerThread#getPoolIndex()}, mapped to ranks once at
 * set-up): the worker that runs the batch's root plays worker 0 (capacity 1), the others take the
 * remaining capacities in pool-index order. ForkJoinPool does not know the speeds — that is the
 * point: its stealing balances by who is idle, Loadstar's placement and coordinator by capacity.
 * With {@code 1:2:4}, <b>three workers share two cores</b>: while all three spin, each gets about
 * two thirds of a core (the OS time-slices them), so a worker's real speed is {@code k × 2/3}, and a
 * worker that runs out of work gives its core to the others. The makespans of {@code 1:2:4} are
 * therefore about 1.5 × what three real cores would give, the OS scheduler takes part in the
 * balance, and only the ratios between rows of the same {@code capacities} are meaningful.
 *
 * <p><b>One invocation</b> = one batch: from the first submission to the last completion (the
 * benchmark thread waits on a {@link Completion}, polling and parking 10 µs). Score: ms per batch
 * (lower is better). Then the invocation checks itself: every task ran exactly once (the count,
 * and the sum of nominal costs over the slots, equal the batch's), on a known worker, and the root
 * ran on worker 0; else {@code IllegalStateException}.
 *
 * <p><b>How the batch is put on one worker.</b> A root task on worker 0 submits all the leaves
 * from inside, so they start in that worker's own queue — for both pools the idiom of a task that
 * spawns its subtasks:
 * <ul>
 *   <li>Loadstar: the root is submitted with {@code TaskOptions.pinnedTo(0)} (so it, and with it
 *       the batch, is certain to start on agent 0, capacity 1: a movable root could be stolen by an
 *       idle agent), and it calls {@code scheduler.execute(leaf)} for each leaf: a plain
 *       {@code Runnable} spawned by a running task goes onto the current agent's deque, unwrapped
 *       and movable. The alternative, {@code TaskOptions.preferAgent(0)} from outside, puts the
 *       tasks into agent 0's inbox instead (a wrapper each). Both queues are open to both balancers
 *       (scheduler-core {@code AgentStealing.stealFrom}: the deque first, then the inbox; a
 *       rebalancing order is carried out through the same method); only the pinned queue is closed
 *       to both. Stealing differs: a thief takes one task from a deque (the oldest, the largest
 *       piece of a divide-and-conquer tree), a batch from an inbox (a share by capacity, half
 *       between equals, at most 32); a rebalancing order takes its whole count from either, at most
 *       32 (and half of what is queued) per steal.</li>
 *   <li>ForkJoinPool: the root ({@code RecursiveAction}) is submitted with {@code execute} and
 *       {@code fork()}s every leaf ({@code RecursiveAction}) onto its worker's queue; the owner pops
 *       them LIFO, thieves take the oldest, one at a time — the same shape as Loadstar's deque.</li>
 * </ul>
 *
 * <p>{@code executor}:
 * <ul>
 *   <li>{@code loadstar}: all on agent 0 (as above), the defaults: stealing on
 *       ({@code StealPolicies.threshold(0)}), no rebalancing.</li>
 *   <li>{@code loadstar-even}: the reference — the same scheduler and leaves, submitted from the
 *       benchmark thread with {@code execute(leaf)}, so normal placement (power of two choices on
 *       queued tasks per capacity) spreads them, and stealing evens out the rest. The target is a
 *       {@code loadstar} makespan within 1.1 × this one. Its batch also includes the benchmark
 *       thread's {@value #TASKS} external submissions (a wrapper and a placement each), which
 *       compete with the workers for the 2 cores while they run.</li>
 *   <li>{@code loadstar-nosteal}: all on agent 0, {@code stealThreshold(Integer.MAX_VALUE)}: the
 *       steal policy names no victim, which is the only switch {@code SchedulerBuilder} offers.
 *       <b>Stealing is not off</b>: by design (docs/architecture.md, "Sweep before parking"), an
 *       agent about to park takes work from any busy agent whatever the steal policy, so that work
 *       behind a busy owner is never stranded; there is no way to turn that off for movable tasks.
 *       So this row measures stealing by the sweep alone, not a pool without stealing;
 *       {@code movedShare} shows how much it moves. The sweep comes only at the end of an agent's
 *       search, after its spin rounds (up to 20 empty rounds of the idle strategy, which spins and
 *       then calls {@code Thread.yield()}), and takes one task from a deque, so it lags behind
 *       stealing and depends on what else the machine runs (a yield on a busy machine gives the core
 *       away).</li>
 *   <li>{@code loadstar-coordinator}: as {@code loadstar-nosteal}, plus the coordinator's
 *       rebalancing: {@code CoordinatorConfig.rebalancePolicy(RebalancePolicies.threshold())}
 *       (tolerance {@value RebalancePolicies#DEFAULT_TOLERANCE}) every
 *       {@value #REBALANCE_INTERVAL_MILLIS} ms (the shortest interval allowed). The coordinator
 *       counts queued tasks (no {@code TaskOptions.cost} is declared: Loadstar is told nothing that
 *       ForkJoinPool is not), so it balances counts per capacity, not the heavy-tailed costs. The
 *       sweep acts here too, so this row is the coordinator <em>and</em> the sweep;
 *       {@link CoordinatorBenchmark} measures the coordinator alone.</li>
 *   <li>{@code loadstar-pinned}: the control that really moves nothing: the defaults, but every
 *       leaf submitted with {@code pinnedTo(0)} (into agent 0's pinned queue, a wrapper each):
 *       pinned tasks are never stolen or rebalanced, so the makespan is the whole batch on agent 0
 *       (≈ 84 ms at capacity 1: about 2 × the balanced figure with {@code 1:1}, 4–5 × with
 *       {@code 1:2:4}), the bound the balancers improve on.</li>
 *   <li>{@code forkjoinpool}: {@code new ForkJoinPool(n)} (never the common pool), as above.</li>
 * </ul>
 * Every executor has the same worker count (2 or 3), the same tasks, the same JDK and the same fork
 * settings.
 *
 * <p>Auxiliary counters, per batch (the report divides each by {@code samples}):
 * <ul>
 *   <li>{@code samples}: batches measured.</li>
 *   <li>{@code loadCov}: the coefficient of variation (population standard deviation / mean) of
 *       the workers' loads in the batch, measured by the tasks themselves the same way for every
 *       executor (see above). 0 is a perfect balance; all the work on one of two workers is 1.0, on
 *       one of three 1.41. It says where the work ran, not whether the workers finished together:
 *       when the OS gives one worker less CPU (other processes on the shared machine, or three
 *       workers on two cores), an ideal balancer lets it run less, and the CoV rises.</li>
 *   <li>{@code movedShare}: the share of the batch's tasks that ran on a worker other than worker
 *       0, the one they were queued on — the work the balancers moved. For {@code loadstar-even},
 *       which has no source worker, it is the share that ran off agent 0, the figure of a balanced
 *       batch ({@code 1:1}: ≈ 0.5; {@code 1:2:4}: ≈ 6/7 if split by capacity).</li>
 * </ul>
 *
 * <p>Caveats: the 2-core machine is shared and noisy; with {@code 1:2:4} the OS time-slicing above
 * adds to it. The benchmark thread's wait (parking 10 µs between polls) and, for
 * {@code loadstar-even}, its submissions are inside the timing. The batch's tail is where the
 * balancers differ most: a few tasks of up to 35 × the mean decide the last milliseconds, so a
 * pool that leaves one of them until last pays up to ≈ 0.3 ms more. The {@code 1:2:4} speeds are
 * an emulation: a real slow core would also be slow at the pool's own bookkeeping. The coordinator
 * thread (history every second, and in {@code loadstar-coordinator} a rebalancing round every
 * millisecond) shares the cores too. Configurations: 6 executors × 2 capacities = 12.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2000, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SkewedLoadBenchmark {
    static final String LOADSTAR_EVEN = "loadstar-even";
    static final String LOADSTAR_NOSTEAL = "loadstar-nosteal";
    static final String LOADSTAR_COORDINATOR = "loadstar-coordinator";
    static final String LOADSTAR_PINNED = "loadstar-pinned";

    /** Tasks in a batch. */
    static final int TASKS = 10_000;
    /** The Pareto shape: a heavy tail (infinite variance before truncation). */
    static final double ALPHA = 1.5;
    /** The Pareto scale (the smallest cost), in tokens of {@code Blackhole.consumeCPU}. */
    static final long SCALE_TOKENS = 1_400;
    /** The truncation: costs above it are set to it. */
    static final long CAP_TOKENS = 100 * SCALE_TOKENS;
    /** The seed of the costs. */
    static final long SEED = 0x5EED;
    /** The coordinator's rebalancing interval in {@code loadstar-coordinator}. */
    static final long REBALANCE_INTERVAL_MILLIS = 1;
    /** Longs per worker slot: 128 bytes, so no two workers' slots share a cache line. */
    private static final int STRIDE = 16;

    private static final TaskOptions PINNED_TO_ZERO = TaskOptions.builder().pinnedTo(0).build();

    @Param({Executors.LOADSTAR, LOADSTAR_EVEN, LOADSTAR_NOSTEAL, LOADSTAR_COORDINATOR, LOADSTAR_PINNED,
            Executors.FORK_JOIN_POOL})
    public String executor;

    /** The workers' relative speeds, which also give their number. */
    @Param({"1:1", "1:2:4"})
    public String capacities;

    /** How the batch is submitted. */
    private enum Shape { EVEN, SPAWNED, PINNED, FORKED }

    private Shape shape;
    private int workers;
    /** Capacity of each worker slot (integers, so that {@code c / k} tokens is exact enough). */
    private int[] speed;
    private long[] cost;
    private long totalCost;
    private Scheduler scheduler;
    private ForkJoinPool forkJoinPool;
    /** ForkJoinPool: the rank of each pool index among the workers (-1: not a worker seen at set-up). */
    private int[] rankOfPoolIndex;
    /** ForkJoinPool: the rank of the worker running this batch's root; written by the root before it forks. */
    private int rootRank;
    /** The worker slot the root ran on (Loadstar: the agent; ForkJoinPool: 0 by definition). */
    private volatile int rootWorker;
    /** Set by a task that ran on no known worker. */
    private volatile boolean unknownWorker;
    /** Per worker: [nominal cost run, tasks run] at {@code (w + 1) * STRIDE}; written by that worker only. */
    private long[] slots;
    private final Completion completion = new Completion();

    /** Per-batch counters; the report divides each by {@code samples}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Batches {
        /** Batches measured. */
        public long samples;
        /** Sum over batches of the CoV of the workers' loads (work run / capacity). */
        public double loadCov;
        /** Sum over batches of the share of tasks run off worker 0. */
        public double movedShare;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
            loadCov = 0;
            movedShare = 0;
        }
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        speed = Arrays.stream(capacities.split(":")).mapToInt(Integer::parseInt).toArray();
        workers = speed.length;
        cost = paretoCosts(TASKS, ALPHA, SCALE_TOKENS, CAP_TOKENS, SEED);
        totalCost = Arrays.stream(cost).sum();
        slots = new long[(workers + 2) * STRIDE];
        if (executor.equals(Executors.FORK_JOIN_POOL)) {
            shape = Shape.FORKED;
            forkJoinPool = new ForkJoinPool(workers);
            rankOfPoolIndex = rankWorkers(forkJoinPool, workers);
            return;
        }
        double[] caps = Arrays.stream(speed).asDoubleStream().toArray();
        SchedulerBuilder builder = Scheduler.builder().name("skewed-" + executor).capacities(caps);
        switch (executor) {
            case Executors.LOADSTAR:
                shape = Shape.SPAWNED;
                break;
            case LOADSTAR_EVEN:
                shape = Shape.EVEN;
                break;
            case LOADSTAR_PINNED:
                shape = Shape.PINNED;
                break;
            case LOADSTAR_NOSTEAL:
                shape = Shape.SPAWNED;
                builder.stealThreshold(Integer.MAX_VALUE);
                break;
            case LOADSTAR_COORDINATOR:
                shape = Shape.SPAWNED;
                builder.stealThreshold(Integer.MAX_VALUE)
                        .coordinator(CoordinatorConfig.builder()
                                .rebalancePolicy(RebalancePolicies.threshold())
                                .rebalanceInterval(Duration.ofMillis(REBALANCE_INTERVAL_MILLIS))
                                .build());
                break;
            default:
                throw new IllegalArgumentException("unknown executor: " + executor);
        }
        scheduler = builder.build();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(scheduler != null ? scheduler : forkJoinPool);
    }

    @Benchmark
    public void batch(Batches counters) {
        completion.reset();
        Arrays.fill(slots, 0L);
        rootWorker = -1;
        switch (shape) {
            case EVEN:
                for (int i = 0; i < TASKS; i++) {
                    scheduler.execute(new Leaf(this, i));
                }
                completion.await(TASKS);
                break;
            case SPAWNED:
            case PINNED:
                scheduler.execute(new Root(this, shape == Shape.PINNED), PINNED_TO_ZERO);
                completion.await(TASKS + 1L);
                break;
            case FORKED:
                forkJoinPool.execute(new ForkRoot(this));
                completion.await(TASKS + 1L);
                break;
            default:
                throw new AssertionError(shape);
        }
        check(counters);
    }

    /** Checks the batch (every task once, on a known worker) and adds its figures to the counters. */
    private void check(Batches counters) {
        long tasks = 0;
        long work = 0;
        double[] load = new double[workers];
        for (int w = 0; w < workers; w++) {
            int at = (w + 1) * STRIDE;
            work += slots[at];
            tasks += slots[at + 1];
            load[w] = (double) slots[at] / speed[w];
        }
        if (unknownWorker) {
            throw new IllegalStateException(executor + ": a task ran on a thread that is none of the " + workers
                    + " workers");
        }
        if (tasks != TASKS || work != totalCost) {
            throw new IllegalStateException(executor + ": " + tasks + " tasks of nominal cost " + work + " ran, "
                    + TASKS + " of cost " + totalCost + " were submitted");
        }
        if (shape != Shape.EVEN && rootWorker != 0) {
            throw new IllegalStateException(executor + ": the root ran on worker " + rootWorker + ", not 0");
        }
        counters.samples++;
        counters.loadCov += coefficientOfVariation(load);
        counters.movedShare += 1.0 - (double) slots[STRIDE + 1] / TASKS;
    }

    /** Runs task {@code i} as worker {@code w}: spins its cost at that worker's speed, then accounts it. */
    void work(int i, int w) {
        if (w < 0 || w >= workers) {
            unknownWorker = true;
            completion.increment();
            return;
        }
        long c = cost[i];
        Blackhole.consumeCPU(c / speed[w]);
        int at = (w + 1) * STRIDE;
        slots[at] += c;
        slots[at + 1]++;
        completion.increment();
    }

    /** The slot of the ForkJoinPool worker running the caller: its rank, counted from the root's worker. */
    int forkJoinSlot() {
        Thread t = Thread.currentThread();
        if (!(t instanceof ForkJoinWorkerThread) || ((ForkJoinWorkerThread) t).getPool() != forkJoinPool) {
            return -1;
        }
        int index = ((ForkJoinWorkerThread) t).getPoolIndex();
        int rank = index >= 0 && index < rankOfPoolIndex.length ? rankOfPoolIndex[index] : -1;
        if (rank < 0) {
            return -1;
        }
        int slot = rank - rootRank;
        return slot < 0 ? slot + workers : slot;
    }

    /** Population standard deviation over mean; 0 for an empty or all-zero sample. */
    static double coefficientOfVariation(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        double mean = sum / x.length;
        if (mean <= 0) {
            return 0;
        }
        double squares = 0;
        for (double v : x) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / x.length) / mean;
    }

    /** {@code n} Pareto({@code alpha}, {@code scale}) costs in tokens, each at most {@code cap}. */
    static long[] paretoCosts(int n, double alpha, long scale, long cap, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble();      // [0, 1): 1 - u is in (0, 1]
            c[i] = Math.min(cap, Math.round(scale / Math.pow(1 - u, 1 / alpha)));
        }
        return c;
    }

    /**
     * Starts all {@code n} workers of {@code pool} at once (n tasks meeting at a barrier) and ranks
     * their pool indices in ascending order.
     */
    private static int[] rankWorkers(ForkJoinPool pool, int n) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(n);
        ConcurrentHashMap<Integer, Boolean> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            pool.execute(() -> {
                try {
                    seen.put(((ForkJoinWorkerThread) Thread.currentThread()).getPoolIndex(), Boolean.TRUE);
                    barrier.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the ForkJoinPool's workers did not all start", e);
                } finally {
                    done.countDown();
                }
            });
        }
        if (!done.await(20, TimeUnit.SECONDS) || seen.size() != n) {
            throw new IllegalStateException("expected " + n + " ForkJoinPool workers, saw pool indices " + seen.keySet());
        }
        int[] indices = seen.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] rank = new int[indices[n - 1] + 1];
        Arrays.fill(rank, -1);
        for (int r = 0; r < n; r++) {
            rank[indices[r]] = r;
        }
        return rank;
    }

    /** A Loadstar leaf: worker = the current agent. */
    static final class Leaf implements Runnable {
        private final SkewedLoadBenchmark bench;
        private final int task;

        Leaf(SkewedLoadBenchmark bench, int task) {
            this.bench = bench;
            this.task = task;
        }

        @Override
        public void run() {
            bench.work(task, Scheduler.currentAgent());
        }
    }

    /** Loadstar's root, pinned to agent 0: spawns every leaf from there (pinned too, for {@code loadstar-pinned}). */
    static final class Root implements Runnable {
        private final SkewedLoadBenchmark bench;
        private final boolean pinLeaves;

        Root(SkewedLoadBenchmark bench, boolean pinLeaves) {
            this.bench = bench;
            this.pinLeaves = pinLeaves;
        }

        @Override
        public void run() {
            bench.rootWorker = Scheduler.currentAgent();
            Scheduler s = bench.scheduler;
            if (pinLeaves) {
                for (int i = 0; i < TASKS; i++) {
                    s.execute(new Leaf(bench, i), PINNED_TO_ZERO);
                }
            } else {
                for (int i = 0; i < TASKS; i++) {
                    s.execute(new Leaf(bench, i));
                }
            }
            bench.completion.increment();
        }
    }

    /** A ForkJoinPool leaf: worker = its pool index's rank, counted from the root's worker. */
    static final class ForkLeaf extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient SkewedLoadBenchmark bench;
        private final int task;

        ForkLeaf(SkewedLoadBenchmark bench, int task) {
            this.bench = bench;
            this.task = task;
        }

        @Override
        protected void compute() {
            bench.work(task, bench.forkJoinSlot());
        }
    }

    /** ForkJoinPool's root: makes its worker slot 0, then forks every leaf onto its own queue. */
    static final class ForkRoot extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient SkewedLoadBenchmark bench;

        ForkRoot(SkewedLoadBenchmark bench) {
            this.bench = bench;
        }

        @Override
        protected void compute() {
            Thread t = Thread.currentThread();
            int index = ((ForkJoinWorkerThread) t).getPoolIndex();
            int rank = index < bench.rankOfPoolIndex.length ? bench.rankOfPoolIndex[index] : -1;
            if (rank < 0) {
                bench.unknownWorker = true;
                rank = 0;
            }
            bench.rootRank = rank;      // published to the leaves by fork()
            bench.rootWorker = 0;
            for (int i = 0; i < TASKS; i++) {
                new ForkLeaf(bench, i).fork();
            }
            bench.completion.increment();
        }
    }
}
