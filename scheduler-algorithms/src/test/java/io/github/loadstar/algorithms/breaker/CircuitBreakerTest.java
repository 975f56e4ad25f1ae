package io.github.loadstar.algorithms.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every transition, for each trip rule and window type, on a virtual clock. */
final class CircuitBreakerTest {
    private static final long MS = 1_000_000L;

    private final VirtualClock clock = new VirtualClock();

    private CircuitBreakerConfig.Builder base() {
        return CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(0)
                .openDuration(Duration.ofMillis(100))
                .halfOpenTrials(4, 2)
                .halfOpenSuccessThreshold(2)
                .halfOpenTimeout(Duration.ofMillis(500));
    }

    /** Moves the clock just past the base open duration (100 ms): trials are due strictly after it. */
    private void pastOpenDuration() {
        clock.advance(100 * MS + 1);
    }

    private static void succeed(CircuitBreaker b, int n) {
        for (int i = 0; i < n; i++) {
            long p = b.tryAcquirePermission();
            assertNotEquals(CircuitBreaker.NOT_PERMITTED, p);
            b.onSuccess(p, MS);
        }
    }

    private static void fail(CircuitBreaker b, int n) {
        for (int i = 0; i < n; i++) {
            long p = b.tryAcquirePermission();
            assertNotEquals(CircuitBreaker.NOT_PERMITTED, p);
            b.onError(p, MS, new IOException("down"));
        }
    }

    /** Records transitions. */
    private static final class Transitions implements CircuitBreakerListener {
        final List<String> seen = new ArrayList<>();
        int refused;

        @Override
        public void onStateTransition(CircuitBreaker breaker, CircuitState from, CircuitState to, String reason) {
            seen.add(from + "->" + to);
        }

        @Override
        public void onCallNotPermitted(CircuitBreaker breaker, CircuitState state) {
            refused++;
        }
    }

    @Test
    void consecutiveFailuresOpenItAndASuccessResetsTheCount() {
        CircuitBreaker b = CircuitBreaker.of("c", base().consecutiveFailureThreshold(3).failureRateThreshold(100).build());
        fail(b, 2);
        succeed(b, 1);
        fail(b, 2);
        assertEquals(CircuitState.CLOSED, b.state(), "a success in between resets the count");
        fail(b, 1);
        assertEquals(CircuitState.OPEN, b.state());
    }

    @ParameterizedTest
    @EnumSource(CircuitBreakerConfig.WindowType.class)
    void theFailureRateOpensItOnlyOnceTheMinimumNumberOfCallsIsReached(CircuitBreakerConfig.WindowType type) {
        CircuitBreakerConfig.Builder cfg = base().failureRateThreshold(50).minimumNumberOfCalls(10);
        if (type == CircuitBreakerConfig.WindowType.COUNT_BASED) {
            cfg.countBasedWindow(10);
        } else {
            cfg.timeBasedWindow(Duration.ofSeconds(10), 10);
        }
        CircuitBreaker b = CircuitBreaker.of("rate", cfg.build());
        fail(b, 9);
        assertEquals(CircuitState.CLOSED, b.state(), "9 calls: below the minimum");
        assertEquals(-1f, b.metrics().failureRate(), "no rate below the minimum");
        succeed(b, 1);
        assertEquals(CircuitState.OPEN, b.state(), "90 % >= 50 % once 10 calls are in, whichever call brought them in");
    }

    @ParameterizedTest
    @EnumSource(CircuitBreakerConfig.WindowType.class)
    void aSuccessNeverOpensItBelowTheThreshold(CircuitBreakerConfig.WindowType type) {
        CircuitBreakerConfig.Builder cfg = base().failureRateThreshold(50).minimumNumberOfCalls(10);
        if (type == CircuitBreakerConfig.WindowType.COUNT_BASED) {
            cfg.countBasedWindow(10);
        } else {
            cfg.timeBasedWindow(Duration.ofSeconds(10), 10);
        }
        CircuitBreaker b = CircuitBreaker.of("below", cfg.build());
        fail(b, 4);
        succeed(b, 6);
        assertEquals(CircuitState.CLOSED, b.state(), "4 of 10 = 40 % < 50 %");
        assertEquals(40f, b.metrics().failureRate(), 1e-6);
    }

    /** One call: {@code true} if it was permitted (and then answered with the given outcome). */
    private static boolean call(CircuitBreaker b, boolean failure) {
        long p = b.tryAcquirePermission();
        if (p == CircuitBreaker.NOT_PERMITTED) {
            return false;
        }
        if (failure) {
            b.onError(p, MS, new IOException("down"));
        } else {
            b.onSuccess(p, MS);
        }
        return true;
    }

    @Test
    void aSuccessThatFillsTheWindowToTheMinimumStillEvaluatesTheRates() {
        CircuitBreaker b = CircuitBreaker.of("min-by-success", base().countBasedWindow(2).minimumNumberOfCalls(2)
                .failureRateThreshold(50).build());
        assertTrue(call(b, true));
        assertEquals(CircuitState.CLOSED, b.state(), "one call: below the minimum");
        assertTrue(call(b, false));
        assertEquals(CircuitState.OPEN, b.state(), "failure then success: 1 of 2 = 50 % >= 50 % (Resilience4j opens)");
        assertEquals(1, b.metrics().transitions());
    }

    @Test
    void withTheDefaultsAlternatingFailuresOpenItAtTheCallThatReachesTheMinimum() {
        CircuitBreaker b = CircuitBreaker.of("defaults", CircuitBreakerConfig.builder().clock(clock).build());
        List<Boolean> outcomes = new ArrayList<>();     // true: failure
        for (int i = 0; i < 10; i++) {
            outcomes.add(true);
            outcomes.add(false);
        }
        for (int i = 0; i < 80; i++) {
            outcomes.add(false);
        }
        int openedAfter = -1;
        int refused = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            if (!call(b, outcomes.get(i))) {
                refused++;
            }
            if (openedAfter < 0 && b.state() == CircuitState.OPEN) {
                openedAfter = i + 1;
            }
        }
        assertEquals(20, openedAfter, "10 failures in the 20 calls of the default minimum: 50 % >= 50 %");
        assertEquals(80, refused, "open for the default 60 s: the clock did not move");
        assertEquals(1, b.metrics().transitions());
    }

    @Test
    void theThresholdIsInclusive() {
        CircuitBreaker b = CircuitBreaker.of("inclusive", base().failureRateThreshold(50).countBasedWindow(4)
                .minimumNumberOfCalls(4).build());
        succeed(b, 2);
        fail(b, 1);
        assertEquals(CircuitState.CLOSED, b.state());
        fail(b, 1);
        assertEquals(CircuitState.OPEN, b.state(), "exactly 50 % trips a 50 % threshold");
    }

    @Test
    void aCountWindowForgetsOldCalls() {
        CircuitBreaker b = CircuitBreaker.of("count", base().failureRateThreshold(60).countBasedWindow(5)
                .minimumNumberOfCalls(5).build());
        fail(b, 2);
        succeed(b, 3);      // 2/5 = 40 %
        succeed(b, 2);      // the two failures slide out: 0/5
        fail(b, 2);         // 2/5
        assertEquals(CircuitState.CLOSED, b.state());
        assertEquals(40f, b.metrics().failureRate(), 1e-6);
        fail(b, 1);         // 3/5 = 60 %
        assertEquals(CircuitState.OPEN, b.state());
    }

    @Test
    void aTimeWindowForgetsOldBuckets() {
        CircuitBreaker b = CircuitBreaker.of("time", base().failureRateThreshold(50)
                .timeBasedWindow(Duration.ofSeconds(1), 10).minimumNumberOfCalls(4).build());
        fail(b, 3);
        clock.advanceMillis(1_500);         // the three failures are more than a window old
        succeed(b, 2);
        fail(b, 1);                         // 1/3 in the window, below the minimum anyway
        assertEquals(CircuitState.CLOSED, b.state());
        assertEquals(3, b.metrics().calls(), "only the recent calls count");
        fail(b, 1);                         // 2/4 = 50 %
        assertEquals(CircuitState.OPEN, b.state());
    }

    @Test
    void theSlowCallRateOpensIt() {
        CircuitBreaker b = CircuitBreaker.of("slow", base().slowCallRateThreshold(50).slowCallDuration(Duration.ofMillis(50))
                .countBasedWindow(4).minimumNumberOfCalls(4).failureRateThreshold(100).build());
        for (int i = 0; i < 3; i++) {
            long p = b.tryAcquirePermission();
            b.onSuccess(p, i == 0 ? 80 * MS : MS);
        }
        assertEquals(CircuitState.CLOSED, b.state());
        long p = b.tryAcquirePermission();
        b.onSuccess(p, 50 * MS + 1);        // just longer than the slow-call duration
        assertEquals(CircuitState.OPEN, b.state(), "2 of 4 calls slow");
    }

    /** Slow means strictly longer than slowCallDuration, as the docs say and as Resilience4j compares. */
    @Test
    void aCallLastingExactlyTheSlowCallDurationIsNotSlow() {
        CircuitBreaker b = CircuitBreaker.of("slow-boundary", base().slowCallRateThreshold(50)
                .slowCallDuration(Duration.ofMillis(50)).countBasedWindow(4).minimumNumberOfCalls(4)
                .failureRateThreshold(100).build());
        b.onSuccess(b.tryAcquirePermission(), 50 * MS);
        b.onSuccess(b.tryAcquirePermission(), 50 * MS);
        assertEquals(0, b.metrics().slowCalls(), "two calls of exactly 50 ms: not slow");
        b.onSuccess(b.tryAcquirePermission(), 50 * MS + 1);
        assertEquals(1, b.metrics().slowCalls(), "one nanosecond longer is slow");
        b.onSuccess(b.tryAcquirePermission(), 50 * MS);
        assertEquals(CircuitState.CLOSED, b.state(), "1 of 4 slow = 25 % < 50 %");
        b.onSuccess(b.tryAcquirePermission(), 50 * MS + 1);
        assertEquals(CircuitState.OPEN, b.state(), "the oldest call slid out: 2 of 4 slow = 50 %");
    }

    @Test
    void openRejectsUntilTheDurationThenHalfOpensLazilyOnTheNextCall() {
        Transitions t = new Transitions();
        CircuitBreaker b = CircuitBreaker.of("open", base().consecutiveFailureThreshold(1).build());
        b.addListener(t);
        fail(b, 1);
        assertEquals(CircuitState.OPEN, b.state());
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission());
        assertEquals(100 * MS + 1, b.nanosUntilTrials(), "trials are due strictly after the open duration");
        clock.advanceMillis(99);
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission());
        clock.advanceMillis(1);
        assertEquals(1, b.nanosUntilTrials());
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission(),
                "at exactly the open duration it still refuses (as Resilience4j: Instant.isAfter)");
        clock.advance(1);
        assertEquals(0, b.nanosUntilTrials());
        assertEquals(CircuitState.OPEN, b.state(), "no thread moves it: still OPEN until someone asks");
        assertNotEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission(), "nanosUntilTrials 0: the next call passes");
        assertEquals(CircuitState.HALF_OPEN, b.state());
        assertEquals(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN"), t.seen);
        assertEquals(3, t.refused);
        assertEquals(3, b.metrics().notPermittedCalls());
    }

    @Test
    void halfOpenBoundsTrialsInTotalAndAtOnceAndClosesAfterEnoughSuccesses() {
        Transitions t = new Transitions();
        CircuitBreaker b = CircuitBreaker.of("half", base().consecutiveFailureThreshold(1)
                .halfOpenTrials(3, 2).halfOpenSuccessThreshold(3).build());
        b.addListener(t);
        fail(b, 1);
        pastOpenDuration();
        long p1 = b.tryAcquirePermission();
        long p2 = b.tryAcquirePermission();
        assertNotEquals(CircuitBreaker.NOT_PERMITTED, p1);
        assertNotEquals(CircuitBreaker.NOT_PERMITTED, p2);
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission(), "two at once at most");
        b.onSuccess(p1, MS);
        long p3 = b.tryAcquirePermission();
        assertNotEquals(CircuitBreaker.NOT_PERMITTED, p3);
        b.onSuccess(p2, MS);
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission(), "three in total at most");
        assertEquals(CircuitState.HALF_OPEN, b.state());
        b.onSuccess(p3, MS);
        assertEquals(CircuitState.CLOSED, b.state());
        assertEquals(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED"), t.seen);
        assertEquals(0, b.metrics().calls(), "closing starts with an empty window");
    }

    @Test
    void aHalfOpenFailureOrSlowTrialReopensIt() {
        CircuitBreaker b = CircuitBreaker.of("reopen", base().consecutiveFailureThreshold(1)
                .slowCallDuration(Duration.ofMillis(30)).build());
        fail(b, 1);
        pastOpenDuration();
        long p = b.tryAcquirePermission();
        b.onError(p, MS, new IOException("still down"));
        assertEquals(CircuitState.OPEN, b.state());
        pastOpenDuration();
        p = b.tryAcquirePermission();
        b.onSuccess(p, 40 * MS);
        assertEquals(CircuitState.OPEN, b.state(), "a slow trial is not a success");
    }

    /**
     * Deliberately not Resilience4j's rule: a half-open trial is a probe, and one that succeeds
     * slowly is a failed probe that reopens the breaker at once, whatever the slow-call rate
     * threshold (Resilience4j would wait for its half-open window to fill and then judge by rate:
     * here 1 slow trial in 4 is 25 % &lt; 100 %, and it would close).
     */
    @Test
    void aSlowSuccessfulTrialReopensItAtOnceWhateverTheSlowCallRateThreshold() {
        Transitions t = new Transitions();
        CircuitBreaker b = CircuitBreaker.of("slow-trial", base().consecutiveFailureThreshold(1)
                .slowCallRateThreshold(100).slowCallDuration(Duration.ofMillis(30))
                .halfOpenTrials(4, 4).halfOpenSuccessThreshold(3).build());
        b.addListener(t);
        fail(b, 1);
        pastOpenDuration();
        b.onSuccess(b.tryAcquirePermission(), MS);
        assertEquals(CircuitState.HALF_OPEN, b.state());
        long slow = b.tryAcquirePermission();
        long pending = b.tryAcquirePermission();
        b.onSuccess(slow, 30 * MS + 1);
        assertEquals(CircuitState.OPEN, b.state(), "one slow trial reopens it, before the other trials finish");
        b.onSuccess(pending, MS);
        assertEquals(CircuitState.OPEN, b.state(), "the trial still in flight is stale");
        assertEquals(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN"), t.seen.subList(0, 3));
        pastOpenDuration();
        long exact = b.tryAcquirePermission();
        b.onSuccess(exact, 30 * MS);
        assertEquals(CircuitState.HALF_OPEN, b.state(), "exactly the slow-call duration is not slow, in half-open too");
    }

    @Test
    void halfOpenTrialsThatNeverFinishReopenItAtTheDeadline() {
        CircuitBreaker b = CircuitBreaker.of("deadline", base().consecutiveFailureThreshold(1).build());
        fail(b, 1);
        pastOpenDuration();
        long lost = b.tryAcquirePermission();       // its caller never reports back
        assertNotEquals(CircuitBreaker.NOT_PERMITTED, lost);
        clock.advanceMillis(499);
        b.tryAcquirePermission();
        assertEquals(CircuitState.HALF_OPEN, b.state());
        clock.advanceMillis(1);
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission());
        assertEquals(CircuitState.OPEN, b.state(), "no longer stuck half-open (Resilience4j #1389)");
        b.onSuccess(lost, MS);
        assertEquals(CircuitState.OPEN, b.state(), "the late outcome is stale");
        assertEquals(1, b.metrics().staleOutcomes());
    }

    @Test
    void anOutcomeFromAnEarlierStateNeverCountsAsATrial() {
        CircuitBreaker b = CircuitBreaker.of("epochs", base().consecutiveFailureThreshold(2)
                .halfOpenTrials(1, 1).halfOpenSuccessThreshold(1).build());
        long beforeOpening = b.tryAcquirePermission();      // a slow call admitted while CLOSED
        fail(b, 2);
        pastOpenDuration();
        long trial = b.tryAcquirePermission();
        assertEquals(CircuitState.HALF_OPEN, b.state());
        b.onSuccess(beforeOpening, MS);
        assertEquals(CircuitState.HALF_OPEN, b.state(), "Resilience4j #1090/#1432: a CLOSED-era success closed it");
        b.onSuccess(trial, MS);
        assertEquals(CircuitState.CLOSED, b.state());
    }

    @Test
    void releasingATrialGivesItsSlotBack() {
        CircuitBreaker b = CircuitBreaker.of("release", base().consecutiveFailureThreshold(1)
                .halfOpenTrials(1, 1).halfOpenSuccessThreshold(1).build());
        fail(b, 1);
        pastOpenDuration();
        long p = b.tryAcquirePermission();
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission());
        b.releasePermission(p);
        long again = b.tryAcquirePermission();
        assertNotEquals(CircuitBreaker.NOT_PERMITTED, again);
        b.onSuccess(again, MS);
        assertEquals(CircuitState.CLOSED, b.state());
    }

    @Test
    void exponentialOpenDurationsGrowWithEachReopeningAndResetWhenClosed() {
        CircuitBreaker b = CircuitBreaker.of("backoff", base().consecutiveFailureThreshold(1).halfOpenTrials(1, 1)
                .halfOpenSuccessThreshold(1).openDuration(OpenDuration.exponential(Duration.ofMillis(10), 3,
                        Duration.ofMillis(200), 0)).build());
        fail(b, 1);
        long[] expected = {10, 30, 90, 200, 200};
        for (long ms : expected) {
            assertEquals(ms * MS + 1, b.nanosUntilTrials(), "open for " + ms + " ms");
            clock.advance(ms * MS + 1);
            long trial = b.tryAcquirePermission();
            b.onError(trial, MS, new IOException("still down"));
        }
        clock.advance(200 * MS + 1);
        b.onSuccess(b.tryAcquirePermission(), MS);
        assertEquals(CircuitState.CLOSED, b.state());
        fail(b, 1);
        assertEquals(10 * MS + 1, b.nanosUntilTrials(), "the backoff restarts after closing");
    }

    @Test
    void jitterStaysWithinItsBandAndIsReproducibleWithASeededSource() {
        Random seeded = new Random(1);
        OpenDuration d = OpenDuration.exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(10), 0.25,
                seeded::nextDouble);
        Random again = new Random(1);
        OpenDuration same = OpenDuration.exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(10), 0.25,
                again::nextDouble);
        for (int opens = 1; opens <= 6; opens++) {
            long base = Math.min(100L << (opens - 1), 10_000) * MS;
            long v = d.nanos(opens);
            assertTrue(v >= base * 0.75 - 1 && v <= base * 1.25 + 1, opens + ": " + v);
            assertEquals(v, same.nanos(opens));
        }
    }

    @Test
    void ignoredExceptionsCountNeitherWayAndPredicatesClassifyResults() {
        CircuitBreaker b = CircuitBreaker.of("predicates", base().consecutiveFailureThreshold(2)
                .recordException(e -> e instanceof IOException)
                .ignoreException(e -> e instanceof IllegalArgumentException)
                .recordResult(r -> "error".equals(r)).build());
        long p = b.tryAcquirePermission();
        b.onError(p, MS, new IllegalStateException("not recorded: counts as a success"));
        p = b.tryAcquirePermission();
        b.onError(p, MS, new IOException("recorded"));
        p = b.tryAcquirePermission();
        b.onError(p, MS, new IllegalArgumentException("ignored"));
        assertEquals(CircuitState.CLOSED, b.state(), "the ignored one neither broke nor continued the run");
        assertEquals(1, b.metrics().ignoredErrors());
        p = b.tryAcquirePermission();
        b.onResult(p, MS, "error");
        assertEquals(CircuitState.OPEN, b.state(), "two recorded failures in a row");
    }

    @Test
    void executeAndRunRecordOutcomesAndRefuseWhenOpen() throws Exception {
        CircuitBreaker b = CircuitBreaker.of("exec", base().consecutiveFailureThreshold(2).build());
        assertEquals("ok", b.execute(() -> "ok"));
        IOException thrown = assertThrows(IOException.class, () -> b.execute(() -> {
            throw new IOException("first");
        }));
        assertEquals("first", thrown.getMessage());
        assertThrows(IllegalStateException.class, () -> b.run(() -> {
            throw new IllegalStateException("second");
        }));
        assertEquals(CircuitState.OPEN, b.state());
        CallNotPermittedException refused = assertThrows(CallNotPermittedException.class, () -> b.execute(() -> "x"));
        assertEquals("exec", refused.breakerName());
        assertEquals(CircuitState.OPEN, refused.state());
        assertTrue(refused.getMessage().contains("exec") && refused.getMessage().contains("OPEN"));
    }

    @Test
    void theSpecialStatesBehaveAsNamed() {
        CircuitBreaker b = CircuitBreaker.of("special", base().consecutiveFailureThreshold(1).build());
        b.transitionToDisabled();
        fail(b, 10);
        assertEquals(CircuitState.DISABLED, b.state(), "disabled never trips");
        assertEquals(0, b.metrics().calls(), "and measures nothing");
        b.transitionToMetricsOnly();
        fail(b, 10);
        assertEquals(CircuitState.METRICS_ONLY, b.state(), "metrics-only never trips");
        assertEquals(10, b.metrics().failedCalls(), "but measures");
        b.transitionToForcedOpen();
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission());
        clock.advanceMillis(10_000);
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission(), "forced open never half-opens by itself");
        assertEquals(Long.MAX_VALUE, b.nanosUntilTrials());
        b.reset();
        assertEquals(CircuitState.CLOSED, b.state());
        succeed(b, 1);
        b.transitionToOpen();
        assertEquals(CircuitState.OPEN, b.state());
        b.transitionToHalfOpen();
        assertEquals(CircuitState.HALF_OPEN, b.state());
        b.transitionToClosed();
        assertEquals(CircuitState.CLOSED, b.state());
    }

    @Test
    void aPermitMustBeAPermit() {
        CircuitBreaker b = CircuitBreaker.ofDefaults("permits");
        assertThrows(IllegalArgumentException.class, () -> b.onSuccess(CircuitBreaker.NOT_PERMITTED, MS));
        assertThrows(NullPointerException.class, () -> b.onError(b.tryAcquirePermission(), MS, null));
    }

    @Test
    void theRegistryGivesOneBreakerPerNameAndNamedConfigs() {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(base().build());
        CircuitBreaker a = registry.circuitBreaker("a");
        assertSame(a, registry.circuitBreaker("a"));
        assertSame(a, registry.circuitBreaker("a", CircuitBreakerConfig.defaults()), "an existing breaker keeps its config");
        registry.addConfiguration("strict", base().consecutiveFailureThreshold(1).build());
        assertEquals(1, registry.circuitBreaker("b", "strict").config().consecutiveFailureThreshold());
        assertThrows(IllegalStateException.class, () -> registry.addConfiguration("strict", CircuitBreakerConfig.defaults()));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> registry.circuitBreaker("c", "lax"));
        assertTrue(unknown.getMessage().contains("lax") && unknown.getMessage().contains("strict"));
        assertEquals(java.util.Set.of("a", "b"), registry.names());
        assertTrue(registry.find("a").isPresent());
        assertSame(a, registry.remove("a").orElseThrow());
        assertFalse(registry.find("a").isPresent());
    }

    @Test
    void badConfigurationIsRejectedNamingTheParameter() {
        String[][] cases = {
            {"failureRateThreshold", "0"}, {"failureRateThreshold", "101"}, {"slowCallRateThreshold", "-1"},
            {"consecutiveFailureThreshold", "-1"}, {"windowSize", "0"}, {"minimumNumberOfCalls", "0"},
            {"halfOpenMaxTrials", "0"}, {"halfOpenSuccessThreshold", "0"}, {"windowBuckets", "0"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> apply(c[0], c[1]), c[0]);
            assertTrue(e.getMessage().contains(c[0]), c[0] + ": " + e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> CircuitBreakerConfig.builder().slowCallDuration(null));
        assertThrows(IllegalArgumentException.class, () -> CircuitBreakerConfig.builder().slowCallDuration(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> CircuitBreakerConfig.builder().halfOpenTrials(2, 3),
                "more concurrent than total trials");
        assertThrows(IllegalStateException.class, () -> CircuitBreakerConfig.builder().halfOpenTrials(2, 1)
                .halfOpenSuccessThreshold(3).build(), "could never close");
        assertThrows(IllegalStateException.class, () -> CircuitBreakerConfig.builder().countBasedWindow(5)
                .minimumNumberOfCalls(6).build(), "rates could never be evaluated");
        assertThrows(IllegalArgumentException.class, () -> CircuitBreakerConfig.builder()
                .timeBasedWindow(Duration.ofMillis(10), 20), "buckets shorter than 1 ms");
        assertThrows(IllegalArgumentException.class, () -> OpenDuration.exponential(Duration.ofSeconds(2), 2,
                Duration.ofSeconds(1), 0), "max below initial");
        assertThrows(IllegalArgumentException.class, () -> OpenDuration.exponential(Duration.ofSeconds(1), 0.5,
                Duration.ofSeconds(2), 0), "shrinking multiplier");
        assertThrows(IllegalArgumentException.class, () -> OpenDuration.exponential(Duration.ofSeconds(1), 2,
                Duration.ofSeconds(2), 1), "jitter of 100 %");
    }

    private static void apply(String parameter, String value) {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder();
        int v = Integer.parseInt(value);
        switch (parameter) {
            case "failureRateThreshold":
                b.failureRateThreshold(v);
                break;
            case "slowCallRateThreshold":
                b.slowCallRateThreshold(v);
                break;
            case "consecutiveFailureThreshold":
                b.consecutiveFailureThreshold(v);
                break;
            case "windowSize":
                b.countBasedWindow(v);
                break;
            case "minimumNumberOfCalls":
                b.minimumNumberOfCalls(v);
                break;
            case "halfOpenMaxTrials":
                b.halfOpenTrials(v, 1);
                break;
            case "halfOpenSuccessThreshold":
                b.halfOpenSuccessThreshold(v);
                break;
            case "windowBuckets":
                b.timeBasedWindow(Duration.ofSeconds(1), v);
                break;
            default:
                throw new AssertionError(parameter);
        }
    }
}
