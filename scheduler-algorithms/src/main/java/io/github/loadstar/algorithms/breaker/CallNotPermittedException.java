package io.github.loadstar.algorithms.breaker;

/** A call was not permitted: the breaker is open, forced open, or out of half-open trials. */
public final class CallNotPermittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String breaker;
    private final CircuitState state;

    CallNotPermittedException(String breaker, CircuitState state) {
        super("circuit breaker '" + breaker + "' is " + state + " and does not permit the call", null, false, false);
        this.breaker = breaker;
        this.state = state;
    }

    /** The breaker's name. */
    public String breakerName() {
        return breaker;
    }

    /** Its state when it refused. */
    public CircuitState state() {
        return state;
    }
}
