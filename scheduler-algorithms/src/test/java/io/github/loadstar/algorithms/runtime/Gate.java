package io.github.loadstar.algorithms.runtime;

import java.util.concurrent.CountDownLatch;

/** A task that holds its agent: it counts {@code started} down, then waits for {@code release}. */
final class Gate {
    private Gate() {
    }

    /** The task; an interrupt ends the wait and is kept on the thread. */
    static Runnable holdUntil(CountDownLatch started, CountDownLatch release) {
        return () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
