package io.github.loadstar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.algorithms.breaker.CircuitBreaker;
import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import io.github.loadstar.algorithms.breaker.CircuitState;
import io.github.loadstar.algorithms.breaker.NanoClock;
import io.github.loadstar.algorithms.breaker.OpenDuration;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Loadstar's circuit breaker against Resilience4j (2.4.0; written against 2.3.0) itself: the same configuration, one virtual
 * clock driving both, seeded random call sequences, and after every call the same permit or refusal
 * and the same state.
 *
 * <p>Configuration shared by both: a count-based window (1–20 calls) with a minimum number of calls
 * (1 – window), failure-rate and slow-call-rate thresholds, a slow-call duration of 10 ms, a fixed or
 * exponential open duration in whole milliseconds, and n half-open trials (n in total; Loadstar's
 * concurrency cap is set to n, so it never binds; n = 1 with exponential open durations, see
 * {@code randomSetup}). Loadstar's consecutive-failure rule is off
 * (Resilience4j has none). Resilience4j's half-open has no deadline without a timer thread, so
 * Loadstar's is a day and no sequence lasts that long.
 *
 * <p>Calls: answered at once with a success or a failure lasting 1 ms, exactly 10 ms (the slow-call
 * boundary), 10 ms + 1 ns or 30 ms; or released (not made); or taken in bursts of several permits
 * held at once and answered one by one. The clock moves by random amounts, and also to exactly the
 * end of an open duration and one nanosecond past it. Where the two agree by design (CLOSED, OPEN,
 * the slow-call and open-duration boundaries, which Loadstar matches) nothing is modelled: every
 * decision and state must be equal.
 *
 * <p>Two documented differences are modelled explicitly, not skipped:
 * <ul>
 *   <li><b>Half-open rule.</b> Loadstar: {@code halfOpenSuccessThreshold} (K) clean trials close it,
 *       and the first bad trial (a failure, or a success slower than the slow-call duration)
 *       reopens it at once. Resilience4j: it waits for m = min(minimumNumberOfCalls, n) trial
 *       outcomes and then opens if either rate is at or over its threshold, else closes. The test
 *       computes both rules from the trial outcomes, asserts that each breaker follows its own rule
 *       after every trial, and where the rules differ brings Resilience4j to Loadstar's state with
 *       its own transition methods ({@code transitionToOpenState} / {@code transitionToClosedState},
 *       which count backoff attempts as its own transitions do) and counts the case. Configurations
 *       have K ≤ m, so Loadstar always decides no later than Resilience4j (with K &gt; m
 *       Resilience4j would leave half-open first, and a half-open stay cannot be restored in it).</li>
 *   <li><b>Epochs.</b> An outcome of a permit taken before the breaker changed state is dropped by
 *       Loadstar (counted as stale) and recorded against the new state by Resilience4j (its issues
 *       #1090, #1432). Such late outcomes are given to Loadstar only, which must drop them.</li>
 * </ul>
 * Each modelled case and each boundary must actually occur, or the test fails.
 */
final class CircuitBreakerDifferentialTest {
    private static final long MS = 1_000_000L;
    private static final long SLOW = 10 * MS;
    private static final int SEQUENCES = Boolean.getBoolean("loadstar.stress") ? 50_000 : 5_000;
    private static final int STEPS = 250;
    /** Prints every step of a replayed sequence. */
    private static final boolean DEBUG = Boolean.getBoolean("loadstar.differential.debug");

    /** One clock for both: Loadstar reads {@link #nanoTime}, Resilience4j reads {@link #instant}. */
    static final class VirtualClock extends Clock implements NanoClock {
        private long now;

        VirtualClock(long start) {
            this.now = start;
        }

        void advance(long nanos) {
            now += nanos;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(0, now);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** What the sequences exercised, summed over all of them. */
    enum Seen {
        CALLS, REFUSALS, TRANSITIONS,
        /** A call of exactly the slow-call duration (not slow on either side). */
        EXACTLY_SLOW_CALL_DURATION,
        /** A call refused at exactly the end of the open duration (both refuse), then one 1 ns later. */
        EXACTLY_OPEN_DURATION,
        /** A fast success brought the CLOSED window to the minimum and the rates opened both. */
        OPENED_BY_A_SUCCESS,
        /** Modelled: Loadstar reopened on a bad trial before Resilience4j's half-open window filled. */
        HALF_OPEN_BAD_TRIAL_BEFORE_WINDOW_FULL,
        /** Modelled: Loadstar closed after K clean trials before Resilience4j's window filled. */
        HALF_OPEN_CLOSED_BEFORE_WINDOW_FULL,
        /** Modelled: the window filled with a bad trial whose rates stay under the thresholds. */
        HALF_OPEN_BAD_TRIAL_UNDER_THRESHOLD,
        /** Modelled, and a sub-case of the above two: the bad trial was a slow success. */
        HALF_OPEN_SLOW_SUCCESS_REOPENED,
        /** Modelled: a late outcome, dropped by Loadstar (stale) and not given to Resilience4j. */
        LATE_OUTCOME
    }

    private enum Kind { SUCCESS, FAILURE, RELEASE }

    private record Outcome(Kind kind, long duration) {
        boolean slow() {
            return kind != Kind.RELEASE && duration > SLOW;
        }

        boolean bad() {
            return kind == Kind.FAILURE || slow();
        }
    }

    /** A permit held by both sides: Loadstar's permit and the state stay it was taken in. */
    private record Held(long permit, int stay) {
    }

    private record Setup(CircuitBreakerConfig loadstar, io.github.resilience4j.circuitbreaker.CircuitBreakerConfig peer,
                         int trials, int halfOpenWindow, int successes, float failureRate, float slowRate,
                         String text) {
    }

    @Test
    void loadstarDecidesAsResilience4jDoesOnRandomSequences() {
        Map<Seen, Long> seen = new EnumMap<>(Seen.class);
        for (Seen s : Seen.values()) {
            seen.put(s, 0L);
        }
        long start = System.nanoTime();
        String only = System.getProperty("loadstar.differential.seed");    // rerun one failing sequence
        if (only != null) {
            new Run(Long.parseLong(only), seen, true).run();
            return;
        }
        for (int sequence = 0; sequence < SEQUENCES; sequence++) {
            long seed = 0xD1FFL * 1_000_003L + sequence;
            try {
                new Run(seed, seen, false).run();
            } catch (AssertionError failed) {
                // sequences are deterministic: replay this one with its history recorded, so the
                // failure names the operations that led to it
                new Run(seed, new EnumMap<>(Seen.class), true).run();
                throw failed;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("CircuitBreakerDifferentialTest: " + SEQUENCES + " sequences of " + STEPS + " steps in "
                + millis + " ms: " + seen);
        for (Seen s : Seen.values()) {
            assertTrue(seen.get(s) > 0, "never exercised: " + s + " " + seen);
        }
    }

    private static Setup randomSetup(SplittableRandom r, VirtualClock clock) {
        int window = 1 + r.nextInt(20);
        int minimum = 1 + r.nextInt(window);
        float failureRate = new float[] {10, 20, 25, 34, 50, 60, 75, 100}[r.nextInt(8)];
        float slowRate = new float[] {20, 34, 50, 80, 100}[r.nextInt(5)];
        boolean exponential = r.nextBoolean();
        // With an exponential open duration, one trial per half-open stay: the two half-open rules
        // then agree (one outcome decides both), so no modelled alignment is needed. An alignment
        // after Resilience4j closed by rate where Loadstar reopened would restart Resilience4j's
        // backoff count (transitionToOpenState from CLOSED is its first opening), which no public
        // method restores.
        int trials = exponential ? 1 : 1 + r.nextInt(5);
        int halfOpenWindow = Math.min(minimum, trials);
        int successes = 1 + r.nextInt(halfOpenWindow);
        CircuitBreakerConfig.Builder loadstar = CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(0)
                .countBasedWindow(window).minimumNumberOfCalls(minimum)
                .failureRateThreshold(failureRate).slowCallRateThreshold(slowRate)
                .slowCallDuration(Duration.ofNanos(SLOW))
                .halfOpenTrials(trials, trials).halfOpenSuccessThreshold(successes)
                .halfOpenTimeout(Duration.ofDays(1));
        io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.Builder peer =
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom().clock(clock)
                        .slidingWindow(window, minimum, SlidingWindowType.COUNT_BASED,
                                SlidingWindowSynchronizationStrategy.SYNCHRONIZED)
                        .failureRateThreshold(failureRate).slowCallRateThreshold(slowRate)
                        .slowCallDurationThreshold(Duration.ofNanos(SLOW))
                        .permittedNumberOfCallsInHalfOpenState(trials)
                        .automaticTransitionFromOpenToHalfOpenEnabled(false);
        String open;
        if (!exponential) {
            long ms = 1 + r.nextInt(200);
            loadstar.openDuration(Duration.ofMillis(ms));
            peer.waitDurationInOpenState(Duration.ofMillis(ms));
            open = "fixed " + ms + " ms";
        } else {
            long initial = 1 + r.nextInt(50);
            int multiplier = 2 + r.nextInt(2);
            long max = initial * (1 + r.nextInt(20));
            loadstar.openDuration(OpenDuration.exponential(Duration.ofMillis(initial), multiplier, Duration.ofMillis(max), 0));
            peer.waitIntervalFunctionInOpenState(IntervalFunction.ofExponentialBackoff(initial, multiplier, max));
            open = "exponential " + initial + " ms x" + multiplier + " up to " + max + " ms";
        }
        String text = "window " + window + ", minimum " + minimum + ", failure rate " + failureRate + " %, slow rate "
                + slowRate + " %, open " + open + ", half-open trials " + trials + " (window " + halfOpenWindow
                + "), successes " + successes;
        return new Setup(loadstar.build(), peer.build(), trials, halfOpenWindow, successes, failureRate, slowRate, text);
    }

    /** One seeded sequence. */
    private static final class Run {
        private final long seed;
        private final Map<Seen, Long> seen;
        private final SplittableRandom r;
        private final VirtualClock clock;
        private final Setup setup;
        private final CircuitBreaker loadstar;
        private final io.github.resilience4j.circuitbreaker.CircuitBreaker peer;
        private final ArrayDeque<String> history = new ArrayDeque<>();
        private int step;
        /** Both breakers' common state, and a number that changes with every transition. */
        private CircuitState state = CircuitState.CLOSED;
        private int stay;
        /** The current half-open stay's trial outcomes. */
        private int trialOutcomes;
        private int trialFailures;
        private int trialSlow;
        private int cleanTrials;

        /** Whether to keep the last operations for the failure message (a replay). */
        private final boolean record;

        Run(long seed, Map<Seen, Long> seen, boolean record) {
            this.record = record;
            this.seed = seed;
            this.seen = seen;
            this.r = new SplittableRandom(seed);
            this.clock = new VirtualClock(1_700_000_000_000_000_000L + r.nextLong(1L << 40));
            this.setup = randomSetup(r, clock);
            this.loadstar = CircuitBreaker.of("loadstar", setup.loadstar());
            this.peer = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("resilience4j", setup.peer());
        }

        void run() {
            for (step = 0; step < STEPS; step++) {
                int op = r.nextInt(100);
                if (op < 60) {
                    Held h = acquire();
                    if (h != null) {
                        answer(h, randomOutcome(r.nextInt(10) == 0));
                    }
                } else if (op < 70) {
                    burst();
                } else if (op < 80 && state == CircuitState.OPEN) {
                    toTheEndOfTheOpenDuration();
                } else {
                    long by = r.nextBoolean() ? (1 + r.nextInt(100)) * MS : r.nextLong(150 * MS);
                    if (record) {
                        note("advance " + by + " ns");
                    }
                    clock.advance(by);
                }
            }
        }

        private Outcome randomOutcome(boolean mayRelease) {
            if (mayRelease) {
                return new Outcome(Kind.RELEASE, 0);
            }
            int d = r.nextInt(20);
            long duration = d < 12 ? MS : d < 15 ? SLOW : d < 16 ? SLOW + 1 : 30 * MS;
            return new Outcome(r.nextInt(100) < 40 ? Kind.FAILURE : Kind.SUCCESS, duration);
        }

        /** Asks both; they must agree. Returns the held permit, or null if both refused. */
        private Held acquire() {
            long permit = loadstar.tryAcquirePermission();
            boolean peerPermits = peer.tryAcquirePermission();
            if (record) {
                note("acquire: loadstar " + (permit != CircuitBreaker.NOT_PERMITTED) + ", resilience4j " + peerPermits);
            }
            assertEquals(peerPermits, permit != CircuitBreaker.NOT_PERMITTED, where("permit decision"));
            bump(peerPermits ? Seen.CALLS : Seen.REFUSALS);
            compareStates();
            return peerPermits ? new Held(permit, stay) : null;
        }

        /** Several permits held at once, then answered one by one. */
        private void burst() {
            int want = 2 + r.nextInt(state == CircuitState.CLOSED ? 3 : setup.trials());
            List<Held> held = new ArrayList<>();
            for (int i = 0; i < want; i++) {
                Held h = acquire();
                if (h != null) {
                    held.add(h);
                }
            }
            for (Held h : held) {
                answer(h, randomOutcome(r.nextInt(8) == 0));
            }
        }

        /** Moves the clock to exactly the end of the open duration (both refuse), then 1 ns past it. */
        private void toTheEndOfTheOpenDuration() {
            long left = loadstar.nanosUntilTrials();     // the end of the open duration + 1 ns - now
            if (left < 1) {
                return;
            }
            clock.advance(left - 1);
            if (record) {
                note("advance to exactly the end of the open duration");
            }
            Held h = acquire();
            assertEquals(null, h, where("refused at exactly the open duration"));
            clock.advance(1);
            if (record) {
                note("advance 1 ns");
            }
            h = acquire();
            assertTrue(h != null, where("permitted 1 ns after the open duration"));
            bump(Seen.EXACTLY_OPEN_DURATION);
            answer(h, randomOutcome(false));
        }

        private void answer(Held h, Outcome o) {
            if (record) {
                note("answer (taken in stay " + h.stay() + ", now " + stay + "): " + o);
            }
            if (h.stay() != stay) {
                // Modelled: Loadstar drops an outcome from an earlier state; Resilience4j would count
                // it against the current one, so it is not given to Resilience4j.
                long staleBefore = loadstar.metrics().staleOutcomes();
                deliverToLoadstar(h, o);
                assertEquals(staleBefore + 1, loadstar.metrics().staleOutcomes(), where("late outcome is stale"));
                assertEquals(state, loadstar.state(), where("late outcome changes nothing"));
                bump(Seen.LATE_OUTCOME);
                return;
            }
            if (o.kind() != Kind.RELEASE && o.duration() == SLOW) {
                bump(Seen.EXACTLY_SLOW_CALL_DURATION);
            }
            CircuitState before = state;
            deliverToLoadstar(h, o);
            switch (o.kind()) {
                case SUCCESS -> peer.onSuccess(o.duration(), TimeUnit.NANOSECONDS);
                case FAILURE -> peer.onError(o.duration(), TimeUnit.NANOSECONDS, new IOException("down"));
                case RELEASE -> peer.releasePermission();
            }
            if (before == CircuitState.HALF_OPEN && o.kind() != Kind.RELEASE) {
                halfOpenTrial(o);
            } else {
                if (before == CircuitState.CLOSED && o.kind() == Kind.SUCCESS && !o.slow()
                        && peerState() == CircuitState.OPEN) {
                    bump(Seen.OPENED_BY_A_SUCCESS);
                }
                compareStates();
            }
        }

        private void deliverToLoadstar(Held h, Outcome o) {
            switch (o.kind()) {
                case SUCCESS -> loadstar.onSuccess(h.permit(), o.duration());
                case FAILURE -> loadstar.onError(h.permit(), o.duration(), new IOException("down"));
                case RELEASE -> loadstar.releasePermission(h.permit());
            }
        }

        /**
         * A trial outcome given to both: each must follow its own half-open rule; where the rules
         * differ, Resilience4j is brought to Loadstar's state (the modelled difference).
         */
        private void halfOpenTrial(Outcome o) {
            trialOutcomes++;
            trialFailures += o.kind() == Kind.FAILURE ? 1 : 0;
            trialSlow += o.slow() ? 1 : 0;
            cleanTrials += o.bad() ? 0 : 1;
            CircuitState loadstarRule = o.bad() ? CircuitState.OPEN
                    : cleanTrials == setup.successes() ? CircuitState.CLOSED : CircuitState.HALF_OPEN;
            CircuitState peerRule = CircuitState.HALF_OPEN;
            if (trialOutcomes == setup.halfOpenWindow()) {
                // Resilience4j's CircuitBreakerMetrics: float rates, "at or over" either threshold opens
                boolean over = trialFailures * 100.0f / trialOutcomes >= setup.failureRate()
                        || trialSlow * 100.0f / trialOutcomes >= setup.slowRate();
                peerRule = over ? CircuitState.OPEN : CircuitState.CLOSED;
            }
            assertEquals(loadstarRule, loadstar.state(), where("Loadstar's half-open rule"));
            assertEquals(peerRule, peerState(), where("Resilience4j's half-open rule (the model of the peer)"));
            if (loadstarRule != peerRule) {
                if (peerRule == CircuitState.HALF_OPEN) {
                    bump(loadstarRule == CircuitState.OPEN ? Seen.HALF_OPEN_BAD_TRIAL_BEFORE_WINDOW_FULL
                            : Seen.HALF_OPEN_CLOSED_BEFORE_WINDOW_FULL);
                } else {
                    assertEquals(CircuitState.CLOSED, peerRule, where("only a rate under the thresholds closes it"));
                    bump(Seen.HALF_OPEN_BAD_TRIAL_UNDER_THRESHOLD);
                }
                if (o.kind() == Kind.SUCCESS && o.slow()) {
                    bump(Seen.HALF_OPEN_SLOW_SUCCESS_REOPENED);
                }
                if (record) {
                    note("modelled: Resilience4j brought to " + loadstarRule);
                }
                if (loadstarRule == CircuitState.OPEN) {
                    peer.transitionToOpenState();
                } else {
                    peer.transitionToClosedState();
                }
            }
            compareStates();
        }

        private CircuitState peerState() {
            return CircuitState.valueOf(peer.getState().name());
        }

        private void compareStates() {
            CircuitState now = loadstar.state();
            assertEquals(peerState(), now, where("state"));
            if (now != state) {
                bump(Seen.TRANSITIONS);
                state = now;
                stay++;
                if (now == CircuitState.HALF_OPEN) {
                    trialOutcomes = 0;
                    trialFailures = 0;
                    trialSlow = 0;
                    cleanTrials = 0;
                }
            }
        }

        private void bump(Seen s) {
            seen.merge(s, 1L, Long::sum);
        }

        private void note(String what) {
            if (DEBUG) {
                System.out.println("step " + step + " [" + state + "]: " + what);
            }
            if (history.size() == 12) {
                history.removeFirst();
            }
            history.addLast("step " + step + " [" + state + "]: " + what);
        }

        /** The failure message, built only on failure: what, the seed, the step, the setup, the last operations. */
        private Supplier<String> where(String what) {
            return () -> what + "; seed " + seed + ", step " + step + ", " + setup.text()
                    + (record ? "; last operations:\n  " + String.join("\n  ", history) : "");
        }
    }
}
