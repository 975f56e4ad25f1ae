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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * External submission (T2 in the research notes): Runnables handed to {@code execute} by threads
 * that are not the pool's workers, as a server's request threads would.
 *
 * <p>One invocation: the producer (a JMH benchmark thread) {@code execute}s its own batch of
 * {@value #TASKS} tasks one after another, then waits until all {@value #TASKS} have run. Each
 * producer counts its tasks in its own {@link Completion} (state {@link Producer}, one per thread),
 * so with two producers each waits only for its own batch and starts its next one at once, never
 * for the other producer; the pool may hold up to two batches at a time.
 * <ul>
 *   <li>{@code oneProducer} ({@code @Threads(1)}): one producer.</li>
 *   <li>{@code twoProducers} ({@code @Threads(2)}): two producers submitting concurrently, which
 *       adds contention on the pool's submission path (a shared queue's lock or tail, a placement
 *       read, the wake-up of idle workers).</li>
 * </ul>
 * The wait checks its result ({@link Completion#await}): exactly {@value #TASKS} tasks counted, or
 * an {@code IllegalStateException}; a rejected task throws {@code RejectedExecutionException} out
 * of {@code execute}. Nothing can be dropped silently.
 *
 * <p>Parameters:
 * <ul>
 *   <li>{@code executor}: {@code loadstar} ({@code Scheduler.builder().agents(threads)}: FIFO, default
 *       power-of-two-choices placement), {@code forkjoinpool} ({@code new ForkJoinPool(threads)}),
 *       {@code forkjoinpool-fifo} (the same in async mode; for external work the two differ only in
 *       how the workers take their own queue's tasks), {@code threadpoolexecutor} (fixed,
 *       {@code LinkedBlockingQueue}: a put lock and a take lock, a node per task) and
 *       {@code threadpoolexecutor-array} (fixed, {@code ArrayBlockingQueue} of
 *       {@value Executors#ARRAY_QUEUE_CAPACITY} slots: one lock for both ends, no node). That capacity
 *       is at least the most tasks ever queued: two producers x {@value #TASKS}, since each producer
 *       has at most one batch outstanding; set-up checks it against the run's thread count (JMH's
 *       {@code -t} could raise it) and refuses to start if it could overflow.</li>
 *   <li>{@code task}: {@code noop} (the task only counts itself done: the score is the executor's
 *       cost per task) and {@code tiny} ({@code Blackhole.consumeCPU(}{@value #TINY_TOKENS}{@code )},
 *       a fixed CPU cost of about 80 ns on the 2-core VM with JDK 17, measured alone, then counts
 *       itself done: the workers are busy for part of each task, so queues fill and workers park
 *       less often).</li>
 *   <li>{@code threads}: the pool's worker count, the same for every executor.</li>
 * </ul>
 * Every executor gets the same Runnable objects (one per producer and task kind, made once, so no
 * allocation by the benchmark per task; what an executor allocates itself — ForkJoinPool's wrapper,
 * a LinkedBlockingQueue node — is its own cost and shows in {@code -prof gc}), the same count
 * ({@link java.util.concurrent.atomic.LongAdder} increment per task), the same JDK and worker count.
 *
 * <p>Score: tasks per microsecond, for {@code twoProducers} the sum of both producers (JMH adds the
 * threads' throughputs). No auxiliary counters.
 *
 * <p>Caveats: on the 2-core machine, two workers plus one or two producers oversubscribe the cores
 * (the producer submits while the workers run; its wait parks in 10 µs steps), so the figures
 * include the OS scheduler's choices, equally for every executor. The score measures the whole
 * batch until its last task ran: the submit cost and the drain overlap, and an executor whose
 * workers fall behind pays at the end. With {@code -t} on the command line JMH overrides both
 * methods' {@code @Threads}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 5000, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ExternalSubmissionBenchmark {
    /** Tasks each producer submits per invocation. */
    static final int TASKS = 50_000;
    /** The CPU cost of a {@code tiny} task, in {@code Blackhole.consumeCPU} tokens. */
    static final long TINY_TOKENS = 50;
    static final String NOOP = "noop";
    static final String TINY = "tiny";

    @Param({Executors.LOADSTAR, Executors.FORK_JOIN_POOL, Executors.FORK_JOIN_POOL_FIFO,
            Executors.THREAD_POOL_EXECUTOR, Executors.THREAD_POOL_EXECUTOR_ARRAY})
    public String executor;

    @Param({NOOP, TINY})
    public String task;

    @Param({"2"})
    public int threads;

    private ExecutorService pool;
    private boolean tiny;

    /**
     * One producer's own tasks and count. JMH makes one per benchmark thread, so the producers share
     * only the pool.
     */
    @State(Scope.Thread)
    public static class Producer {
        final Completion done = new Completion();
        final Runnable noop = done::increment;
        final Runnable tiny = () -> {
            Blackhole.consumeCPU(TINY_TOKENS);
            done.increment();
        };
    }

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) {
        switch (task) {
            case NOOP:
                tiny = false;
                break;
            case TINY:
                tiny = true;
                break;
            default:
                throw new IllegalArgumentException("unknown task: " + task);
        }
        long mostQueued = (long) params.getThreads() * TASKS;
        if (Executors.THREAD_POOL_EXECUTOR_ARRAY.equals(executor) && mostQueued > Executors.ARRAY_QUEUE_CAPACITY) {
            throw new IllegalStateException(params.getThreads() + " producers x " + TASKS + " tasks could overflow the "
                    + Executors.ARRAY_QUEUE_CAPACITY + "-slot ArrayBlockingQueue");
        }
        pool = Executors.create(executor, threads);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(pool);
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(TASKS)
    public void oneProducer(Producer producer) {
        submitBatch(producer);
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(TASKS)
    public void twoProducers(Producer producer) {
        submitBatch(producer);
    }

    /** Submits the producer's batch and waits for exactly its {@value #TASKS} tasks to have run. */
    private void submitBatch(Producer producer) {
        Completion done = producer.done;
        done.reset();
        ExecutorService p = pool;
        Runnable t = tiny ? producer.tiny : producer.noop;
        for (int i = 0; i < TASKS; i++) {
            p.execute(t);
        }
        done.await(TASKS);
    }
}
