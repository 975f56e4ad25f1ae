package io.github.loadstar.algorithms.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design overview
 * ===============
 * State: one immutable epoch object (BreakerEpoch) per state the breaker has been in, held in a
 * single volatile field and replaced by CAS. An epoch carries its kind (CLOSED, OPEN, ...), a strictly increasing
 * epoch number, its deadlines (open until, half-open deadline) and the counters that belong to
 * that stay alone: the sliding window and the consecutive-failure count of a CLOSED stay, the trial
 * counters of a HALF_OPEN stay. A transition allocates the next epoch (transitions are rare) and
 * CASes it in *from the exact epoch it was decided on*: of several threads that decide the same
 * transition, one wins and fires the listeners and the log line; the others find a newer epoch and
 * re-read. Each OPEN -> HALF_OPEN -> CLOSED episode therefore fires each transition exactly once.
 *
 * Permits: tryAcquirePermission returns a long, the epoch number shifted left one bit plus a
 * half-open-trial bit (or NOT_PERMITTED). An outcome reports its permit back; if the breaker has
 * moved to another epoch since, the outcome is dropped (counted as stale). A call admitted while
 * CLOSED can thus never count as a half-open trial, and a late success from before an opening can
 * never close the breaker (Resilience4j #1090, #1432 record such outcomes against the current state).
 *
 * Half-open: one AtomicLong packs trials started (high 32 bits) and in flight (low 32); a permit
 * CASes both while started < max and in flight < max concurrent, so at most the allowed number of
 * trials run, in total and at once. A trial's success increments a success count; the one that
 * reaches the threshold closes the breaker; any failure reopens it; an unused trial (released, or
 * ended by an ignored exception) gives its slot back.
 *
 * Cost: CLOSED permission is one volatile read and no allocation. A CLOSED outcome is three atomic
 * operations on the window (and one on the consecutive count for failures), no allocation, no
 * lock; the clock is read only for time-based windows. OPEN and HALF_OPEN read the clock, lazily,
 * on the next call: there is no timer thread.
 *
 * Trip evaluation: after every outcome recorded while CLOSED, whatever the outcome, the rates are
 * checked once the window holds minimumNumberOfCalls (as Resilience4j checks its thresholds on
 * every recorded call). A success can be the call that brings the window to the minimum, so
 * checking only after failures would miss a rate that is already over its threshold.
 *
 * Boundaries, chosen to match Resilience4j 2.3 (the bench module's differential test holds both
 * to them): a call is slow when it lasts strictly longer than slowCallDuration; an open breaker
 * lets a trial through only once strictly more than its open duration has passed.
 *
 * Logging: one line per transition at most, rate-limited per breaker by TransitionLog (a burst,
 * then one line per 10 s that reports the transitions it did not log), so a flapping breaker
 * cannot flood the log. The transition passes the clock reading it was decided on.
 */

/**
 * A circuit breaker: stops calls to something that keeps failing, then probes it carefully before
 * trusting it again. Lock-free; see the design notes in the source.
 *
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.of("payments", CircuitBreakerConfig.builder()
 *         .failureRateThreshold(50).countBasedWindow(100).minimumNumberOfCalls(20)
 *         .openDuration(OpenDuration.exponential(Duration.ofSeconds(1), 2, Duration.ofMinutes(1), 0.2))
 *         .build());
 * String reply = breaker.execute(() -> client.call());          // throws CallNotPermittedException when open
 *
 * long permit = breaker.tryAcquirePermission();                  // or manage the call yourself
 * if (permit != CircuitBreaker.NOT_PERMITTED) {
 *     long start = System.nanoTime();
 *     try {
 *         send();
 *         breaker.onSuccess(permit, System.nanoTime() - start);
 *     } catch (IOException e) {
 *         breaker.onError(permit, System.nanoTime() - start, e);
 *     }
 * }
 * }</pre>
 */
public final class CircuitBreaker {
    /** What {@link #tryAcquirePermission()} returns when the call may not proceed. */
    public static final long NOT_PERMITTED = -1L;

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CircuitBreaker.class, "state", BreakerEpoch.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final CircuitBreakerConfig config;
    private final NanoClock clock;
    private volatile BreakerEpoch state;
    private final CopyOnWriteArrayList<CircuitBreakerListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean hasListeners;
    private final LongAdder notPermitted = new LongAdder();
    private final LongAdder staleOutcomes = new LongAdder();
    private final LongAdder ignoredErrors = new LongAdder();
    private final AtomicLong transitions = new AtomicLong();
    private final TransitionLog log;

    private CircuitBreaker(String name, CircuitBreakerConfig config, TransitionLog.Sink logSink) {
        this.name = name;
        this.config = config;
        this.clock = config.clock();
        long now = clock.nanoTime();
        this.state = BreakerEpoch.closed(config, 1, now);
        this.log = new TransitionLog(name, logSink, now);
    }

    /**
     * A new breaker, CLOSED.
     *
     * @throws NullPointerException if an argument is null
     */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config) {
        return of(name, config, TransitionLog.SLF4J);
    }

    /** A new breaker whose transition lines go to {@code logSink} (tests). */
    static CircuitBreaker of(String name, CircuitBreakerConfig config, TransitionLog.Sink logSink) {
        return new CircuitBreaker(Objects.requireNonNull(name, "name"), Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(logSink, "logSink"));
    }

    /** A new breaker with the defaults. */
    public static CircuitBreaker ofDefaults(String name) {
        return of(name, CircuitBreakerConfig.defaults());
    }

    public String name() {
        return name;
    }

    public CircuitBreakerConfig config() {
        return config;
    }

    /** The current state. An OPEN breaker whose open duration has passed reports OPEN until the next call. */
    public CircuitState state() {
        return state.kind;
    }

    /**
     * How long until this breaker lets trials through: 0 unless it is OPEN with time left,
     * {@link Long#MAX_VALUE} if FORCED_OPEN (it reopens only by hand). An open breaker lets a trial
     * through once strictly more than its open duration has passed, so right after opening this is
     * the open duration plus one nanosecond, and when it returns 0 the next call is let through.
     */
    public long nanosUntilTrials() {
        BreakerEpoch s = state;
        if (s.kind == CircuitState.FORCED_OPEN) {
            return Long.MAX_VALUE;
        }
        if (s.kind != CircuitState.OPEN) {
            return 0;
        }
        long now = clock.nanoTime();
        log.flush(now, s.kind);
        long left = s.openUntilNanos - now;
        return left < 0 ? 0 : left + 1;
    }

    /**
     * Registers a listener.
     *
     * @throws NullPointerException if null
     */
    public void addListener(CircuitBreakerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        hasListeners = true;
    }

    // ================================================================ permission and outcomes

    /**
     * Asks to make one call. Returns a permit to report the outcome with, or {@link #NOT_PERMITTED}.
     * A permit must be answered exactly once: {@link #onSuccess}, {@link #onResult}, {@link #onError}
     * or, if the call was not made, {@link #releasePermission}.
     */
    public long tryAcquirePermission() {
        for (;;) {
            BreakerEpoch s = state;
            switch (s.kind) {
                case CLOSED:
                case METRICS_ONLY:
                case DISABLED:
                    return s.number << 1;
                case FORCED_OPEN:
                    refused(s.kind);
                    return NOT_PERMITTED;
                case OPEN: {
                    long now = clock.nanoTime();
                    if (now - s.openUntilNanos > 0) {     // strictly after: at exactly the duration it still refuses
                        transition(s, BreakerEpoch.halfOpen(config, s, now), "open duration elapsed");
                        continue;
                    }
                    log.flush(now, s.kind);
                    refused(s.kind);
                    return NOT_PERMITTED;
                }
                case HALF_OPEN: {
                    long now = clock.nanoTime();
                    if (now - s.halfOpenDeadlineNanos >= 0) {
                        transition(s, BreakerEpoch.open(config, s, now), "half-open trials did not close it within "
                                + config.halfOpenTimeout());
                        continue;
                    }
                    if (tryStartTrial(s)) {
                        return (s.number << 1) | 1;
                    }
                    log.flush(now, s.kind);
                    refused(s.kind);
                    return NOT_PERMITTED;
                }
                default:
                    throw new AssertionError(s.kind);
            }
        }
    }

    private boolean tryStartTrial(BreakerEpoch s) {
        int max = config.halfOpenMaxTrials();
        int maxConcurrent = config.halfOpenMaxConcurrentTrials();
        for (;;) {
            long t = s.trials.get();
            int started = (int) (t >>> 32);
            int inFlight = (int) t;
            if (started >= max || inFlight >= maxConcurrent) {
                return false;
            }
            if (s.trials.compareAndSet(t, t + (1L << 32) + 1)) {
                return true;
            }
        }
    }

    /** The call under {@code permit} returned normally after {@code durationNanos}. */
    public void onSuccess(long permit, long durationNanos) {
        record(permit, durationNanos, false);
    }

    /** The call returned {@code result}, which the config's result predicate may count as a failure. */
    public void onResult(long permit, long durationNanos, Object result) {
        record(permit, durationNanos, config.recordsResultAsFailure(result));
    }

    /**
     * The call threw {@code error}: a failure if the config records it, ignored (as if never made)
     * if the config ignores it, otherwise a success.
     *
     * @throws NullPointerException if {@code error} is null
     */
    public void onError(long permit, long durationNanos, Throwable error) {
        Objects.requireNonNull(error, "error");
        if (config.ignores(error)) {
            ignoredErrors.increment();
            releasePermission(permit);
            return;
        }
        record(permit, durationNanos, config.recordsAsFailure(error));
    }

    /** The call under {@code permit} was not made after all; a half-open trial gives its slot back. */
    public void releasePermission(long permit) {
        checkPermit(permit);
        BreakerEpoch s = state;
        if (s.number != permit >>> 1) {
            staleOutcomes.increment();
            return;
        }
        if ((permit & 1) != 0 && s.kind == CircuitState.HALF_OPEN) {
            s.trials.addAndGet(-(1L << 32) - 1);
        }
    }

    private void record(long permit, long durationNanos, boolean failure) {
        checkPermit(permit);
        BreakerEpoch s = state;
        if (s.number != permit >>> 1) {
            staleOutcomes.increment();      // granted in an earlier state: it must not count in this one
            return;
        }
        boolean slow = durationNanos > config.slowCallDurationNanos();     // strictly longer is slow
        switch (s.kind) {
            case CLOSED:
            case METRICS_ONLY:
                recordClosed(s, failure, slow);
                return;
            case HALF_OPEN:
                if ((permit & 1) == 0) {
                    staleOutcomes.increment();
                    return;
                }
                s.trials.decrementAndGet();     // no longer in flight
                if (failure || slow) {
                    long now = clock.nanoTime();
                    transition(s, BreakerEpoch.open(config, s, now), failure ? "a half-open trial failed" : "a half-open trial was slow");
                } else if (s.trialSuccesses.incrementAndGet() == config.halfOpenSuccessThreshold()) {
                    long now = clock.nanoTime();
                    transition(s, BreakerEpoch.closed(config, s.number + 1, now), config.halfOpenSuccessThreshold()
                            + " half-open trials succeeded");
                }
                return;
            default:
                // DISABLED measures nothing; OPEN and FORCED_OPEN grant no permits
        }
    }

    private void recordClosed(BreakerEpoch s, boolean failure, boolean slow) {
        int consecutive;
        if (failure) {
            consecutive = s.consecutiveFailures.incrementAndGet(BreakerEpoch.CONSECUTIVE);
        } else {
            consecutive = 0;
            if (s.consecutiveFailures.get(BreakerEpoch.CONSECUTIVE) != 0) {
                s.consecutiveFailures.set(BreakerEpoch.CONSECUTIVE, 0);
            }
        }
        long now = config.windowType() == CircuitBreakerConfig.WindowType.TIME_BASED ? clock.nanoTime() : 0;
        long counts = s.window.record(now, failure, slow);
        if (s.kind != CircuitState.CLOSED) {
            return;     // METRICS_ONLY measures but never trips
        }
        // every outcome, a success included: the call that brings the window to the minimum may
        // be a success, and the rates are due from that call on
        String reason = tripReason(counts, consecutive);
        if (reason != null) {
            transition(s, BreakerEpoch.open(config, s, clock.nanoTime()), reason);
        }
    }

    private String tripReason(long counts, int consecutive) {
        int threshold = config.consecutiveFailureThreshold();
        if (threshold > 0 && consecutive >= threshold) {
            return consecutive + " consecutive failures";
        }
        long calls = Window.calls(counts);
        if (calls < config.minimumNumberOfCalls()) {
            return null;
        }
        double failureRate = 100.0 * Window.failures(counts) / calls;
        if (failureRate >= config.failureRateThreshold()) {
            return String.format(java.util.Locale.ROOT, "failure rate %.1f%% of %d calls >= %.1f%%", failureRate,
                    calls, config.failureRateThreshold());
        }
        double slowRate = 100.0 * Window.slow(counts) / calls;
        if (slowRate >= config.slowCallRateThreshold()) {
            return String.format(java.util.Locale.ROOT, "slow-call rate %.1f%% of %d calls >= %.1f%%", slowRate,
                    calls, config.slowCallRateThreshold());
        }
        return null;
    }

    private static void checkPermit(long permit) {
        if (permit < 0) {
            throw new IllegalArgumentException("not a permit: " + permit);
        }
    }

    private void refused(CircuitState kind) {
        notPermitted.increment();
        if (hasListeners) {
            for (CircuitBreakerListener l : listeners) {
                try {
                    l.onCallNotPermitted(this, kind);
                } catch (RuntimeException e) {
                    LOG.warn("circuit breaker {}: a listener threw", name, e);
                }
            }
        }
    }

    // ================================================================ running calls

    /**
     * Runs {@code call} if permitted, recording its outcome and duration.
     *
     * @throws CallNotPermittedException if the breaker refuses the call
     * @throws Exception                 what the call threw
     */
    public <T> T execute(Callable<T> call) throws Exception {
        Objects.requireNonNull(call, "call");
        long permit = tryAcquirePermission();
        if (permit == NOT_PERMITTED) {
            throw new CallNotPermittedException(name, state.kind);
        }
        long start = clock.nanoTime();
        T result;
        try {
            result = call.call();
        } catch (Throwable t) {
            onError(permit, clock.nanoTime() - start, t);
            throw t;
        }
        onResult(permit, clock.nanoTime() - start, result);
        return result;
    }

    /**
     * Runs {@code call} if permitted (for calls that throw no checked exception).
     *
     * @throws CallNotPermittedException if the breaker refuses the call
     */
    public void run(Runnable call) {
        Objects.requireNonNull(call, "call");
        long permit = tryAcquirePermission();
        if (permit == NOT_PERMITTED) {
            throw new CallNotPermittedException(name, state.kind);
        }
        long start = clock.nanoTime();
        try {
            call.run();
        } catch (Throwable t) {
            onError(permit, clock.nanoTime() - start, t);
            throw t;
        }
        onSuccess(permit, clock.nanoTime() - start);
    }

    // ================================================================ transitions

    /**
     * CASes {@code from} to {@code to}; the winner alone logs (rate-limited, at the time the new
     * epoch was entered: no extra clock read) and notifies.
     */
    private boolean transition(BreakerEpoch from, BreakerEpoch to, String reason) {
        if (!STATE.compareAndSet(this, from, to)) {
            return false;
        }
        transitions.incrementAndGet();
        log.transition(to.enteredNanos, from.kind, to.kind, reason);
        if (hasListeners) {
            for (CircuitBreakerListener l : listeners) {
                try {
                    l.onStateTransition(this, from.kind, to.kind, reason);
                } catch (RuntimeException e) {
                    LOG.warn("circuit breaker {}: a listener threw", name, e);
                }
            }
        }
        return true;
    }

    private void force(CircuitState kind, String reason) {
        for (;;) {
            BreakerEpoch s = state;
            long now = clock.nanoTime();
            BreakerEpoch next;
            switch (kind) {
                case CLOSED:
                    next = BreakerEpoch.closed(config, s.number + 1, now);
                    break;
                case OPEN:
                    next = BreakerEpoch.open(config, s, now);
                    break;
                case HALF_OPEN:
                    next = BreakerEpoch.halfOpen(config, s, now);
                    break;
                default:
                    next = new BreakerEpoch(kind, s.number + 1, now, 0, 0, 0,
                            kind == CircuitState.METRICS_ONLY ? Window.create(config, now) : null);
            }
            if (transition(s, next, reason)) {
                return;
            }
        }
    }

    /** Closes the breaker by hand, with an empty window. */
    public void transitionToClosed() {
        force(CircuitState.CLOSED, "by hand");
    }

    /** Opens the breaker by hand, for the configured open duration. */
    public void transitionToOpen() {
        force(CircuitState.OPEN, "by hand");
    }

    /** Half-opens the breaker by hand. */
    public void transitionToHalfOpen() {
        force(CircuitState.HALF_OPEN, "by hand");
    }

    /** Every call passes, nothing is measured, until another transition by hand. */
    public void transitionToDisabled() {
        force(CircuitState.DISABLED, "by hand");
    }

    /** Every call is refused until another transition by hand. */
    public void transitionToForcedOpen() {
        force(CircuitState.FORCED_OPEN, "by hand");
    }

    /** Calls pass and are measured but never trip the breaker, until another transition by hand. */
    public void transitionToMetricsOnly() {
        force(CircuitState.METRICS_ONLY, "by hand");
    }

    /** Back to CLOSED with an empty window and no backoff history. */
    public void reset() {
        force(CircuitState.CLOSED, "reset");
    }

    // ================================================================ figures

    /** A snapshot of the breaker's figures. */
    public record Metrics(
            CircuitState state,
            long epoch,
            long calls,
            long failedCalls,
            long slowCalls,
            float failureRate,
            float slowCallRate,
            int consecutiveFailures,
            int halfOpenTrialsStarted,
            int halfOpenTrialsInFlight,
            int halfOpenSuccesses,
            long notPermittedCalls,
            long staleOutcomes,
            long ignoredErrors,
            long transitions) {
    }

    /**
     * The breaker's figures. Rates are percentages of the window's calls, or -1 while the window
     * holds fewer than {@code minimumNumberOfCalls}.
     */
    public Metrics metrics() {
        BreakerEpoch s = state;
        long counts = s.window == null ? 0 : s.window.snapshot(clock.nanoTime());
        long calls = Window.calls(counts);
        boolean rated = calls >= config.minimumNumberOfCalls();
        long t = s.trials == null ? 0 : s.trials.get();
        return new Metrics(s.kind, s.number, calls, Window.failures(counts), Window.slow(counts),
                rated ? (float) (100.0 * Window.failures(counts) / calls) : -1f,
                rated ? (float) (100.0 * Window.slow(counts) / calls) : -1f,
                s.consecutiveFailures == null ? 0 : s.consecutiveFailures.get(BreakerEpoch.CONSECUTIVE),
                (int) (t >>> 32), (int) t, s.trialSuccesses == null ? 0 : s.trialSuccesses.get(),
                notPermitted.sum(), staleOutcomes.sum(), ignoredErrors.sum(), transitions.get());
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + name + ", " + state.kind + "]";
    }
}
