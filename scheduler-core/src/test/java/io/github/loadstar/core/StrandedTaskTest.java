package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.spi.StealPolicies;
import io.github.loadstar.core.spi.StealPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A task queued behind a task that waits for it (on a latch: a wait the scheduler cannot help
 * with) must be taken by another agent, whatever the steal policy: before an agent parks it looks
 * at every agent, not only at the victims its policy picks. A steal policy that looks at two random
 * agents used to miss the one agent holding the task on 16 or 64 agents, and the task stayed stuck
 * until the waiting task gave up.
 */
@Timeout(300)
final class StrandedTaskTest {
    private static final int TRIALS = 40;

    static List<Arguments> policies() {
        List<Arguments> cases = new ArrayList<>();
        for (int agents : new int[] {16, 64}) {
            cases.add(Arguments.of("threshold", StealPolicies.threshold(), agents));
            cases.add(Arguments.of("threshold(4)", StealPolicies.threshold(4), agents));
            cases.add(Arguments.of("random-stride", StealPolicies.randomStride(), agents));
            cases.add(Arguments.of("power-of-two-choices", StealPolicies.powerOfTwoChoices(), agents));
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} on {2} agents")
    @MethodSource("policies")
    void aTaskQueuedBehindItsWaiterIsTaken(String name, StealPolicy policy, int agents) throws Exception {
        try (Scheduler s = Scheduler.builder().agents(agents).stealPolicy(policy)
                .placementPolicy(AllOnAgentZero.INSTANCE).build()) {
            int stuck = 0;
            for (int trial = 0; trial < TRIALS; trial++) {
                Parked.all(s, 30);
                CountDownLatch dependency = new CountDownLatch(1);
                CountDownLatch waited = new CountDownLatch(1);
                long[] waitedNanos = new long[1];
                s.execute(() -> {
                    long t0 = System.nanoTime();
                    try {
                        dependency.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    waitedNanos[0] = System.nanoTime() - t0;
                    waited.countDown();
                });
                s.execute(dependency::countDown);     // queued on agent 0, behind its waiter
                assertTrue(waited.await(30, TimeUnit.SECONDS));
                if (dependency.getCount() != 0 || waitedNanos[0] > TimeUnit.MILLISECONDS.toNanos(2_000)) {
                    stuck++;
                }
            }
            assertEquals(0, stuck, "trials in which the queued task waited behind its waiter for 2 s or more");
        }
    }
}
