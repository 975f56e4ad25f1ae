package io.github.loadstar.algorithms.breaker;

import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves by hand. Starts near Long.MAX_VALUE so that wrap-around is exercised too. */
final class VirtualClock implements NanoClock {
    private final AtomicLong now;

    VirtualClock() {
        this(Long.MAX_VALUE - 5_000_000_000L);
    }

    VirtualClock(long start) {
        this.now = new AtomicLong(start);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    void advance(long nanos) {
        now.addAndGet(nanos);
    }

    void advanceMillis(long millis) {
        advance(millis * 1_000_000L);
    }
}
