package io.github.loadstar.algorithms.breaker;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the circuit breaker (Lincheck): permits asked for, outcomes reported under a
 * permit of a given epoch, transitions by hand and reads of the state, from several threads, must
 * match some sequential run of the same breaker — each is one atomic step. The clock stands still:
 * an open breaker stays open until a transition by hand, so runs repeat.
 *
 * Model checking explores interleavings under sequential consistency (the memory-ordering
 * argument is the jcstress tests'); the stress mode runs real threads.
 */
@Param(name = "epoch", gen = IntGen.class, conf = "1:4")
public final class CircuitBreakerLincheckTest {
    private final CircuitBreaker breaker = CircuitBreaker.of("lincheck", CircuitBreakerConfig.builder()
            .countBasedWindow(4).minimumNumberOfCalls(2).failureRateThreshold(50)
            .halfOpenTrials(3, 2).halfOpenSuccessThreshold(1).clock(() -> 0L).build(), (warn, line) -> { });

    /**
     * A permit asked for; false if refused. In HALF_OPEN a permit takes a trial slot, as it would
     * for a call still running.
     */
    @Operation
    public boolean ask() {
        return breaker.tryAcquirePermission() != CircuitBreaker.NOT_PERMITTED;
    }

    /**
     * The outcome of a call made under the permit of epoch {@code epoch} (a trial's if {@code trial}):
     * a permit of another epoch than the breaker's must not count. Permits are made up here rather
     * than carried from {@link #ask()} — a call's permit and its outcome are two operations, and a
     * call as one operation is not linearizable by design (a call permitted before another call
     * opened the breaker ends after it, which no sequential run allows).
     */
    @Operation
    public void fail(@Param(name = "epoch") int epoch, boolean trial) {
        breaker.onError(((long) epoch << 1) | (trial ? 1 : 0), 0L, new IllegalStateException("failed"));
    }

    /** As {@link #fail}, for a call that succeeded. */
    @Operation
    public void succeed(@Param(name = "epoch") int epoch, boolean trial) {
        breaker.onSuccess(((long) epoch << 1) | (trial ? 1 : 0), 0L);
    }

    @Operation
    public void open() {
        breaker.transitionToOpen();
    }

    @Operation
    public void halfOpen() {
        breaker.transitionToHalfOpen();
    }

    @Operation
    public void close() {
        breaker.transitionToClosed();
    }

    @Operation
    public CircuitState state() {
        return breaker.state();
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions().iterations(20).invocationsPerIteration(300).threads(3).actorsPerThread(3)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(10).invocationsPerIteration(1_000).threads(3).actorsPerThread(3)
                .check(getClass());
    }
}
