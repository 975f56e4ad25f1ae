package io.github.loadstar.core;

import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import java.util.concurrent.TimeUnit;

/** Waits until every agent of a scheduler is parked (the scheduler is quiet). */
final class Parked {
    private Parked() {
    }

    /** Whether every agent parked within {@code seconds}. */
    static boolean all(Scheduler s, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (;;) {
            boolean all = true;
            for (AgentMetrics agent : s.metrics().agents()) {
                all &= agent.state() == AgentState.PARKED;
            }
            if (all) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(1);
        }
    }
}
