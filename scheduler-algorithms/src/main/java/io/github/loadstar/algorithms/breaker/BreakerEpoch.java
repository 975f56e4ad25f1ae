package io.github.loadstar.algorithms.breaker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One stay of a {@link CircuitBreaker} in one state: immutable but for the counters of that stay
 * (the window and consecutive failures of a CLOSED or METRICS_ONLY stay, the trial counters of a
 * HALF_OPEN one). A transition replaces the whole epoch; see the design overview of CircuitBreaker.
 */
final class BreakerEpoch {
    /** 32 ints = 128 bytes: the padded consecutive-failure counter's index, with as much after it. */
    static final int CONSECUTIVE = 32;

    final CircuitState kind;
    final long number;
    final long enteredNanos;
    final long openUntilNanos;
    final long halfOpenDeadlineNanos;
    final int consecutiveOpens;
    final Window window;
    /**
     * The consecutive-failure count, alone on its cache lines at index {@link #CONSECUTIVE}:
     * failures write it and every success reads it, while every call reads this epoch's fields.
     */
    final AtomicIntegerArray consecutiveFailures;
    final AtomicLong trials;
    final AtomicInteger trialSuccesses;

    BreakerEpoch(CircuitState kind, long number, long enteredNanos, long openUntilNanos, long halfOpenDeadlineNanos,
                 int consecutiveOpens, Window window) {
        this.kind = kind;
        this.number = number;
        this.enteredNanos = enteredNanos;
        this.openUntilNanos = openUntilNanos;
        this.halfOpenDeadlineNanos = halfOpenDeadlineNanos;
        this.consecutiveOpens = consecutiveOpens;
        this.window = window;
        boolean measuring = kind == CircuitState.CLOSED || kind == CircuitState.METRICS_ONLY;
        this.consecutiveFailures = measuring ? new AtomicIntegerArray(2 * CONSECUTIVE) : null;
        this.trials = kind == CircuitState.HALF_OPEN ? new AtomicLong() : null;
        this.trialSuccesses = kind == CircuitState.HALF_OPEN ? new AtomicInteger() : null;
    }

    static BreakerEpoch closed(CircuitBreakerConfig config, long number, long now) {
        return new BreakerEpoch(CircuitState.CLOSED, number, now, 0, 0, 0, Window.create(config, now));
    }

    /** The open epoch after {@code from}: consecutive openings lengthen an exponential open duration. */
    static BreakerEpoch open(CircuitBreakerConfig config, BreakerEpoch from, long now) {
        int opens = from.kind == CircuitState.HALF_OPEN || from.kind == CircuitState.OPEN ? from.consecutiveOpens + 1 : 1;
        long until = now + config.openDuration().nanos(opens);
        return new BreakerEpoch(CircuitState.OPEN, from.number + 1, now, until, 0, opens, null);
    }

    static BreakerEpoch halfOpen(CircuitBreakerConfig config, BreakerEpoch from, long now) {
        return new BreakerEpoch(CircuitState.HALF_OPEN, from.number + 1, now, 0, now + config.halfOpenTimeoutNanos(),
                from.consecutiveOpens, null);
    }
}
