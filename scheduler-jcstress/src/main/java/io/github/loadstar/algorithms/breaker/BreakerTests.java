package io.github.loadstar.algorithms.breaker;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The circuit breaker's permits and transitions under the Java memory model: half-open trial slots,
 * concurrent failures that reach the threshold, and an outcome reported under a permit of an earlier
 * state (its epoch) racing a transition. Breakers here log to nowhere (this file sits in the
 * breaker's package for that).
 */
public final class BreakerTests {
    private BreakerTests() {
    }

    static final TransitionLog.Sink SILENT = (warn, line) -> { };

    /** Counts transitions into OPEN. */
    static final class Openings implements CircuitBreakerListener {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void onStateTransition(CircuitBreaker breaker, CircuitState from, CircuitState to, String reason) {
            if (to == CircuitState.OPEN) {
                count.incrementAndGet();
            }
        }
    }

    /** One half-open trial allowed: two callers ask; exactly one gets it. */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the first caller got the trial")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the second caller got the trial")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "two trials where one is allowed")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "the one trial slot was lost")
    @State
    public static class HalfOpenTrialSlots {
        final CircuitBreaker breaker = CircuitBreaker.of("jcstress",
                CircuitBreakerConfig.builder().halfOpenTrials(1, 1).halfOpenSuccessThreshold(1).build(), SILENT);

        public HalfOpenTrialSlots() {
            breaker.transitionToHalfOpen();
        }

        @Actor
        public void first(II_Result r) {
            r.r1 = breaker.tryAcquirePermission() != CircuitBreaker.NOT_PERMITTED ? 1 : 0;
        }

        @Actor
        public void second(II_Result r) {
            r.r2 = breaker.tryAcquirePermission() != CircuitBreaker.NOT_PERMITTED ? 1 : 0;
        }
    }

    /**
     * A window of two calls, minimum two, 50 % failures: two callers fail at once. The breaker must
     * open, exactly once. r1: opened (1) or not; r2: transitions into OPEN; r3: refused afterwards.
     */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "opened once, and refuses")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "a failure lost (still closed), or two openings")
    @State
    public static class TwoFailuresReachTheThreshold {
        final Openings openings = new Openings();
        final CircuitBreaker breaker = CircuitBreaker.of("jcstress", CircuitBreakerConfig.builder()
                .countBasedWindow(2).minimumNumberOfCalls(2).failureRateThreshold(50).build(), SILENT);
        final long p1;
        final long p2;

        public TwoFailuresReachTheThreshold() {
            breaker.addListener(openings);
            p1 = breaker.tryAcquirePermission();
            p2 = breaker.tryAcquirePermission();
        }

        @Actor
        public void first() {
            breaker.onError(p1, 0, new IllegalStateException());
        }

        @Actor
        public void second() {
            breaker.onError(p2, 0, new IllegalStateException());
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r1 = breaker.state() == CircuitState.OPEN ? 1 : 0;
            r.r2 = openings.count.get();
            r.r3 = breaker.tryAcquirePermission() == CircuitBreaker.NOT_PERMITTED ? 1 : 0;
        }
    }

    /**
     * A failure reported under a CLOSED permit while an operator half-opens the breaker (a new
     * epoch): whichever comes first, the breaker ends HALF_OPEN — a failure that came first opened
     * it, and the transition followed; a failure that came second carries a permit of an earlier
     * epoch and must not count (with a window of one call at 100 %, counting it would reopen the
     * breaker). r1: the state at the end (1 CLOSED, 2 OPEN, 3 HALF_OPEN); r2: stale outcomes.
     */
    @JCStressTest
    @Outcome(id = "3, 0", expect = ACCEPTABLE, desc = "the failure came first and opened it; then the operator half-opened it")
    @Outcome(id = "3, 1", expect = ACCEPTABLE, desc = "the operator came first; the failure was stale and did not count")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "a stale failure counted in the new epoch, or a transition lost")
    @State
    public static class StaleOutcomeVersusTransition {
        final CircuitBreaker breaker = CircuitBreaker.of("jcstress", CircuitBreakerConfig.builder()
                .countBasedWindow(1).minimumNumberOfCalls(1).failureRateThreshold(100).build(), SILENT);
        final long permit = breaker.tryAcquirePermission();

        @Actor
        public void caller() {
            breaker.onError(permit, 0, new IllegalStateException());
        }

        @Actor
        public void operator() {
            breaker.transitionToHalfOpen();
        }

        @Arbiter
        public void outcome(II_Result r) {
            CircuitState state = breaker.state();
            r.r1 = state == CircuitState.CLOSED ? 1 : state == CircuitState.OPEN ? 2 : state == CircuitState.HALF_OPEN ? 3 : 0;
            r.r2 = (int) breaker.metrics().staleOutcomes();
        }
    }
}
