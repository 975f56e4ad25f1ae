package io.github.loadstar.bench;

import io.github.loadstar.algorithms.breaker.CircuitBreaker;
import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-call cost of a circuit breaker, Loadstar's against Resilience4j's, in the same run and
 * with the same call shape — the one both libraries' own decorators use: ask for permission, read
 * the clock, make the (empty) call, read the clock, record the outcome with its duration.
 *
 * <p>Both breakers get the same rules: failure rate 50 % and slow-call rate 100 % at 60 s over a
 * count-based window of the last 100 calls, evaluated from 100 calls on, open for 60 s; Loadstar's
 * consecutive-failure rule (which Resilience4j lacks) is off. No listener is registered on either.
 * Resilience4j 2.4 offers two window synchronisations, its default ({@code SYNCHRONIZED}, a lock)
 * and {@code LOCK_FREE}; both are measured. Failsafe 3.3 has no slow-call rule and no durations, and
 * counts "50 failures among the last 100 calls" (its count-based rule) — less work than the others
 * do. {@code baseline} is the same call shape with no breaker: subtract its time per call to get
 * a breaker's own cost.
 *
 * <ul>
 *   <li>{@code path=success}: every call succeeds (CLOSED).</li>
 *   <li>{@code path=failure10}: every tenth call of each thread fails with a pre-built exception
 *       (10 % &lt; 50 %: the breaker stays CLOSED, but the failure bookkeeping runs).</li>
 *   <li>{@code path=open}: the breaker is OPEN (60 s, far beyond an iteration) and every request is
 *       refused; no exception is thrown on either side (the permission API returns a flag).</li>
 * </ul>
 * Each runs on one thread and on two threads sharing the breaker (contended window and counters).
 * Run with {@code -prof gc} to see the allocation per call ({@code gc.alloc.rate.norm}).
 *
 * <p>The default grid is the issue's: CLOSED ({@code success}) and OPEN, against Resilience4j's
 * default window, Failsafe and the baseline. {@code resilience4j-lockfree} and {@code failure10}
 * are measured on request, which keeps the quick profile under 10 minutes:
 * {@code -p executor=loadstar,resilience4j,resilience4j-lockfree,failsafe,baseline
 * -p path=success,failure10,open BreakerOverheadBenchmark}. Warm-up: 4 s, because Resilience4j's
 * OPEN path and its lock-free window reach their steady speed only after 2–4 s of warm-up here (at
 * 700 ms they ran 5–9× slower than they do warm: a comparison that flattered Loadstar).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 4000, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class BreakerOverheadBenchmark {
    /** Failure of the failing calls; built once, without a stack trace, so it costs neither side. */
    private static final RuntimeException FAILURE = new RuntimeException("injected failure", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    @Param({"loadstar", "resilience4j", "failsafe", "baseline"})
    public String executor;

    @Param({"success", "open"})
    public String path;

    private CallShape breaker;

    /** Per-thread call counter (which call fails). */
    @State(Scope.Thread)
    public static class Caller {
        int calls;
    }

    @Setup
    public void setUp() {
        breaker = newShape(executor);
        if ("open".equals(path)) {
            breaker.forceOpen();
        }
    }

    @Benchmark
    @Threads(1)
    public boolean call(Caller caller) {
        return breaker.call(failsNow(caller));
    }

    @Benchmark
    @Threads(2)
    public boolean callTwoThreads(Caller caller) {
        return breaker.call(failsNow(caller));
    }

    private boolean failsNow(Caller caller) {
        return "failure10".equals(path) && ++caller.calls % 10 == 0;
    }

    private static CallShape newShape(String executor) {
        switch (executor) {
            case "loadstar":
                return new LoadstarShape();
            case "resilience4j":
                return new Resilience4jShape(io.github.resilience4j.circuitbreaker.CircuitBreakerConfig
                        .SlidingWindowSynchronizationStrategy.SYNCHRONIZED);
            case "resilience4j-lockfree":
                return new Resilience4jShape(io.github.resilience4j.circuitbreaker.CircuitBreakerConfig
                        .SlidingWindowSynchronizationStrategy.LOCK_FREE);
            case "failsafe":
                return new FailsafeShape();
            case "baseline":
                return new BaselineShape();
            default:
                throw new IllegalArgumentException("unknown breaker: " + executor);
        }
    }

    /** One guarded call; returns whether the call was made. */
    private interface CallShape {
        boolean call(boolean fail);

        void forceOpen();
    }

    private static final class LoadstarShape implements CallShape {
        private final CircuitBreaker breaker = CircuitBreaker.of("bench", CircuitBreakerConfig.builder()
                .consecutiveFailureThreshold(0)
                .failureRateThreshold(50)
                .slowCallRateThreshold(100)
                .slowCallDuration(Duration.ofSeconds(60))
                .countBasedWindow(100)
                .minimumNumberOfCalls(100)
                .openDuration(Duration.ofSeconds(60))
                .build());

        @Override
        public boolean call(boolean fail) {
            long permit = breaker.tryAcquirePermission();
            if (permit == CircuitBreaker.NOT_PERMITTED) {
                return false;
            }
            long start = System.nanoTime();
            Blackhole.consumeCPU(0);
            long duration = System.nanoTime() - start;
            if (fail) {
                breaker.onError(permit, duration, FAILURE);
            } else {
                breaker.onSuccess(permit, duration);
            }
            return true;
        }

        @Override
        public void forceOpen() {
            breaker.transitionToOpen();
        }
    }

    private static final class Resilience4jShape implements CallShape {
        private final io.github.resilience4j.circuitbreaker.CircuitBreaker breaker;

        Resilience4jShape(io.github.resilience4j.circuitbreaker.CircuitBreakerConfig
                .SlidingWindowSynchronizationStrategy windowSynchronization) {
            breaker = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench",
                    io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                            .failureRateThreshold(50)
                            .slowCallRateThreshold(100)
                            .slowCallDurationThreshold(Duration.ofSeconds(60))
                            .slidingWindow(100, 100, io.github.resilience4j.circuitbreaker.CircuitBreakerConfig
                                    .SlidingWindowType.COUNT_BASED, windowSynchronization)
                            .waitDurationInOpenState(Duration.ofSeconds(60))
                            .build());
        }

        @Override
        public boolean call(boolean fail) {
            if (!breaker.tryAcquirePermission()) {
                return false;
            }
            long start = System.nanoTime();
            Blackhole.consumeCPU(0);
            long duration = System.nanoTime() - start;
            if (fail) {
                breaker.onError(duration, TimeUnit.NANOSECONDS, FAILURE);
            } else {
                breaker.onSuccess(duration, TimeUnit.NANOSECONDS);
            }
            return true;
        }

        @Override
        public void forceOpen() {
            breaker.transitionToOpenState();
        }
    }

    private static final class FailsafeShape implements CallShape {
        private final dev.failsafe.CircuitBreaker<Object> breaker = dev.failsafe.CircuitBreaker.builder()
                .withFailureThreshold(50, 100)
                .withDelay(Duration.ofSeconds(60))
                .build();

        @Override
        public boolean call(boolean fail) {
            if (!breaker.tryAcquirePermit()) {
                return false;
            }
            long start = System.nanoTime();
            Blackhole.consumeCPU(0);
            long duration = System.nanoTime() - start;
            if (fail) {
                breaker.recordException(FAILURE);
            } else {
                breaker.recordSuccess();
            }
            return duration >= 0;
        }

        @Override
        public void forceOpen() {
            breaker.open();
        }
    }

    /** The call shape without a breaker. */
    private static final class BaselineShape implements CallShape {
        private volatile boolean open;

        @Override
        public boolean call(boolean fail) {
            if (open) {
                return false;
            }
            long start = System.nanoTime();
            Blackhole.consumeCPU(0);
            long duration = System.nanoTime() - start;
            return duration >= 0 && !fail;
        }

        @Override
        public void forceOpen() {
            open = true;
        }
    }
}
