package io.github.loadstar.algorithms.breaker;

/**
 * Receives a breaker's events, synchronously on the thread that caused them. Both methods default
 * to nothing. With no listener registered the breaker makes no call and builds no event.
 */
public interface CircuitBreakerListener {

    /** The breaker moved from {@code from} to {@code to}; exactly once per transition. */
    default void onStateTransition(CircuitBreaker breaker, CircuitState from, CircuitState to, String reason) {
    }

    /** A call was refused. */
    default void onCallNotPermitted(CircuitBreaker breaker, CircuitState state) {
    }
}
