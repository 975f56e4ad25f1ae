package io.github.loadstar.bench;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.spi.PlacementPolicies;
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
