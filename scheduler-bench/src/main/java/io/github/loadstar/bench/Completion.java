package io.github.loadstar.bench;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts finished tasks without a contended write (a LongAdder cell per core), and lets the
 * benchmark thread wait for a target without burning a core the workers need: it polls the sum
 * and parks for 10 µs between polls. Every executor pays the same for it.
 */
final class Completion {
    private final LongAdder done = new LongAdder();

    void increment() {
        done.increment();
    }

    void reset() {
        done.reset();
    }

    void await(long target) {
        int spins = 0;
        while (done.sum() < target) {
            if (++spins < 64) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(10_000L);
            }
        }
    }
}
