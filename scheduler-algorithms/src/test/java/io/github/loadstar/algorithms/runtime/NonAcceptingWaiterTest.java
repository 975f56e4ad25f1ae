package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import io.github.loadstar.algorithms.breaker.CircuitBreakerRegistry;
import io.github.loadstar.algorithms.breaker.CircuitBreakers;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A task waits on a subtask it submitted while its agent takes no work: the agent is being removed,
 * or its circuit breaker is forced open. The subtask, queued on that agent, must still run — moved
 * to the agents that take work, or run by the waiter where its breaker allows — and the wait must
 * end; every task runs once and the scheduler still terminates. (Found by the soak: an agent being
 * removed, with a breaker, waited for ever on a subtask in its own inbox.)
 */
@Timeout(120)
final class NonAcceptingWaiterTest {

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String policy : new String[] {"fifo", "arrival", "edf", "cfs"}) {
            for (String why : new String[] {"removed", "forced open"}) {
                for (boolean breakers : new boolean[] {true, false}) {
                    for (boolean queuedBefore : new boolean[] {true, false}) {
                        if (breakers || why.equals("removed")) {
                            cases.add(Arguments.of(policy, why, breakers, queuedBefore));
                        }
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0}, agent {1}, breakers {2}, subtask queued before {3}")
    @MethodSource("cases")
    void theSubtaskRunsAndTheWaitEnds(String policy, String why, boolean withBreakers, boolean queuedBefore)
            throws Exception {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
        var builder = Scheduler.builder().name("waiter").agents(3).orderingPolicy(policy);
        if (withBreakers) {
            builder.agentBreakers(CircuitBreakers.perAgent(CircuitBreakerConfig.defaults(), registry));
        }
        Scheduler s = builder.build();
        try {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch submit = new CountDownLatch(1);
            CountDownLatch submitted = new CountDownLatch(1);
            CountDownLatch wait = new CountDownLatch(1);
            AtomicInteger childRuns = new AtomicInteger();
            TaskFuture<Integer> outer = s.submit(() -> {
                started.countDown();
                submit.await();
                // from agent 1's thread: the subtask is queued on agent 1 if it still takes work
                TaskFuture<Integer> child = s.submit(childRuns::incrementAndGet);
                submitted.countDown();
                wait.await();
                return child.get();
            }, TaskOptions.builder().pinnedTo(1).build());
            assertTrue(started.await(10, TimeUnit.SECONDS), "the outer task started");
            // a task pinned to agent 1 queued ahead of the subtask: under an ordering policy a pinned
            // task at the head of a backlog stops thieves, so only agent 1 itself can move the subtask
            AtomicInteger pinnedRuns = new AtomicInteger();
            TaskFuture<?> pinned = s.submit(pinnedRuns::incrementAndGet, TaskOptions.builder().pinnedTo(1).build());
            if (queuedBefore) {
                submit.countDown();
                assertTrue(submitted.await(10, TimeUnit.SECONDS), "the subtask was submitted");
            }
            if (why.equals("removed")) {
                s.removeAgent(1);
            } else {
                registry.circuitBreaker("waiter-agent-1").transitionToForcedOpen();
            }
            submit.countDown();
            wait.countDown();
            assertEquals(1, outer.get(30, TimeUnit.SECONDS), "the wait ended with the subtask's result");
            assertEquals(1, childRuns.get(), "the subtask ran once");
            if (withBreakers) {
                registry.circuitBreaker("waiter-agent-1").transitionToClosed();
            }
            pinned.get(30, TimeUnit.SECONDS);
            assertEquals(1, pinnedRuns.get(), "the pinned task ran once");
            // the scheduler still serves new work
            assertEquals(7, s.submit(() -> 7).get(10, TimeUnit.SECONDS));
            s.shutdown();
            assertTrue(s.awaitTermination(30, TimeUnit.SECONDS), "terminated: " + s.metrics());
        } finally {
            s.shutdownNow();
        }
    }
}
