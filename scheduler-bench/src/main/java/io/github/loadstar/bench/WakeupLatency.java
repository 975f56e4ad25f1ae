package io.github.loadstar.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Submit → start latency from an outside thread to a pool whose workers are idle, Loadstar against
 * {@code new ForkJoinPool(2)} and a 2-thread {@code ThreadPoolExecutor} on a
 * {@code LinkedBlockingQueue} (Loadstar: {@code Scheduler.builder().agents(2)}, defaults otherwise).
 * Not a JMH benchmark: JMH measures whole invocations, and this wants the distribution of one
 * latency per task, with the pools interleaved round by round.
 *
 * <p><b>What one task measures.</b> The producer (the main thread) reads {@code t0 = nanoTime()}
 * immediately before {@code execute(task)}; the task's first action is to read {@code nanoTime()}
 * again. Latency = start − t0: the submission call itself, the wake-up of a parked (or spinning)
 * worker, and the worker finding the task. The task then only counts itself done. Task objects are
 * created before {@code t0}.
 *
 * <p><b>Patterns.</b>
 * <ul>
 *   <li>{@code light}: one task every 200 µs (each submission 200 µs after the previous one's
 *       {@code t0}), so the workers have gone idle before each task.</li>
 *   <li>{@code burst}: 64 tasks back to back every 2 ms (each burst 2 ms after the previous one's
 *       start); a task's latency runs from its own {@code t0}, so queueing behind the earlier tasks
 *       of its burst is included.</li>
 * </ul>
 * The producer reaches each deadline by spinning on {@code nanoTime()} for the last
 * {@value #SPIN_NANOS} ns, because {@code LockSupport.parkNanos} alone overshoots by tens of
 * microseconds: the gaps are the stated ones (plus the submit call). Before that last stretch it
 * parks ({@code parkNanos} of the remaining time minus the spin stretch), so that on a 2-core
 * machine it does not hold a core the woken worker needs. If the producer is descheduled past a
 * deadline it submits at once, without catching up on missed slots.
 *
 * <p><b>Rounds.</b> Each round runs both patterns on every pool, the pools in a rotated order from
 * round to round (so none always runs first or after the same neighbour). Each (round, pattern,
 * pool) gets a fresh pool, warmed with {@value #WARM_TASKS} untimed tasks of the same pattern, then
 * {@value #TASKS} measured tasks (the burst pattern rounds up to whole bursts: 313 × 64 = 20,032),
 * and the pool is shut down before the next one starts — so only the measured pool's threads
 * exist. An untimed warm-up pass over everything comes first, for the JIT. Each round's latencies
 * go into an HdrHistogram (3 significant digits); the table gives, per pattern and pool, the median
 * over the rounds of each round's p50, p99 and p99.9, and each divided by ForkJoinPool's (below 1.0:
 * lower latency than ForkJoinPool).
 *
 * <p><b>CPU.</b> Low latency can be bought by spinning workers; so for each measured stretch the
 * program also reports CPU time divided by wall time, in % of one core, two ways:
 * <ul>
 *   <li>{@code pool CPU}: the CPU time of every live Java thread except the producer
 *       ({@code ThreadMXBean.getThreadCpuTime}, nanosecond resolution): the pool's workers (the
 *       other Java threads of the JVM sleep). This is the figure to read.</li>
 *   <li>{@code process-producer}: {@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime}
 *       minus the producer thread's CPU time: also counts the JIT and GC threads, the same for every
 *       pool; on Linux the process figure comes in 10 ms clock ticks, so over the 0.6 s of a burst
 *       stretch it is good to about ±2 % of a core, and it can come out below zero.</li>
 * </ul>
 * The tasks themselves do nothing but read the clock.
 *
 * <pre>
 * java -Xms1g -Xmx1g -cp scheduler-bench/target/benchmarks.jar io.github.loadstar.bench.WakeupLatency [--quick]
 * </pre>
 * The full run takes about 80 s; {@code --quick} (3 rounds of 2,000 tasks, a few seconds) is a
 * smoke test only. {@code --rounds N} and {@code --tasks N} override the counts.
 */
public final class WakeupLatency {
    static final int TASKS = 20_000;
    static final int ROUNDS = 5;
    static final int WARM_TASKS = 1_000;
    static final int WORKERS = 2;
    static final String[] POOLS = {Executors.LOADSTAR, Executors.FORK_JOIN_POOL, Executors.THREAD_POOL_EXECUTOR};
    static final String BASELINE = Executors.FORK_JOIN_POOL;
    /** The producer spins for this last stretch before a deadline, and parks before it. */
    static final long SPIN_NANOS = 100_000L;

    /** A load pattern: bursts of {@code burst} tasks, one burst every {@code periodNanos}. */
    enum Pattern {
        LIGHT("light", 1, 200_000L),
        BURST("burst", 64, 2_000_000L);

        final String label;
        final int burst;
        final long periodNanos;

        Pattern(String label, int burst, long periodNanos) {
            this.label = label;
            this.burst = burst;
            this.periodNanos = periodNanos;
        }

        /** Whole bursts needed for at least {@code tasks} tasks. */
        int bursts(int tasks) {
            return (tasks + burst - 1) / burst;
        }
    }

    /** One measured stretch: percentiles in microseconds and the pool's CPU share. */
    static final class Stretch {
        final double p50;
        final double p99;
        final double p999;
        final double max;
        final double cpuPercent;
        final double processCpuPercent;
        final long count;

        Stretch(Histogram h, double cpuPercent, double processCpuPercent) {
            this.p50 = h.getValueAtPercentile(50) / 1_000.0;
            this.p99 = h.getValueAtPercentile(99) / 1_000.0;
            this.p999 = h.getValueAtPercentile(99.9) / 1_000.0;
            this.max = h.getMaxValue() / 1_000.0;
            this.count = h.getTotalCount();
            this.cpuPercent = cpuPercent;
            this.processCpuPercent = processCpuPercent;
        }
    }

    /** The task: records when it started, then counts itself done. */
    static final class Probe implements Runnable {
        private final long[] starts;
        private final int index;
        private final Completion done;

        Probe(long[] starts, int index, Completion done) {
            this.starts = starts;
            this.index = index;
            this.done = done;
        }

        @Override
        public void run() {
            starts[index] = System.nanoTime();
            done.increment();
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private WakeupLatency() {
    }

    public static void main(String[] args) throws InterruptedException {
        int rounds = ROUNDS;
        int tasks = TASKS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick":
                    rounds = 3;
                    tasks = 2_000;
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(args[++i]);
                    break;
                case "--tasks":
                    tasks = Integer.parseInt(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument: " + args[i]
                            + " (use --quick, --rounds N, --tasks N)");
            }
        }
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure a thread's CPU time");
        }
        THREADS.setThreadCpuTimeEnabled(true);
        Pattern[] patterns = Pattern.values();

        System.out.printf(Locale.ROOT, "Submit -> start latency from an outside thread, %d workers; rounds: %d, tasks per round: %d;"
                        + " %s %s (%s), %d processors%n", WORKERS, rounds, tasks,
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vendor"), Runtime.getRuntime().availableProcessors());
        System.out.println("warm-up pass (untimed) ...");
        for (Pattern pattern : patterns) {
            for (String pool : POOLS) {
                measure(pool, pattern, Math.max(tasks / 4, WARM_TASKS));
            }
        }

        Stretch[][][] results = new Stretch[patterns.length][POOLS.length][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < POOLS.length; k++) {
                int p = (round + k) % POOLS.length;
                for (Pattern pattern : patterns) {
                    Stretch s = measure(POOLS[p], pattern, tasks);
                    results[pattern.ordinal()][p][round] = s;
                    System.out.printf(Locale.ROOT,
                            "round %d/%d  %-5s %-18s  p50 %7.1f  p99 %8.1f  p99.9 %8.1f  max %9.1f us"
                                    + "  pool cpu %5.1f %%  process-producer %5.1f %%  (%d tasks)%n",
                            round + 1, rounds, pattern.label, POOLS[p], s.p50, s.p99, s.p999, s.max, s.cpuPercent,
                            s.processCpuPercent, s.count);
                }
            }
        }
        System.out.println();
        System.out.println(table(results, rounds, tasks));
    }

    /** Runs {@code tasks} tasks (rounded up to whole bursts) of {@code pattern} on a fresh pool. */
    static Stretch measure(String kind, Pattern pattern, int tasks) throws InterruptedException {
        ExecutorService pool = Executors.create(kind, WORKERS);
        try {
            run(pool, pattern, pattern.bursts(WARM_TASKS), null);
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            Map<Long, Long> threadCpu0 = otherThreadsCpu();
            long producerCpu0 = THREADS.getCurrentThreadCpuTime();
            long processCpu0 = OS.getProcessCpuTime();
            long wall0 = System.nanoTime();
            run(pool, pattern, pattern.bursts(tasks), histogram);
            long wall = System.nanoTime() - wall0;
            long processCpu = OS.getProcessCpuTime() - processCpu0;
            long producerCpu = THREADS.getCurrentThreadCpuTime() - producerCpu0;
            long poolCpu = 0;
            for (Map.Entry<Long, Long> e : otherThreadsCpu().entrySet()) {
                poolCpu += e.getValue() - threadCpu0.getOrDefault(e.getKey(), 0L);
            }
            return new Stretch(histogram, 100.0 * poolCpu / wall, 100.0 * (processCpu - producerCpu) / wall);
        } finally {
            Executors.stop(pool);
        }
    }

    /** CPU time so far of every live Java thread but this one, by thread id (a thread that died is left out). */
    private static Map<Long, Long> otherThreadsCpu() {
        long self = Thread.currentThread().getId();
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (id != self && t >= 0) {
                cpu.put(id, t);
            }
        }
        return cpu;
    }

    /**
     * Submits {@code bursts} bursts of the pattern, waits until every task has run, and records each
     * task's start − t0 into {@code histogram} (if given).
     */
    private static void run(ExecutorService pool, Pattern pattern, int bursts, Histogram histogram) {
        int n = bursts * pattern.burst;
        long[] submitted = new long[n];
        long[] started = new long[n];
        Completion done = new Completion();
        Probe[] probes = new Probe[pattern.burst];
        long next = System.nanoTime();
        int i = 0;
        for (int b = 0; b < bursts; b++) {
            for (int j = 0; j < probes.length; j++) {
                probes[j] = new Probe(started, i + j, done);
            }
            // Park while the deadline is far, then spin to it: parkNanos alone overshoots by tens of us.
            long wait;
            while ((wait = next - System.nanoTime()) > SPIN_NANOS) {
                LockSupport.parkNanos(wait - SPIN_NANOS);
            }
            while (System.nanoTime() - next < 0) {
                Thread.onSpinWait();
            }
            long burstStart = System.nanoTime();
            for (Probe probe : probes) {
                submitted[i++] = System.nanoTime();
                pool.execute(probe);
            }
            next = burstStart + pattern.periodNanos;
        }
        // The LongAdder's volatile writes and reads order every started[] write before the reads below.
        done.await(n);
        if (histogram != null) {
            for (int k = 0; k < n; k++) {
                long latency = started[k] - submitted[k];
                if (latency < 0) {
                    throw new IllegalStateException("task " + k + " started before it was submitted: " + latency + " ns");
                }
                histogram.recordValue(latency);
            }
        }
    }

    private static String table(Stretch[][][] results, int rounds, int tasks) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "Submit -> start latency, %d workers, medians over %d interleaved round(s) of %d tasks (bursts: whole bursts);"
                        + " ratios = pool's figure / ForkJoinPool's (below 1.0: lower latency than ForkJoinPool)%n",
                WORKERS, rounds, tasks));
        out.append(String.format(Locale.ROOT, "| %-7s | %-18s | %8s | %8s | %8s | %9s | %9s | %11s | %10s | %16s |%n",
                "pattern", "pool", "p50 us", "p99 us", "p99.9 us", "p50 / FJP", "p99 / FJP", "p99.9 / FJP",
                "pool CPU %", "process-producer"));
        out.append("|---------|--------------------|----------|----------|----------|-----------|-----------|-------------|"
                + "------------|------------------|\n");
        int base = Arrays.asList(POOLS).indexOf(BASELINE);
        int loadstar = Arrays.asList(POOLS).indexOf(Executors.LOADSTAR);
        int tpe = Arrays.asList(POOLS).indexOf(Executors.THREAD_POOL_EXECUTOR);
        List<String> notes = new ArrayList<>();
        for (Pattern pattern : Pattern.values()) {
            Stretch[][] byPool = results[pattern.ordinal()];
            double[][] med = new double[POOLS.length][];
            for (int p = 0; p < POOLS.length; p++) {
                med[p] = medians(byPool[p]);
            }
            for (int p = 0; p < POOLS.length; p++) {
                out.append(String.format(Locale.ROOT,
                        "| %-7s | %-18s | %8.1f | %8.1f | %8.1f | %9.2f | %9.2f | %11.2f | %10.1f | %16.1f |%n",
                        pattern.label, POOLS[p], med[p][0], med[p][1], med[p][2],
                        med[p][0] / med[base][0], med[p][1] / med[base][1], med[p][2] / med[base][2], med[p][3],
                        med[p][4]));
            }
            notes.add(String.format(Locale.ROOT,
                    "%s: loadstar / threadpoolexecutor  p50 %.2f  p99 %.2f  p99.9 %.2f",
                    pattern.label, med[loadstar][0] / med[tpe][0], med[loadstar][1] / med[tpe][1],
                    med[loadstar][2] / med[tpe][2]));
        }
        for (String note : notes) {
            out.append(note).append('\n');
        }
        return out.toString();
    }

    /** Medians over the rounds of p50, p99, p99.9, pool CPU % and process-producer CPU %. */
    private static double[] medians(Stretch[] rounds) {
        double[][] columns = new double[5][rounds.length];
        for (int r = 0; r < rounds.length; r++) {
            columns[0][r] = rounds[r].p50;
            columns[1][r] = rounds[r].p99;
            columns[2][r] = rounds[r].p999;
            columns[3][r] = rounds[r].cpuPercent;
            columns[4][r] = rounds[r].processCpuPercent;
        }
        double[] medians = new double[columns.length];
        for (int c = 0; c < columns.length; c++) {
            double[] v = columns[c];
            Arrays.sort(v);
            int m = v.length / 2;
            medians[c] = v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
        }
        return medians;
    }
}
