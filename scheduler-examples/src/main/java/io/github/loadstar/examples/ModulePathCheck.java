package io.github.loadstar.examples;

import io.github.loadstar.algorithms.breaker.CircuitBreaker;
import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import io.github.loadstar.algorithms.breaker.CircuitBreakerRegistry;
import io.github.loadstar.algorithms.breaker.CircuitBreakers;
import io.github.loadstar.algorithms.breaker.CircuitState;
import io.github.loadstar.algorithms.edf.EdfPolicy;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.OrderingPolicies;
import io.github.loadstar.core.spi.OrderingPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A smoke test for JPMS users: run it from the module path,
 * {@code java --module-path ... -m io.github.loadstar.examples/io.github.loadstar.examples.ModulePathCheck}.
 *
 * <p>It proves that it really runs as a named module, then builds a scheduler the way a modular
 * application would: the EDF ordering policy looked up by name (so {@link java.util.ServiceLoader}
 * must find scheduler-algorithms' provider through the module descriptors), a circuit breaker per
 * agent, and tasks submitted from outside and from inside running tasks (a recursive sum whose
 * splits are submitted by the tasks themselves), plus a few that fail on purpose. It checks every
 * result and the scheduler's metrics, prints one line starting with {@value #OK} and exits 0; on
 * any failure it prints the reason and exits 1. The queue flavour follows
 * {@code -Dloadstar.queues=unsafe|atomic}, so both of JCTools' flavours can be exercised on any JDK.
 */
public final class ModulePathCheck {
    /** The start of the line printed on success. */
    public static final String OK = "module-path check OK";

    private static final String NAME = "module-path-check";
    private static final int AGENTS = 2;
    private static final long RANGE = 200_000;
    private static final long CUTOFF = 1_000;
    private static final int OUTSIDE_TASKS = 300;
    private static final int FAILING_TASKS = 3;
    private static final long TIMEOUT_SECONDS = 60;

    private ModulePathCheck() {
    }

    public static void main(String[] args) {
        int status;
        try {
            System.out.println(OK + ": " + check());
            status = 0;
        } catch (Throwable t) {
            System.out.println("module-path check FAILED: " + t);
            t.printStackTrace(System.out);
            status = 1;
        }
        System.out.flush();
        // exit explicitly: a failed check may leave agent threads behind
        System.exit(status);
    }

    /** Runs every check; returns a summary, or throws on the first failure. */
    static String check() throws Exception {
        Module self = ModulePathCheck.class.getModule();
        require(self.isNamed() && self.getName().equals("io.github.loadstar.examples"),
                "not running as the named module io.github.loadstar.examples but in " + self);
        Module core = Scheduler.class.getModule();
        require(core.isNamed() && core.getName().equals("io.github.loadstar.core"),
                "Scheduler is not in the named module io.github.loadstar.core but in " + core);

        // the registry: fifo built in, the rest through ServiceLoader from scheduler-algorithms
        Set<String> names = OrderingPolicies.names();
        require(names.containsAll(List.of("fifo", "edf", "cfs", "wfq", "mlfq")),
                "OrderingPolicies.names() is " + names + "; ServiceLoader did not find scheduler-algorithms' providers");
        OrderingPolicy edf = OrderingPolicies.byName("edf");
        require(edf instanceof EdfPolicy, "OrderingPolicies.byName(\"edf\") returned " + edf);
        String policyModule = edf.getClass().getModule().getName();
        require("io.github.loadstar.algorithms".equals(policyModule), "the edf policy comes from module " + policyModule);

        // the allocators, through the same registry mechanism: a small batch placed by the genetic one
        Set<String> allocators = io.github.loadstar.core.allocation.Allocators.names();
        require(allocators.containsAll(List.of("genetic", "regret-greedy", "lpt", "round-robin")),
                "Allocators.names() is " + allocators + "; ServiceLoader did not find scheduler-algorithms' allocators");
        io.github.loadstar.core.allocation.AllocationProblem.Builder batch =
                io.github.loadstar.core.allocation.AllocationProblem.builder(3, 12);
        for (int j = 0; j < 12; j++) {
            batch.work(j, 1 + j % 5);
        }
        io.github.loadstar.core.allocation.Allocation placed = io.github.loadstar.core.allocation.Allocators.byName("genetic")
                .allocate(batch.build(), io.github.loadstar.core.allocation.AllocationRequest.builder()
                        .objective(io.github.loadstar.core.allocation.Objective.MAKESPAN).build());
        require(placed.found() && placed.evaluation().value(io.github.loadstar.core.allocation.Objective.MAKESPAN) == 11,
                "the genetic allocator on the module path: " + placed);

        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.builder().consecutiveFailureThreshold(50).build();
        long expectedSum = RANGE * (RANGE + 1) / 2;
        SchedulerMetrics metrics;
        int spawned;
        try (Scheduler scheduler = Scheduler.builder()
                .name(NAME)
                .agents(AGENTS)
                .orderingPolicy("edf")
                .agentBreakers(CircuitBreakers.perAgent(breakerConfig, breakers))
                .build()) {
            // tasks that submit tasks: a recursive sum of 1..RANGE
            RecursiveSum sum = new RecursiveSum(scheduler);
            CompletableFuture<Long> total = sum.start(1, RANGE);

            // tasks from outside, with deadlines and tenants
            List<TaskFuture<Long>> squares = new ArrayList<>();
            for (int i = 0; i < OUTSIDE_TASKS; i++) {
                long n = i;
                TaskOptions options = TaskOptions.builder()
                        .deadline(Duration.ofMillis(50 + i % 7 * 10))
                        .tenant(i % 2 == 0 ? "even" : "odd", 1 + i % 2)
                        .build();
                squares.add(scheduler.submit(() -> n * n, options));
            }
            // tasks that fail on purpose: each fails its own future, and counts on its agent's breaker
            List<TaskFuture<Object>> failing = new ArrayList<>();
            for (int i = 0; i < FAILING_TASKS; i++) {
                String message = "expected failure " + i;
                failing.add(scheduler.submit(() -> {
                    throw new IllegalStateException(message);
                }));
            }

            long actualSum = total.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            require(actualSum == expectedSum, "recursive sum " + actualSum + ", expected " + expectedSum);
            spawned = sum.spawned.get();
            require(spawned == sum.expectedTasks(1, RANGE) - 1,
                    spawned + " tasks spawned from inside tasks, expected " + (sum.expectedTasks(1, RANGE) - 1));
            for (int i = 0; i < OUTSIDE_TASKS; i++) {
                long square = squares.get(i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                require(square == (long) i * i, "task " + i + " returned " + square);
            }
            for (int i = 0; i < FAILING_TASKS; i++) {
                try {
                    failing.get(i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    throw new IllegalStateException("failing task " + i + " did not fail");
                } catch (ExecutionException expected) {
                    Throwable cause = expected.getCause();
                    require(cause instanceof IllegalStateException
                                    && ("expected failure " + i).equals(cause.getMessage()),
                            "failing task " + i + " failed with " + cause);
                }
            }

            scheduler.shutdown();
            require(scheduler.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the scheduler did not terminate");
            metrics = scheduler.metrics();
        }

        long tasks = spawned + 1 + OUTSIDE_TASKS + FAILING_TASKS;
        require(metrics.completed() == tasks, "metrics: " + metrics.completed() + " tasks ran, expected " + tasks);
        require(metrics.failed() == FAILING_TASKS, "metrics: " + metrics.failed() + " tasks failed, expected " + FAILING_TASKS);

        // one breaker per agent, registered by name, still closed after a few failures
        List<String> states = new ArrayList<>();
        for (AgentMetrics agent : metrics.agents()) {
            String breakerName = NAME + "-agent-" + agent.index();
            Optional<CircuitBreaker> breaker = breakers.find(breakerName);
            require(breaker.isPresent(), "no circuit breaker named " + breakerName + " in " + breakers.names());
            require(breaker.get().state() == CircuitState.CLOSED,
                    breakerName + " is " + breaker.get().state() + ", expected CLOSED");
            require("CLOSED".equals(agent.breakerState()), "agent " + agent.index() + " reports breaker " + agent.breakerState());
            states.add(agent.breakerState());
        }
        require(states.size() == AGENTS, "metrics list " + states.size() + " agents, expected " + AGENTS);

        return String.format("java %s, module %s, policy edf from %s, queues %s, %d agents with breakers %s,"
                        + " %d tasks (%d spawned inside tasks, %d failed as intended)",
                Runtime.version(), self.getName(), policyModule, System.getProperty("loadstar.queues", "default"),
                AGENTS, states, tasks, spawned, FAILING_TASKS);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    /** Sums [from, to] by splitting it; every split is submitted from inside the running task. */
    private static final class RecursiveSum {
        final Scheduler scheduler;
        final AtomicLong sum = new AtomicLong();
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger spawned = new AtomicInteger();
        final CompletableFuture<Long> done = new CompletableFuture<>();

        RecursiveSum(Scheduler scheduler) {
            this.scheduler = scheduler;
        }

        CompletableFuture<Long> start(long from, long to) {
            outstanding.set(1);
            scheduler.execute(() -> run(from, to));
            return done;
        }

        /** How many tasks summing [from, to] takes, the first included. */
        long expectedTasks(long from, long to) {
            if (to - from + 1 <= CUTOFF) {
                return 1;
            }
            long mid = (from + to) >>> 1;
            return 1 + expectedTasks(from, mid) + expectedTasks(mid + 1, to);
        }

        private void run(long from, long to) {
            try {
                if (to - from + 1 <= CUTOFF) {
                    long s = 0;
                    for (long i = from; i <= to; i++) {
                        s += i;
                    }
                    sum.addAndGet(s);
                } else {
                    long mid = (from + to) >>> 1;
                    outstanding.addAndGet(2);
                    spawned.addAndGet(2);
                    scheduler.execute(() -> run(from, mid));
                    scheduler.execute(() -> run(mid + 1, to));
                }
                if (outstanding.decrementAndGet() == 0) {
                    done.complete(sum.get());
                }
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }
    }
}
