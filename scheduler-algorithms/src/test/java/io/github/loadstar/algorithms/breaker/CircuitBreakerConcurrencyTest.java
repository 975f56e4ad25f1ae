package io.github.loadstar.algorithms.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The breaker under real contention: trials are bounded in total and at once, every transition of
 * an episode fires exactly once however many threads decide it together, and outcomes from an
 * earlier state never move the breaker. Threads race on a virtual clock that the test moves, so
 * the assertions hold exactly rather than "usually".
 */
final class CircuitBreakerConcurrencyTest {
    private static final boolean STRESS = Boolean.getBoolean("loadstar.stress");
    private static final int THREADS = 4;
    private static final long MS = 1_000_000L;

    /** Counts transitions by (from, to), safe to call from many threads. */
    private static final class TransitionCounts implements CircuitBreakerListener {
        final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

        @Override
        public void onStateTransition(CircuitBreaker breaker, CircuitState from, CircuitState to, String reason) {
            counts.computeIfAbsent(from + "->" + to, k -> new LongAdder()).increment();
        }

        long get(String key) {
            LongAdder a = counts.get(key);
            return a == null ? 0 : a.sum();
        }

        long total() {
            return counts.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void runAll(Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[THREADS];
        for (int i = 0; i < THREADS; i++) {
            threads[i] = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "breaker-race-" + i);
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
            assertTrue(!t.isAlive(), "a racing thread did not finish");
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void eachEpisodeFiresEachTransitionOnceAndGrantsExactlyTheAllowedTrials() throws InterruptedException {
        VirtualClock clock = new VirtualClock();
        int total = 6;
        int concurrent = 3;
        CircuitBreaker b = CircuitBreaker.of("episodes", CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(1).failureRateThreshold(100)
                .openDuration(Duration.ofMillis(100))
                .halfOpenTrials(total, concurrent).halfOpenSuccessThreshold(total)
                .halfOpenTimeout(Duration.ofDays(1)).build());
        TransitionCounts transitions = new TransitionCounts();
        b.addListener(transitions);
        int rounds = STRESS ? 5_000 : 200;

        for (int round = 1; round <= rounds; round++) {
            long p = b.tryAcquirePermission();
            b.onError(p, MS, new IOException("trip"));
            assertEquals(CircuitState.OPEN, b.state());
            clock.advance(100 * MS + 1);                // the open duration has passed; nobody has asked yet

            CyclicBarrier start = new CyclicBarrier(THREADS);
            AtomicInteger trialsGranted = new AtomicInteger();
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger maxInFlight = new AtomicInteger();
            AtomicInteger closedPermits = new AtomicInteger();
            CyclicBarrier allAsked = new CyclicBarrier(THREADS);
            AtomicInteger firstGrab = new AtomicInteger();
            runAll(() -> {
                await(start);                           // all threads find OPEN-and-elapsed together
                long first = b.tryAcquirePermission();  // and each asks for a trial, holding what it gets
                if (first != CircuitBreaker.NOT_PERMITTED) {
                    firstGrab.incrementAndGet();
                    trialsGranted.incrementAndGet();
                }
                await(allAsked);
                if (first != CircuitBreaker.NOT_PERMITTED) {
                    b.onSuccess(first, MS);
                }
                while (b.state() != CircuitState.CLOSED) {
                    long permit = b.tryAcquirePermission();
                    if (permit == CircuitBreaker.NOT_PERMITTED) {
                        Thread.onSpinWait();
                        continue;
                    }
                    if ((permit & 1) == 0) {            // granted after the close: a plain call
                        closedPermits.incrementAndGet();
                        b.onSuccess(permit, MS);
                        continue;
                    }
                    trialsGranted.incrementAndGet();
                    int now = inFlight.incrementAndGet();
                    maxInFlight.accumulateAndGet(now, Math::max);
                    for (int spin = 0; spin < 50; spin++) {
                        Thread.onSpinWait();            // hold the slot so others contend for it
                    }
                    inFlight.decrementAndGet();         // before reporting: the slot is still held here
                    b.onSuccess(permit, MS);
                }
            });
            assertEquals(concurrent, firstGrab.get(), "round " + round + ": " + THREADS
                    + " threads asked at once, each holding what it got");
            assertEquals(total, trialsGranted.get(), "round " + round + ": trials granted in total");
            assertTrue(maxInFlight.get() <= concurrent, "round " + round + ": " + maxInFlight.get() + " trials at once");
            assertEquals(round, transitions.get("CLOSED->OPEN"), "round " + round);
            assertEquals(round, transitions.get("OPEN->HALF_OPEN"), "round " + round + ": decided by "
                    + THREADS + " threads at once, fired once");
            assertEquals(round, transitions.get("HALF_OPEN->CLOSED"), "round " + round);
            assertEquals(3L * round, transitions.total(), "no other transition");
        }
        assertEquals(0, b.metrics().staleOutcomes(), "every trial reported within its own epoch");
    }

    @Test
    void trialsThatFailTogetherReopenItExactlyOnce() throws InterruptedException {
        VirtualClock clock = new VirtualClock();
        CircuitBreaker b = CircuitBreaker.of("fail-together", CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(1).openDuration(Duration.ofMillis(10))
                .halfOpenTrials(THREADS, THREADS).halfOpenSuccessThreshold(THREADS)
                .halfOpenTimeout(Duration.ofDays(1)).build());
        TransitionCounts transitions = new TransitionCounts();
        b.addListener(transitions);
        int rounds = STRESS ? 5_000 : 200;
        long stale = 0;
        for (int round = 1; round <= rounds; round++) {
            if (b.state() == CircuitState.CLOSED) {
                long p = b.tryAcquirePermission();
                b.onError(p, MS, new IOException("trip"));
            }
            clock.advanceMillis(10_000);            // past any open duration
            CyclicBarrier granted = new CyclicBarrier(THREADS);
            runAll(() -> {
                long permit = b.tryAcquirePermission();
                assertNotEquals(CircuitBreaker.NOT_PERMITTED, permit, "one slot per thread");
                assertEquals(1, permit & 1, "a trial");
                await(granted);                     // every trial is in flight before any fails
                b.onError(permit, MS, new IOException("still down"));
            });
            assertEquals(CircuitState.OPEN, b.state());
            assertEquals(round, transitions.get("HALF_OPEN->OPEN"), "round " + round + ": reopened once");
            assertEquals(round, transitions.get("OPEN->HALF_OPEN"));
            // A failure read before the reopening counts in its own epoch but loses the race to
            // reopen; one read after it is stale. Either way none may reopen it a second time.
            long nowStale = b.metrics().staleOutcomes();
            assertTrue(nowStale >= stale && nowStale <= stale + THREADS - 1, "stale outcomes " + nowStale);
            stale = nowStale;
        }
    }

    @Test
    void lateOutcomesFromAClosedEpochNeverMoveTheBreaker() throws InterruptedException {
        VirtualClock clock = new VirtualClock();
        CircuitBreaker b = CircuitBreaker.of("late", CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(1).openDuration(Duration.ofMillis(10))
                .halfOpenTrials(2, 2).halfOpenSuccessThreshold(1)
                .halfOpenTimeout(Duration.ofDays(1)).build());
        int rounds = STRESS ? 2_000 : 100;
        for (int round = 0; round < rounds; round++) {
            b.reset();
            long[] held = new long[THREADS];
            for (int i = 0; i < THREADS; i++) {
                held[i] = b.tryAcquirePermission();     // calls in flight while CLOSED
            }
            long trip = b.tryAcquirePermission();
            b.onError(trip, MS, new IOException("trip"));
            clock.advance(10 * MS + 1);                 // just past the open duration
            long trial = b.tryAcquirePermission();
            assertEquals(CircuitState.HALF_OPEN, b.state());
            long staleBefore = b.metrics().staleOutcomes();
            CyclicBarrier go = new CyclicBarrier(THREADS);
            AtomicInteger next = new AtomicInteger();
            boolean failThem = round % 2 == 0;
            runAll(() -> {
                long permit = held[next.getAndIncrement()];
                await(go);
                if (failThem) {
                    b.onError(permit, MS, new IOException("late failure"));
                } else {
                    b.onSuccess(permit, MS);            // a late success must not close it
                }
            });
            assertEquals(CircuitState.HALF_OPEN, b.state(), "round " + round);
            assertEquals(0, b.metrics().halfOpenSuccesses());
            assertEquals(staleBefore + THREADS, b.metrics().staleOutcomes());
            b.onSuccess(trial, MS);
            assertEquals(CircuitState.CLOSED, b.state(), "the real trial still decides");
        }
    }

    /**
     * Random calls from several threads, which move the clock as they go, while a watcher reads the
     * figures: at every instant the
     * half-open counters stay within bounds, and at the end the transitions balance (each state
     * entered at most once more than it was left) with every transition one the state machine allows.
     */
    @Test
    void randomConcurrentTrafficKeepsTheBoundsAndTheTransitionsBalanced() throws InterruptedException {
        VirtualClock clock = new VirtualClock();
        int total = 5;
        int concurrent = 2;
        CircuitBreaker b = CircuitBreaker.of("random", CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(3).failureRateThreshold(50).countBasedWindow(20).minimumNumberOfCalls(10)
                .slowCallRateThreshold(80).slowCallDuration(Duration.ofMillis(5))
                .openDuration(Duration.ofMillis(2))
                .halfOpenTrials(total, concurrent).halfOpenSuccessThreshold(3)
                .halfOpenTimeout(Duration.ofMillis(20)).build());
        Map<CircuitState, LongAdder> entered = new EnumMap<>(CircuitState.class);
        Map<CircuitState, LongAdder> left = new EnumMap<>(CircuitState.class);
        for (CircuitState s : CircuitState.values()) {
            entered.put(s, new LongAdder());
            left.put(s, new LongAdder());
        }
        AtomicReference<String> illegal = new AtomicReference<>();
        b.addListener(new CircuitBreakerListener() {
            @Override
            public void onStateTransition(CircuitBreaker breaker, CircuitState from, CircuitState to, String reason) {
                boolean allowed = switch (from) {
                    case CLOSED -> to == CircuitState.OPEN;
                    case OPEN -> to == CircuitState.HALF_OPEN;
                    case HALF_OPEN -> to == CircuitState.OPEN || to == CircuitState.CLOSED;
                    default -> false;
                };
                if (!allowed) {
                    illegal.compareAndSet(null, from + "->" + to + " (" + reason + ")");
                }
                left.get(from).increment();
                entered.get(to).increment();
            }
        });
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> broken = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            while (!stop.get()) {
                CircuitBreaker.Metrics m = b.metrics();
                if (m.halfOpenTrialsStarted() > total || m.halfOpenTrialsInFlight() > concurrent
                        || m.halfOpenTrialsInFlight() < 0) {
                    broken.compareAndSet(null, m.toString());
                }
            }
        }, "breaker-watcher");
        long startClock = clock.nanoTime();
        watcher.start();
        long runNanos = (STRESS ? 20_000 : 1_000) * MS;
        AtomicInteger seeds = new AtomicInteger(0x5EED);
        LongAdder calls = new LongAdder();
        try {
            runAll(() -> {
                SplittableRandom random = new SplittableRandom(seeds.getAndIncrement());
                long end = System.nanoTime() + runNanos;
                while (System.nanoTime() - end < 0) {
                    long permit = b.tryAcquirePermission();
                    if (permit == CircuitBreaker.NOT_PERMITTED) {
                        clock.advance(20_000);          // time passes while the callers wait
                        continue;
                    }
                    calls.increment();
                    clock.advance(random.nextInt(100_000));
                    int roll = random.nextInt(100);
                    long duration = random.nextInt(10) * MS;
                    if (roll < 35) {
                        b.onError(permit, duration, new IOException("random"));
                    } else if (roll < 40) {
                        b.releasePermission(permit);
                    } else {
                        b.onSuccess(permit, duration);
                    }
                }
            });
        } finally {
            stop.set(true);
            watcher.join();
        }
        assertEquals(null, illegal.get(), "a transition the state machine does not have");
        assertEquals(null, broken.get(), "half-open bounds broken");
        long totalTransitions = 0;
        for (CircuitState s : CircuitState.values()) {
            long in = entered.get(s).sum() + (s == CircuitState.CLOSED ? 1 : 0);     // it starts CLOSED
            long out = left.get(s).sum();
            long stillHere = b.state() == s ? 1 : 0;
            assertEquals(in, out + stillHere, s + ": entered " + in + ", left " + out);
            totalTransitions += out;
        }
        assertEquals(totalTransitions, b.metrics().transitions());
        assertTrue(totalTransitions > 10, "the random traffic exercised the machine: " + totalTransitions
                + " transitions over " + calls.sum() + " calls; " + b.metrics() + ", clock moved "
                + (clock.nanoTime() - startClock) / MS + " ms");
    }
}
