package io.github.loadstar.bench;

import io.github.loadstar.core.Scheduler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The executors compared, each with the same number of worker threads. */
final class Executors {
    static final String LOADSTAR = "loadstar";
    static final String FORK_JOIN_POOL = "forkjoinpool";
    static final String FORK_JOIN_POOL_FIFO = "forkjoinpool-fifo";
    static final String THREAD_POOL_EXECUTOR = "threadpoolexecutor";

    private Executors() {
    }

    static ExecutorService create(String kind, int threads) {
        switch (kind) {
            case LOADSTAR:
                return Scheduler.builder().name("bench").agents(threads)
                        .spinRounds(Integer.getInteger("loadstar.spinRounds", 20)).build();
            case "loadstar-rr":
                return Scheduler.builder().name("bench").agents(threads)
                        .placementPolicy(io.github.loadstar.core.spi.PlacementPolicies.roundRobin()).build();
            case "loadstar-fixed":
                return Scheduler.builder().name("bench").agents(threads)
                        .placementPolicy(new io.github.loadstar.core.spi.PlacementPolicy() {
                            public int place(io.github.loadstar.core.TaskOptions o, io.github.loadstar.core.spi.AgentLoads l, int r) {
                                return (int) (Thread.currentThread().getId() % l.agentCount());
                            }
                            public String name() {
                                return "fixed";
                            }
                        }).build();
            case FORK_JOIN_POOL:
                // never the common pool
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
