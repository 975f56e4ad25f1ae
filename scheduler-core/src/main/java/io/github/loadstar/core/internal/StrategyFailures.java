package io.github.loadstar.core.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a strategy's exception goes: a user's placement, steal or ordering policy, agent breaker
 * or idle strategy threw, and the runtime answered the call with a safe default instead. Each
 * failure is counted ({@code metrics().strategyErrors()}); the first of each kind is logged, so a
 * strategy that throws on every call cannot flood the log.
 *
 * <p>Callers catch {@link Throwable} around the strategy call only, so no runtime state (a control
 * count, a claim, a transfer flag, a permit) is ever between two writes when the exception arrives.
 */
final class StrategyFailures {
    /** The kinds of strategy, one bit each in {@link #logged}. */
    static final int PLACEMENT = 0;
    static final int STEAL = 1;
    static final int ORDERING = 2;
    static final int BREAKER = 3;
    static final int IDLE = 4;
    static final int REBALANCE = 5;
    private static final String[] KINDS = {"placement policy", "steal policy", "ordering policy",
        "agent breaker", "idle strategy", "rebalance policy"};

    private static final Logger LOG = LoggerFactory.getLogger(StrategyFailures.class);

    private final String scheduler;
    private final LongAdder count = new LongAdder();
    private final AtomicInteger logged = new AtomicInteger();

    StrategyFailures(String scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Counts a failure of a strategy of {@code kind} in {@code call}; logs it if it is the first of
     * its kind. Never throws.
     */
    void failed(int kind, String call, String fallback, Throwable error) {
        count.increment();
        int bit = 1 << kind;
        for (;;) {
            int seen = logged.get();
            if ((seen & bit) != 0) {
                return;
            }
            if (logged.compareAndSet(seen, seen | bit)) {
                break;
            }
        }
        try {
            LOG.warn("scheduler {}: the {} threw in {}; {} (logged once per kind; counted in "
                    + "metrics().strategyErrors())", scheduler, KINDS[kind], call, fallback, error);
        } catch (Throwable ignored) {
            // a broken logging binding must not take the agent down either
        }
    }

    long count() {
        return count.sum();
    }
}
