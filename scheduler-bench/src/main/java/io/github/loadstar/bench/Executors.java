package io.github.loadstar.bench;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.spi.PlacementPolicies;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The executors compared, each with the same number of worker threads. */
final class Executors {
    /** Loadstar with its defaults (power-of-two-choices placement, FIFO). */
    static final String LOADSTAR = "loadstar";
    /** Loadstar with round-robin placement: no load reads on the submitting thread. */
    static final String LOADSTAR_ROUND_ROBIN = "loadstar-roundrobin";
    /** {@code new ForkJoinPool(n)}: LIFO for local work; never the common pool. */
    static final String FORK_JOIN_POOL = "forkjoinpool";
    /** {@code ForkJoinPool} in async (FIFO) mode. */
    static final String FORK_JOIN_POOL_FIFO = "forkjoinpool-fifo";
    /** A fixed {@code ThreadPoolExecutor} on a {@code LinkedBlockingQueue}. */
    static final String THREAD_POOL_EXECUTOR = "threadpoolexecutor";
    /**
     * A fixed {@code ThreadPoolExecutor} on an {@code ArrayBlockingQueue} of
     * {@value #ARRAY_QUEUE_CAPACITY} slots (one lock for both ends, no node allocated per task).
     */
    static final String THREAD_POOL_EXECUTOR_ARRAY = "threadpoolexecutor-array";
    /**
     * The capacity of {@link #THREAD_POOL_EXECUTOR_ARRAY}'s queue: 2^17 = 131,072 slots. A fixed pool
     * rejects (AbortPolicy: {@code RejectedExecutionException}, never a silent drop) once the queue
     * is full, so the capacity must exceed the most tasks a benchmark ever has queued at once:
     * ExternalSubmissionBenchmark's two producers with one batch each (2 x 50,000), or a whole
     * spawned tree of SpawnBenchmark (2^17 - 1 tasks). Benchmarks that use this kind check their
     * bound against it at set-up. The array (512 KiB with compressed oops) is allocated once.
     */
    static final int ARRAY_QUEUE_CAPACITY = 1 << 17;

    private Executors() {
    }

    static ExecutorService create(String kind, int threads) {
        switch (kind) {
            case LOADSTAR:
                return Scheduler.builder().name("bench").agents(threads).build();
            case LOADSTAR_ROUND_ROBIN:
                return Scheduler.builder().name("bench").agents(threads)
                        .placementPolicy(PlacementPolicies.roundRobin()).build();
            case FORK_JOIN_POOL:
                return new ForkJoinPool(threads);
            case FORK_JOIN_POOL_FIFO:
                return new ForkJoinPool(threads, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
            case THREAD_POOL_EXECUTOR:
                return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
            case THREAD_POOL_EXECUTOR_ARRAY:
                return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(ARRAY_QUEUE_CAPACITY));
            default:
                throw new IllegalArgumentException("unknown executor: " + kind);
        }
    }

    static void stop(ExecutorService executor) throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(executor + " did not terminate");
        }
    }
}
