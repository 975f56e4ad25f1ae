package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * shutdownNow racing thieves of ordered backlogs: every task submitted to agent 0 is stolen in
 * batches by the others while shutdownNow takes every claim. A thief that has taken a batch must not
 * wait for its own claim (shutdownNow holds it for good and waits for the thief): it hands the batch
 * back. Each round must terminate, and every task be run or returned, exactly once.
 */
final class ShutdownNowRaceTest {
    private static final int ROUNDS = Boolean.getBoolean("loadstar.stress") ? 5_000 : 400;
    private static final int TASKS = 2_000;

    @Test
    void thievesHandTheirBatchBackWhenShutdownNowHoldsTheirClaim() throws InterruptedException {
        for (int round = 0; round < ROUNDS; round++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(TASKS);
            Scheduler scheduler = Scheduler.builder().name("race").agents(4).placementPolicy(AllOnAgentZero.INSTANCE)
                    .orderingPolicy(Policies.edf()).stealBatchLimit(8).build();
            for (int i = 0; i < TASKS; i++) {
                int id = i;
                scheduler.execute(() -> runs.incrementAndGet(id),
                        TaskOptions.builder().deadline(Duration.ofMillis(1 + (i % 50))).build());
            }
            LockSupport.parkNanos((round % 20) * 10_000L);      // stop at a different point each round
            List<Runnable> returned = scheduler.shutdownNow();
            if (!scheduler.awaitTermination(20, TimeUnit.SECONDS)) {
                fail("round " + round + " did not terminate: " + scheduler + "\n" + agentStacks());
            }
            for (Runnable r : returned) {
                r.run();        // run what was returned, so that each task ran exactly once overall
            }
            for (int i = 0; i < TASKS; i++) {
                assertEquals(1, runs.get(i), "round " + round + ": task " + i + " ran or was returned "
                        + runs.get(i) + " times");
            }
        }
    }

    /** The stacks of the scheduler's threads, for a round that hangs. */
    private static String agentStacks() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().startsWith("race")) {
                out.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
                for (StackTraceElement frame : e.getValue()) {
                    out.append("    at ").append(frame).append('\n');
                }
            }
        }
        return out.toString();
    }
}
