/**
 * Strategies for Loadstar's SPI: the ordering policies (EDF with admission control, CFS, WF2Q+
 * fair queuing, MLFQ), a lock-free circuit breaker, a deterministic policy simulator, and the
 * allocators (a memetic genetic algorithm and the baselines). Registered with
 * {@link java.util.ServiceLoader} under {@code edf}, {@code cfs}, {@code wfq} and {@code mlfq}.
 */
module io.github.loadstar.algorithms {
    requires transitive io.github.loadstar.core;
    requires org.slf4j;
    // optional: only the cp-sat allocator needs OR-Tools (an automatic module, named from its jar)
    requires static ortools.java;

    exports io.github.loadstar.algorithms;
    exports io.github.loadstar.algorithms.edf;
    exports io.github.loadstar.algorithms.cfs;
    exports io.github.loadstar.algorithms.wfq;
    exports io.github.loadstar.algorithms.mlfq;
    exports io.github.loadstar.algorithms.sim;
    exports io.github.loadstar.algorithms.breaker;
    exports io.github.loadstar.algorithms.allocation;

    provides io.github.loadstar.core.spi.OrderingPolicyProvider with
            io.github.loadstar.algorithms.internal.PolicyProviders.Edf,
            io.github.loadstar.algorithms.internal.PolicyProviders.Cfs,
            io.github.loadstar.algorithms.internal.PolicyProviders.Wfq,
            io.github.loadstar.algorithms.internal.PolicyProviders.Mlfq;
    provides io.github.loadstar.core.allocation.AllocatorProvider with
            io.github.loadstar.algorithms.internal.AllocatorProviders.Genetic,
            io.github.loadstar.algorithms.internal.AllocatorProviders.RegretGreedy,
            io.github.loadstar.algorithms.internal.AllocatorProviders.Lpt,
            io.github.loadstar.algorithms.internal.AllocatorProviders.RoundRobin,
            io.github.loadstar.algorithms.internal.AllocatorProviders.CpSat;
}
