package io.github.loadstar.algorithms.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of calls (successes, failures, slow calls), held permits answered late, released
 * permits and clock advances, over random configurations (both window types, every trip rule, fixed
 * and exponential open durations, every half-open shape), give the same states and the same permit
 * decisions in {@link CircuitBreaker} as in {@link ReferenceBreaker}, a plain sequential model of the
 * rules. Seeded; a failure names the seed and the step.
 */
final class CircuitBreakerModelTest {
    private static final int EXAMPLES = Boolean.getBoolean("loadstar.stress") ? 20_000 : 1_500;

    @Test
    void theBreakerFollowsTheModel() {
        qt().withFixedSeed(0xB4EA_CE5L).withExamples(EXAMPLES)
                .forAll(longs().all(), integers().between(20, 400))
                .checkAssert(CircuitBreakerModelTest::check);
    }

    private static CircuitBreakerConfig randomConfig(Random r, VirtualClock clock) {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(r.nextInt(6))
                .failureRateThreshold(new float[] {20, 50, 80, 100}[r.nextInt(4)])
                .slowCallRateThreshold(new float[] {30, 60, 100}[r.nextInt(3)])
                .slowCallDuration(Duration.ofMillis(10));
        int minimum;
        if (r.nextBoolean()) {
            int size = 3 + r.nextInt(20);
            minimum = 1 + r.nextInt(size);
            b.countBasedWindow(size);
        } else {
            b.timeBasedWindow(Duration.ofMillis(200 + 100L * r.nextInt(10)), 1 + r.nextInt(10));
            minimum = 1 + r.nextInt(15);
        }
        b.minimumNumberOfCalls(minimum);
        if (r.nextBoolean()) {
            b.openDuration(Duration.ofMillis(50 + r.nextInt(200)));
        } else {
            b.openDuration(OpenDuration.exponential(Duration.ofMillis(20), 2, Duration.ofMillis(300), 0));
        }
        int trials = 1 + r.nextInt(6);
        b.halfOpenTrials(trials, 1 + r.nextInt(trials));
        b.halfOpenSuccessThreshold(1 + r.nextInt(trials));
        b.halfOpenTimeout(Duration.ofMillis(100 + r.nextInt(500)));
        return b.build();
    }

    static void check(long seed, int steps) {
        Random r = new Random(seed);
        VirtualClock clock = new VirtualClock(r.nextLong());
        CircuitBreakerConfig config = randomConfig(r, clock);
        CircuitBreaker real = CircuitBreaker.of("model", config);
        ReferenceBreaker model = new ReferenceBreaker(config, clock.nanoTime());
        List<long[]> held = new ArrayList<>();     // {real permit, model permit}
        for (int step = 0; step < steps; step++) {
            String where = "seed " + seed + ", step " + step + ", config " + config;
            int op = r.nextInt(100);
            long now = clock.nanoTime();
            if (op < 55) {
                // a call answered at once
                long permitReal = real.tryAcquirePermission();
                long permitModel = model.acquire(now);
                assertEquals(permitModel, permitReal == CircuitBreaker.NOT_PERMITTED ? -1 : permitReal,
                        "permit decision, " + where);
                if (permitReal != CircuitBreaker.NOT_PERMITTED) {
                    boolean failure = r.nextInt(3) == 0;
                    int d = r.nextInt(10);      // 20 % slow, 10 % exactly the slow-call duration (not slow)
                    long duration = d < 2 ? 20_000_000L : d < 3 ? 10_000_000L : 1_000_000L;
                    if (failure) {
                        real.onError(permitReal, duration, new IllegalStateException("failure"));
                    } else {
                        real.onSuccess(permitReal, duration);
                    }
                    model.outcome(permitModel, duration, failure, now);
                }
            } else if (op < 65) {
                long permitReal = real.tryAcquirePermission();
                long permitModel = model.acquire(now);
                assertEquals(permitModel, permitReal == CircuitBreaker.NOT_PERMITTED ? -1 : permitReal,
                        "held permit decision, " + where);
                if (permitReal != CircuitBreaker.NOT_PERMITTED) {
                    held.add(new long[] {permitReal, permitModel});
                }
            } else if (op < 75 && !held.isEmpty()) {
                long[] p = held.remove(r.nextInt(held.size()));
                boolean failure = r.nextBoolean();
                if (failure) {
                    real.onError(p[0], 1_000_000L, new IllegalStateException("late failure"));
                } else {
                    real.onSuccess(p[0], 1_000_000L);
                }
                model.outcome(p[1], 1_000_000L, failure, now);
            } else if (op < 80 && !held.isEmpty()) {
                long[] p = held.remove(r.nextInt(held.size()));
                real.releasePermission(p[0]);
                model.release(p[1]);
            } else {
                clock.advance((1 + r.nextInt(100)) * 1_000_000L);
            }
            assertEquals(model.state, real.state(), "state, " + where);
            assertEquals(model.transitions, real.metrics().transitions(), "transitions, " + where);
        }
    }
}
