package io.github.loadstar.algorithms.breaker;

/** The states of a {@link CircuitBreaker}. */
public enum CircuitState {
    /** Calls pass and are measured; a trip rule opens the breaker. */
    CLOSED,
    /** Calls are rejected until strictly more than the open duration has passed; then the next call half-opens it. */
    OPEN,
    /** A bounded number of trial calls pass; enough successes close it, a failure or a slow trial reopens it. */
    HALF_OPEN,
    /** Every call passes and nothing is measured (set by hand). */
    DISABLED,
    /** Every call is rejected (set by hand). */
    FORCED_OPEN,
    /** Calls pass and are measured, but it never trips (set by hand). */
    METRICS_ONLY
}
