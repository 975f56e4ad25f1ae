package io.github.loadstar.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
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
 * Submit → start latency of tasks submitted by one outside producer thread at paced, Poisson
 * arrivals, with every executor given the same number of worker threads.
 *
 * <p><b>What one task measures.</b> The producer (the JMH thread) reads {@code t0 = nanoTime()}
 * immediately before {@code execute(task)}; the task's first action is to read {@code nanoTime()}
 * again and store it in its own slot of a preallocated {@code long[]}. Latency = start − t0: the
 * {@code execute} call itself, the wake-up of a parked (or spinning) worker, the worker finding the
 * task, and under {@code half} the wait behind tasks queued before it. Task objects are made at
 * set-up and reused every shot, so nothing is allocated on the producer's side during a stretch
 * (the executors' own wrappers and queue nodes are theirs, and counted by {@code -prof gc}); a task
 * takes no lock: it writes its slot, then counts itself on a {@code LongAdder}.
 *
 * <p><b>One shot</b> ({@code Mode.SingleShotTime}) is one paced stretch of about
 * {@value #SHOT_MILLIS} ms: the producer submits the stretch's tasks, waits until every one has run,
 * then fills an HdrHistogram (3 significant digits) from the slots. The primary score is the
 * stretch's duration in ms — the sum of the gaps plus the producer's lateness, the last task's
 * latency and a few clock and thread-CPU reads; <b>it is not the figure to read</b> (it only shows
 * that the pacing held). The figures to read are the auxiliary counters below.
 *
 * <p><b>Loads</b> ({@code load}):
 * <ul>
 *   <li>{@code light}: {@value #LIGHT_TASKS} no-op tasks per shot, Poisson arrivals with a mean gap
 *       of {@value #LIGHT_GAP_MICROS} µs, so the workers have almost always gone idle before a task
 *       arrives: this is the wake-up latency (what the former {@code WakeupLatency} program
 *       measured at a fixed 200 µs period; its figures are in {@code docs/benchmarks.md}).</li>
 *   <li>{@code half}: each task spins (reads {@code nanoTime()} in a loop) for a service time
 *       S = {@value #SERVICE_MICROS} µs of wall time after its start reading; Poisson arrivals with
 *       mean gap G = S / (0.5 × threads), i.e. 100 µs for 2 threads, so the workers are busy 50 %
 *       of the time (offered load S / (G × threads) = 0.5); {@value #SHOT_MILLIS} ms / G tasks per
 *       shot (6,000 for 2 threads). Latency then includes queueing behind the tasks in service.</li>
 * </ul>
 * The gaps are exponential, drawn from a {@code SplittableRandom} with a fixed seed at set-up:
 * {@value #SEGMENTS} segments of one shot each, shot n of a trial using segment n mod
 * {@value #SEGMENTS}, so every executor sees the same arrival sequence shot by shot.
 *
 * <p><b>Pacing.</b> Each deadline is the previous submission's {@code t0} plus the next gap; the
 * producer reaches it with a {@link Pacer}: it parks while the deadline is far and spins only the
 * last {@value Pacer#SPIN_NANOS} ns, because {@code parkNanos} overshoots by ~70 µs on this machine
 * (the pacer learns the overshoot and parks that much shorter). If the producer is late (descheduled,
 * or a slow {@code execute}) it submits at once and the next gap counts from that submission: it
 * never catches up, so lateness lowers the offered load (each gap grows by the lateness) rather than
 * making bursts.
 *
 * <p><b>Executors</b> ({@code executor}, {@code threads} workers each, pools created once per trial
 * through {@code Executors.create}): {@code loadstar} ({@code Scheduler.builder().agents(threads)},
 * defaults otherwise), {@code forkjoinpool} ({@code new ForkJoinPool(threads)}, never the common
 * pool), {@code threadpoolexecutor} (fixed, {@code LinkedBlockingQueue}). The comparison is fair:
 * same worker count, the same task objects and arrival sequence, the same producer and pacer, the
 * same JDK and JVM flags.
 *
 * <p><b>Checks.</b> After each shot: the count of tasks run equals the number submitted, every
 * slot was written (so each task ran exactly once), and every latency lies in [0, 10 s]; at the
 * next shot's set-up the count must not have moved (no task ran again after the shot). A stall of
 * {@value #STALL_SECONDS} s without progress while waiting also fails the shot. Each failure throws
 * {@link IllegalStateException}.
 *
 * <p><b>Auxiliary counters</b> ({@code @AuxCounters(EVENTS)}). JMH sums them over shots and forks;
 * {@code samples} counts the shots, so every other counter divided by {@code samples} is the mean
 * over the measured shots of that shot's own figure:
 * <ul>
 *   <li>{@code samples}: measured shots.</li>
 *   <li>{@code p50Micros}, {@code p99Micros}, {@code p999Micros}, {@code maxMicros}: the shot's
 *       submit → start latency percentiles and maximum, in µs (HdrHistogram values, within 0.1 %).
 *       A mean of per-shot percentiles, not the percentile of all shots pooled.</li>
 *   <li>{@code poolCpuPercent}: CPU time of the pool's threads during the shot divided by its wall
 *       time, in % of one core (up to 100 × threads). The pool's threads are the Java threads that
 *       did not exist before the pool was made (its workers, and Loadstar's coordinator thread
 *       if it runs), read with {@code ThreadMXBean.getThreadCpuTime} before the first submission and
 *       after the last task, never per task. It shows whether low latency is bought by spinning;
 *       under {@code half} about 100 × threads × 0.5 of it is the tasks' own service time.</li>
 *   <li>{@code producerCpuPercent}: the producer thread's CPU time over the same wall time (its
 *       spinning before deadlines, its {@code execute} calls, its parks and wake-ups).</li>
 *   <li>{@code producerLateMicros}: mean lateness of a submission behind its deadline, in µs
 *       (t0 − deadline; a few µs is the spin's granularity plus a clock read). The offered load
 *       was lower than stated by about this over the mean gap.</li>
 * </ul>
 *
 * <p><b>Caveats.</b>
 * <ul>
 *   <li>The producer shares the 2 cores with the workers. Gaps shorter than the pacer's spin stretch
 *       plus the park overshoot (~100 µs) are spun through entirely, so the producer itself uses a
 *       sizeable share of a core ({@code producerCpuPercent}: about 25–30 % under {@code light} and
 *       50 % under {@code half} in the first smoke runs, its {@code execute} calls included). Under
 *       {@code half} the pool's 100 % (the service time) plus the producer's 50 % fill three
 *       quarters of the two cores, so anything else running on the machine pushes it into
 *       saturation: the {@code half} figures are far more sensitive to a shared machine than the
 *       {@code light} ones. Operating-system scheduling delays are part of every executor's tail,
 *       and the same for every executor only on average.</li>
 *   <li>JMH runs the configurations one after another, not interleaved as {@code WakeupLatency}
 *       rotated its pools round by round: drift of the shared machine between configurations is
 *       not cancelled; compare configurations from the same run, and repeat the run.
 *       p99.9 rests on the few slowest tasks of a shot (3 of 3,000 under {@code light}); compare it
 *       across runs with care.</li>
 *   <li>Two clock reads per task (~20–25 ns each on this VM) are in every figure alike.</li>
 *   <li>{@code -prof gc}'s {@code gc.alloc.rate.norm} is per shot, not per task: divide by the tasks
 *       per shot ({@value #LIGHT_TASKS} under {@code light}, 6,000 under {@code half} with 2
 *       threads). The producer allocates nothing per task; the figure is the executors' (wrappers,
 *       queue nodes, and whatever their threads allocate meanwhile).</li>
 *   <li>The annotations (the quick profile) warm up {@value #WARMUP_SHOTS} shots and measure
 *       {@value #MEASURED_SHOTS}: the task path sees fewer invocations here than in the throughput
 *       benchmarks, so the first measured shot may still run some C1-compiled code; the full
 *       profile ({@code -wi 5 -i 5}, two forks) leaves more room.</li>
 * </ul>
 * Configurations: 2 loads × 3 executors × 1 thread count = 6.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = QueueLatencyBenchmark.WARMUP_SHOTS)
@Measurement(iterations = QueueLatencyBenchmark.MEASURED_SHOTS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class QueueLatencyBenchmark {
    static final int WARMUP_SHOTS = 3;
    static final int MEASURED_SHOTS = 3;
    static final String LIGHT = "light";
    static final String HALF = "half";
    /** Target duration of one shot (one paced stretch). */
    static final long SHOT_MILLIS = 600;
    /** Mean arrival gap under {@code light}. */
    static final long LIGHT_GAP_MICROS = 200;
    /** Tasks per shot under {@code light}: {@value #SHOT_MILLIS} ms / {@value #LIGHT_GAP_MICROS} µs. */
    static final int LIGHT_TASKS = (int) (SHOT_MILLIS * 1_000 / LIGHT_GAP_MICROS);
    /** Service time of a task under {@code half} (wall time, spun). */
    static final long SERVICE_MICROS = 100;
    /** Offered load under {@code half}: S / (G × threads). */
    static final double HALF_LOAD = 0.5;
    /** Shots get consecutive segments of the precomputed gaps, modulo this. */
    static final int SEGMENTS = 8;
    static final long SEED = 0x4C6F_6164_7374_6172L;
    /** A waiting producer gives up when the count has not moved for this long. */
    static final long STALL_SECONDS = 10;
    /** Largest latency the histogram holds; a larger one fails the shot. */
    static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** A slot's value before its task has run (System.nanoTime() never returns it in practice). */
    static final long NOT_RUN = Long.MIN_VALUE;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Param({Executors.LOADSTAR, Executors.FORK_JOIN_POOL, Executors.THREAD_POOL_EXECUTOR})
    public String executor;

    @Param({LIGHT, HALF})
    public String load;

    @Param({"2"})
    public int threads;

    private ExecutorService pool;
    private Pacer pacer;
    private PoolCpu poolCpu;
    /** Tasks per shot. */
    private int tasks;
    /** Arrival gaps in ns: {@value #SEGMENTS} segments of {@code tasks}, plus one so the last deadline needs no branch. */
    private long[] gaps;
    private Probe[] probes;
    /** Each task's t0, written by the producer. */
    private long[] submitted;
    /** Each task's start, written by the task. */
    private long[] started;
    private final LongAdder done = new LongAdder();
    private final Histogram histogram = new Histogram(MAX_LATENCY_NANOS, 3);
    /** Shots run so far in this trial (warm-up included): picks the segment. */
    private int shot;
    /** Tasks of the last completed shot, or -1: the count must still equal it at the next set-up. */
    private long lastCount = -1;

    /**
     * The shot's figures. JMH sums {@code EVENTS} counters over shots and forks; divide each by
     * {@code samples} for the mean over shots.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Latency {
        /** Measured shots added into the other fields. */
        public long samples;
        /** Median submit → start latency, µs. */
        public double p50Micros;
        /** 99th percentile, µs. */
        public double p99Micros;
        /** 99.9th percentile, µs. */
        public double p999Micros;
        /** Largest latency of the shot, µs. */
        public double maxMicros;
        /** Pool threads' CPU time / wall time, % of one core. */
        public double poolCpuPercent;
        /** Producer thread's CPU time / wall time, % of one core. */
        public double producerCpuPercent;
        /** Mean lateness of a submission behind its deadline, µs. */
        public double producerLateMicros;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
            p50Micros = 0;
            p99Micros = 0;
            p999Micros = 0;
            maxMicros = 0;
            poolCpuPercent = 0;
            producerCpuPercent = 0;
            producerLateMicros = 0;
        }
    }

    @Setup(Level.Trial)
    public void start() {
        long meanGapNanos;
        long serviceNanos;
        switch (load) {
            case LIGHT:
                meanGapNanos = TimeUnit.MICROSECONDS.toNanos(LIGHT_GAP_MICROS);
                serviceNanos = 0;
                break;
            case HALF:
                serviceNanos = TimeUnit.MICROSECONDS.toNanos(SERVICE_MICROS);
                meanGapNanos = Math.round(serviceNanos / (HALF_LOAD * threads));
                break;
            default:
                throw new IllegalArgumentException("unknown load: " + load);
        }
        tasks = (int) (TimeUnit.MILLISECONDS.toNanos(SHOT_MILLIS) / meanGapNanos);
        SplittableRandom random = new SplittableRandom(SEED);
        gaps = new long[SEGMENTS * tasks + 1];
        for (int i = 0; i < gaps.length; i++) {
            // exponential: -mean * ln(U), U in (0, 1]
            gaps[i] = Math.round(-meanGapNanos * Math.log(1.0 - random.nextDouble()));
        }
        submitted = new long[tasks];
        started = new long[tasks];
        probes = new Probe[tasks];
        for (int i = 0; i < tasks; i++) {
            probes[i] = new Probe(started, i, serviceNanos, done);
        }
        pacer = new Pacer();
        poolCpu = new PoolCpu();    // before the pool: its threads are the ones made after this
        pool = Executors.create(executor, threads);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(pool);
    }

    /** Before each shot (outside its time): no task ran after the last shot; clear the slots and the count. */
    @Setup(Level.Iteration)
    public void prepare() {
        long count = done.sumThenReset();
        if (lastCount >= 0 && count != lastCount) {
            throw new IllegalStateException(count + " tasks counted by the next shot's set-up, " + lastCount
                    + " when the shot ended: " + (count - lastCount) + " task(s) ran again after it (duplicated work)");
        }
        Arrays.fill(started, NOT_RUN);
    }

    @Benchmark
    public void submitToStart(Latency out) {
        final int k = tasks;
        final long[] gaps = this.gaps;
        final long[] submitted = this.submitted;
        final Probe[] probes = this.probes;
        final ExecutorService pool = this.pool;
        final Pacer pacer = this.pacer;
        int g = (shot++ % SEGMENTS) * k;

        poolCpu.mark();
        long producerCpu0 = THREADS.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        long deadline = wall0 + gaps[g];
        long late = 0;
        for (int i = 0; i < k; i++) {
            pacer.awaitDeadline(deadline);
            long t0 = System.nanoTime();
            pool.execute(probes[i]);
            submitted[i] = t0;
            late += t0 - deadline;
            deadline = t0 + gaps[++g];     // no catching up: the next gap counts from this submission
        }
        awaitAll(k);
        long wall = System.nanoTime() - wall0;
        long producerCpu = THREADS.getCurrentThreadCpuTime() - producerCpu0;
        long cpu = poolCpu.sinceMark();
        lastCount = k;

        // The LongAdder's CASes (each task's, after its slot write) and sum()'s volatile reads order
        // every started[] write before the reads below.
        Histogram h = histogram;
        h.reset();
        for (int i = 0; i < k; i++) {
            long start = started[i];
            if (start == NOT_RUN) {
                throw new IllegalStateException("task " + i + " of " + k + " never ran, though " + k
                        + " were counted: another ran twice");
            }
            long latency = start - submitted[i];
            if (latency < 0 || latency > MAX_LATENCY_NANOS) {
                throw new IllegalStateException("task " + i + ": submit -> start latency " + latency + " ns");
            }
            h.recordValue(latency);
        }
        out.samples++;
        out.p50Micros += h.getValueAtPercentile(50.0) / 1_000.0;
        out.p99Micros += h.getValueAtPercentile(99.0) / 1_000.0;
        out.p999Micros += h.getValueAtPercentile(99.9) / 1_000.0;
        out.maxMicros += h.getMaxValue() / 1_000.0;
        out.poolCpuPercent += cpu < 0 ? Double.NaN : 100.0 * cpu / wall;
        out.producerCpuPercent += producerCpu < 0 ? Double.NaN : 100.0 * producerCpu / wall;
        out.producerLateMicros += late / 1_000.0 / k;
    }

    /**
     * Waits until {@code k} tasks have counted themselves without holding a core: spins briefly,
     * then parks 10 µs between looks (as {@code Completion.await}); fails on a stall or an excess.
     */
    private void awaitAll(int k) {
        int spins = 0;
        long count;
        long seen = -1;
        long since = 0;
        while ((count = done.sum()) < k) {
            if (++spins < 64) {
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (count != seen) {
                seen = count;
                since = now;
            } else if (now - since > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                throw new IllegalStateException("only " + count + " of " + k + " tasks ran; no progress for "
                        + STALL_SECONDS + " s (lost work)");
            }
            LockSupport.parkNanos(10_000L);
        }
        if (count != k) {
            throw new IllegalStateException(count + " tasks counted, " + k + " submitted (duplicated work)");
        }
    }

    /** The task: stores when it started, spins its service time (if any), counts itself done. */
    static final class Probe implements Runnable {
        private final long[] started;
        private final int index;
        private final long serviceNanos;
        private final LongAdder done;

        Probe(long[] started, int index, long serviceNanos, LongAdder done) {
            this.started = started;
            this.index = index;
            this.serviceNanos = serviceNanos;
            this.done = done;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            started[index] = start;
            if (serviceNanos != 0) {
                while (System.nanoTime() - start < serviceNanos) {
                    // service time: wall-clock spin, no pause hint (it stands for work)
                }
            }
            done.increment();
        }
    }

    /**
     * CPU time of the Java threads created after this object (the pool's), read once before and
     * once after a shot. A thread that appears during the shot counts from 0 (it was created
     * during it); one that ends during it is lost (none does: the pools are fixed and their
     * keep-alive, where they have one, is far longer than a shot).
     */
    static final class PoolCpu {
        private final Set<Long> before = new HashSet<>();
        private long[] ids = new long[0];
        private long[] cpu = new long[0];
        private int marked;
        private final boolean supported;

        PoolCpu() {
            supported = THREADS.isThreadCpuTimeSupported();
            if (supported && !THREADS.isThreadCpuTimeEnabled()) {
                THREADS.setThreadCpuTimeEnabled(true);
            }
            for (long id : THREADS.getAllThreadIds()) {
                before.add(id);
            }
        }

        /** Reads the CPU time so far of each thread made after this object. */
        void mark() {
            long[] all = THREADS.getAllThreadIds();
            if (ids.length < all.length) {
                ids = new long[all.length];
                cpu = new long[all.length];
            }
            marked = 0;
            for (long id : all) {
                long t;
                if (!before.contains(id) && (t = THREADS.getThreadCpuTime(id)) >= 0) {
                    ids[marked] = id;
                    cpu[marked] = t;
                    marked++;
                }
            }
        }

        /** CPU time of those threads since {@link #mark()}, in ns; -1 if the JVM cannot measure it. */
        long sinceMark() {
            if (!supported) {
                return -1;
            }
            long sum = 0;
            for (long id : THREADS.getAllThreadIds()) {
                long t;
                if (!before.contains(id) && (t = THREADS.getThreadCpuTime(id)) >= 0) {
                    long t0 = 0;
                    for (int j = 0; j < marked; j++) {
                        if (ids[j] == id) {
                            t0 = cpu[j];
                            break;
                        }
                    }
                    sum += t - t0;
                }
            }
            return sum;
        }
    }
}
