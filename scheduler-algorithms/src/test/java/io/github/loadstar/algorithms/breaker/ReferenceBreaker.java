package io.github.loadstar.algorithms.breaker;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * An obviously correct, single-threaded model of the breaker's specification, written from the
 * rules rather than from the implementation: a list of outcomes for the window, plain counters
 * for the rest. The property test runs it side by side with {@link CircuitBreaker}.
 */
final class ReferenceBreaker {
    private final CircuitBreakerConfig config;
    CircuitState state = CircuitState.CLOSED;
    long epoch = 1;
    private final ArrayDeque<long[]> outcomes = new ArrayDeque<>();    // {period or 0, failed, slow}
    private int consecutiveFailures;
    private long openUntil;
    private long halfOpenDeadline;
    private int consecutiveOpens;
    private int trialsStarted;
    private int trialsInFlight;
    private int trialSuccesses;
    int transitions;
    /** When the window began (the breaker closed): time buckets are counted from here. */
    private long windowOrigin;

    ReferenceBreaker(CircuitBreakerConfig config, long now) {
        this.config = config;
        this.windowOrigin = now;
    }

    /** Returns the permit's epoch (with the trial bit as the implementation encodes it), or -1. */
    long acquire(long now) {
        for (;;) {
            switch (state) {
                case CLOSED:
                    return epoch << 1;
                case OPEN:
                    if (now - openUntil > 0) {      // strictly after the open duration
                        toHalfOpen(now);
                        continue;
                    }
                    return -1;
                case HALF_OPEN:
                    if (now - halfOpenDeadline >= 0) {
                        toOpen(now);
                        continue;
                    }
                    if (trialsStarted < config.halfOpenMaxTrials()
                            && trialsInFlight < config.halfOpenMaxConcurrentTrials()) {
                        trialsStarted++;
                        trialsInFlight++;
                        return (epoch << 1) | 1;
                    }
                    return -1;
                default:
                    throw new AssertionError(state);
            }
        }
    }

    void outcome(long permit, long duration, boolean failure, long now) {
        if (permit >>> 1 != epoch) {
            return;     // stale: dropped
        }
        boolean slow = duration > config.slowCallDuration().toNanos();     // strictly longer
        if (state == CircuitState.CLOSED) {
            consecutiveFailures = failure ? consecutiveFailures + 1 : 0;
            long period = config.windowType() == CircuitBreakerConfig.WindowType.TIME_BASED
                    ? Math.floorDiv(now - windowOrigin, config.windowDuration().toNanos() / config.windowBuckets()) : 0;
            outcomes.addLast(new long[] {period, failure ? 1 : 0, slow ? 1 : 0});
            long calls = 0;
            long failures = 0;
            long slowCalls = 0;
            if (config.windowType() == CircuitBreakerConfig.WindowType.COUNT_BASED) {
                while (outcomes.size() > config.windowSize()) {
                    outcomes.removeFirst();
                }
            }
            for (Iterator<long[]> it = outcomes.iterator(); it.hasNext(); ) {
                long[] o = it.next();
                if (config.windowType() == CircuitBreakerConfig.WindowType.TIME_BASED
                        && o[0] <= period - config.windowBuckets()) {
                    continue;
                }
                calls++;
                failures += o[1];
                slowCalls += o[2];
            }
            // evaluated after every outcome, a success included
            boolean trip = config.consecutiveFailureThreshold() > 0
                    && consecutiveFailures >= config.consecutiveFailureThreshold();
            if (!trip && calls >= config.minimumNumberOfCalls()) {
                trip = 100.0 * failures / calls >= config.failureRateThreshold()
                        || 100.0 * slowCalls / calls >= config.slowCallRateThreshold();
            }
            if (trip) {
                toOpen(now);
            }
        } else if (state == CircuitState.HALF_OPEN && (permit & 1) == 1) {
            trialsInFlight--;
            if (failure || slow) {
                toOpen(now);
            } else if (++trialSuccesses == config.halfOpenSuccessThreshold()) {
                toClosed(now);
            }
        }
    }

    void release(long permit) {
        if (permit >>> 1 == epoch && (permit & 1) == 1 && state == CircuitState.HALF_OPEN) {
            trialsStarted--;
            trialsInFlight--;
        }
    }

    private void toOpen(long now) {
        consecutiveOpens = state == CircuitState.HALF_OPEN ? consecutiveOpens + 1 : 1;
        openUntil = now + config.openDuration().nanos(consecutiveOpens);
        state = CircuitState.OPEN;
        epoch++;
        transitions++;
    }

    private void toHalfOpen(long now) {
        state = CircuitState.HALF_OPEN;
        halfOpenDeadline = now + config.halfOpenTimeout().toNanos();
        trialsStarted = 0;
        trialsInFlight = 0;
        trialSuccesses = 0;
        epoch++;
        transitions++;
    }

    private void toClosed(long now) {
        state = CircuitState.CLOSED;
        windowOrigin = now;
        outcomes.clear();
        consecutiveFailures = 0;
        consecutiveOpens = 0;
        epoch++;
        transitions++;
    }
}
