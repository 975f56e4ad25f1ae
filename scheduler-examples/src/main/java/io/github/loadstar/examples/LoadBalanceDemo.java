package io.github.loadstar.examples;

import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.Finding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The README's demo: a real workload on a Loadstar scheduler, then its report.
 *
 * <ol>
 *   <li>A parallel merge sort of four million longs. Every split is a task submitted from inside
 *       the scheduler (so it starts on the current agent and idle agents steal it); no task ever
 *       blocks waiting for another — a node merges when its last child reports back.</li>
 *   <li>Three tenants submit requests of different costs from outside, with weights 3, 2 and 1;
 *       a burst of heavy requests arrives pinned to agent 0 while the rest stay movable.</li>
 * </ol>
 * It checks its own results (the array is sorted, every request ran once) and prints the
 * scheduler's metrics: per-agent work, steals and migrations, queue-latency percentiles,
 * utilization and Jain's fairness indices.
 */
public final class LoadBalanceDemo {
    private static final int ELEMENTS = 4_000_000;
    private static final int SEQUENTIAL_CUTOFF = 8_192;

    private LoadBalanceDemo() {
    }

    public static void main(String[] args) throws Exception {
        int agents = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
        long[] data = new SplittableRandom(42).longs(ELEMENTS).toArray();
        long[] expected = data.clone();
        Arrays.sort(expected);
        try (Scheduler scheduler = Scheduler.builder().name("demo").agents(agents).latencySamplingInterval(16)
                .coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(50)).build()).build()) {
            System.out.printf("Loadstar demo on %d agents (%d processors)%n%n", agents,
                    Runtime.getRuntime().availableProcessors());
            long start = System.nanoTime();
            sort(scheduler, data).get(60, TimeUnit.SECONDS);
            long sortMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            boolean sorted = Arrays.equals(expected, data);
            System.out.printf("1. parallel merge sort of %,d longs: %d ms, %s%n", ELEMENTS, sortMillis,
                    sorted ? "sorted correctly" : "WRONG ORDER");

            start = System.nanoTime();
            int requests = tenantRequests(scheduler);
            long tenantMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("2. %,d tenant requests (3 tenants, a pinned burst on agent 0): %d ms%n%n", requests,
                    tenantMillis);

            scheduler.shutdown();
            scheduler.awaitTermination(60, TimeUnit.SECONDS);
            // the performance report over the whole run (the detailed one adds the agent and tenant
            // rows), then the bottlenecks the run had in its last second, each with its evidence
            System.out.println(scheduler.report(Duration.ofMinutes(10)).toDetailedText());
            List<Finding> findings = scheduler.bottlenecks(Duration.ofSeconds(1));
            System.out.println(findings.isEmpty() ? "bottlenecks: none" : "bottlenecks:");
            for (Finding f : findings) {
                System.out.printf("  %s %s (%s): %s%n    -> %s%n", f.severity(), f.kind(), f.component(), f.evidence(),
                        f.action());
            }
            if (!sorted) {
                throw new IllegalStateException("the parallel sort produced a wrong order");
            }
        }
    }

    // ---------------------------------------------------------------- merge sort

    /** Sorts {@code data} in place; the future completes when the whole array is sorted. */
    static CompletableFuture<Void> sort(Scheduler scheduler, long[] data) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] scratch = new long[data.length];
        scheduler.execute(new SortTask(scheduler, data, scratch, 0, data.length, null, done));
        return done;
    }

    /** Sorts [from, to); when done, tells its parent, or completes the root future. */
    private static final class SortTask implements Runnable {
        private final Scheduler scheduler;
        private final long[] data;
        private final long[] scratch;
        private final int from;
        private final int to;
        private final SortTask parent;
        private final CompletableFuture<Void> root;
        private final AtomicInteger pendingChildren = new AtomicInteger(2);

        SortTask(Scheduler scheduler, long[] data, long[] scratch, int from, int to, SortTask parent,
                 CompletableFuture<Void> root) {
            this.scheduler = scheduler;
            this.data = data;
            this.scratch = scratch;
            this.from = from;
            this.to = to;
            this.parent = parent;
            this.root = root;
        }

        @Override
        public void run() {
            try {
                if (to - from <= SEQUENTIAL_CUTOFF) {
                    Arrays.sort(data, from, to);
                    finished();
                    return;
                }
                int mid = (from + to) >>> 1;
                // both halves are submitted from inside the scheduler: they stay on this agent
                // unless an idle agent steals them
                scheduler.execute(new SortTask(scheduler, data, scratch, from, mid, this, root));
                scheduler.execute(new SortTask(scheduler, data, scratch, mid, to, this, root));
            } catch (Throwable t) {
                root.completeExceptionally(t);
            }
        }

        /** A child finished; the last one to finish merges, on whichever agent it runs. */
        void childFinished() {
            if (pendingChildren.decrementAndGet() == 0) {
                merge();
                finished();
            }
        }

        private void finished() {
            if (parent == null) {
                root.complete(null);
            } else {
                parent.childFinished();
            }
        }

        private void merge() {
            int mid = (from + to) >>> 1;
            System.arraycopy(data, from, scratch, from, to - from);
            int i = from;
            int j = mid;
            int k = from;
            while (i < mid && j < to) {
                data[k++] = scratch[i] <= scratch[j] ? scratch[i++] : scratch[j++];
            }
            while (i < mid) {
                data[k++] = scratch[i++];
            }
            while (j < to) {
                data[k++] = scratch[j++];
            }
        }
    }

    // ---------------------------------------------------------------- tenants

    /** Submits the tenants' requests, waits for all, checks each ran once; returns how many. */
    static int tenantRequests(Scheduler scheduler) throws Exception {
        String[] tenants = {"gold", "silver", "bronze"};
        double[] weights = {3, 2, 1};
        int[] costs = {1, 2, 4};
        AtomicInteger ran = new AtomicInteger();
        List<TaskFuture<Long>> futures = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 6_000; i++) {
            int t = i % 3;
            int cost = costs[t] * (1 + random.nextInt(3));
            TaskOptions options = TaskOptions.builder().tenant(tenants[t], weights[t]).cost(cost).build();
            futures.add(scheduler.submit(() -> {
                ran.incrementAndGet();
                return work(cost * 20_000);
            }, options));
        }
        TaskOptions pinned = TaskOptions.builder().tenant("gold", 3).cost(8).pinnedTo(0).build();
        for (int i = 0; i < 200; i++) {
            futures.add(scheduler.submit(() -> {
                ran.incrementAndGet();
                return work(160_000);
            }, pinned));
        }
        for (TaskFuture<Long> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        if (ran.get() != futures.size()) {
            throw new IllegalStateException(ran.get() + " requests ran, " + futures.size() + " submitted");
        }
        return futures.size();
    }

    /** CPU work the JIT cannot remove. */
    static long work(int iterations) {
        long x = 0x9E3779B97F4A7C15L ^ iterations;
        for (int i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }
}
