package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.AgentBreaker;

/**
 * An agent's {@link AgentBreaker} as the runtime uses it: a call that throws is counted and
 * answered with a safe default, so a breaker's bug can neither kill the agent's thread nor leave
 * the runtime between two writes (a permit held, a transfer flagged).
 *
 * <ul>
 *   <li>{@code tryAcquire} threw: refused, as an open breaker refuses (the task goes to another
 *       agent, or waits if it is pinned here);</li>
 *   <li>{@code onSuccess}, {@code onFailure}, {@code release} threw: the outcome is dropped;</li>
 *   <li>{@code admitsWork} threw: admits (the next {@code tryAcquire} decides per task);</li>
 *   <li>{@code nanosUntilTrials} threw: one millisecond (a suspended agent asks again soon);</li>
 *   <li>{@code state} threw: {@code "UNKNOWN"}.</li>
 * </ul>
 * Registering the transition observer is not guarded: it happens while the scheduler is built,
 * where an exception fails the build.
 */
final class GuardedBreaker implements AgentBreaker {
    private final AgentBreaker breaker;
    private final StrategyFailures failures;

    GuardedBreaker(AgentBreaker breaker, StrategyFailures failures) {
        this.breaker = breaker;
        this.failures = failures;
    }

    @Override
    public long tryAcquire() {
        try {
            return breaker.tryAcquire();
        } catch (Throwable t) {
            failures.failed(StrategyFailures.BREAKER, "tryAcquire", "the task is refused, as by an open breaker", t);
            return NOT_PERMITTED;
        }
    }

    @Override
    public void onSuccess(long permit, long runNanos) {
        try {
            breaker.onSuccess(permit, runNanos);
        } catch (Throwable t) {
            failures.failed(StrategyFailures.BREAKER, "onSuccess", "the outcome is dropped", t);
        }
    }

    @Override
    public void onFailure(long permit, long runNanos, Throwable error) {
        try {
            breaker.onFailure(permit, runNanos, error);
        } catch (Throwable t) {
            failures.failed(StrategyFailures.BREAKER, "onFailure", "the outcome is dropped", t);
        }
    }

    @Override
    public void release(long permit) {
        try {
            breaker.release(permit);
        } catch (Throwable t) {
            failures.failed(StrategyFailures.BREAKER, "release", "the release is dropped", t);
        }
    }

    @Override
    public boolean admitsWork() {
        try {
            return breaker.admitsWork();
        } catch (Throwable t) {
            failures.failed(StrategyFailures.BREAKER, "admitsWork", "taken as admitting", t);
            return true;
        }
    }

    @Override
    public long nanosUntilTrials() {
        try {
            return breaker.nanosUntilTrials();
        } catch (Throwable t) {
            failures.failed(StrategyFailures.BREAKER, "nanosUntilTrials", "asked again in 1 ms", t);
            return 1_000_000L;
        }
    }

    @Override
    public String state() {
        try {
            return breaker.state();
        } catch (Throwable t) {
            failures.failed(StrategyFailures.BREAKER, "state", "reported as UNKNOWN", t);
            return "UNKNOWN";
        }
    }

    @Override
    public void onTransition(TransitionObserver observer) {
        breaker.onTransition(observer);
    }

    @Override
    public String toString() {
        return breaker.toString();
    }
}
