package io.github.loadstar.algorithms.breaker;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One breaker's transition log lines, rate-limited: at most one line per transition, and no more
 * than {@link #BURST} lines at once and one per {@link #PERIOD_NANOS} on average after that. A
 * transition that finds no line allowed is only counted; the next line written (the next allowed
 * transition, or {@link #flush}) reports how many were not logged and over what time, so a breaker
 * that flaps a thousand times a second writes a line every ten seconds, not a thousand.
 *
 * <p>The limit is a generic cell rate algorithm (a token bucket kept as one time): {@code due} is
 * the theoretical time of the next line; a line at {@code now} is allowed while {@code due} is at
 * most {@code (BURST - 1) × PERIOD} ahead of {@code now}, and each allowed line moves {@code due}
 * one period on from {@code max(due, now)}. A quiet breaker therefore gets its full burst back.
 *
 * <p>Lock-free and allocation-free unless a line is written: one CAS on {@code due} decides, a
 * suppressed transition is one atomic increment. Times come from the caller (the breaker's clock,
 * read for the transition anyway) and are compared by the sign of their difference, so clocks may
 * wrap. Accounting is exact under races: every transition either writes a line or adds one to
 * {@code suppressed}, and each count taken with {@code getAndSet(0)} goes into exactly one line, so
 * lines + reported counts + {@link #pending()} = transitions.
 */
final class TransitionLog {
    /** Where lines go: SLF4J in production, a list in tests. */
    interface Sink {
        /** Writes one line; {@code warn} for a line that reports an opening or suppressed transitions. */
        void write(boolean warn, String line);
    }

    /**
     * Lines go to SLF4J under CircuitBreaker's logger: WARN for openings and for lines reporting
     * unlogged transitions, INFO otherwise.
     */
    static final Sink SLF4J = new Sink() {
        private final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);

        @Override
        public void write(boolean warn, String line) {
            if (warn) {
                log.warn(line);
            } else {
                log.info(line);
            }
        }
    };

    /** Lines allowed at once before the rate limit applies. An episode (open, half-open, close) is three. */
    static final int BURST = 4;
    /** The sustained rate: one line per this many nanoseconds (10 s). */
    static final long PERIOD_NANOS = 10_000_000_000L;
    private static final long TOLERANCE_NANOS = (BURST - 1) * PERIOD_NANOS;

    private final String name;
    private final Sink sink;
    private final AtomicLong due;
    private final AtomicLong suppressed = new AtomicLong();
    /** When the last line was written (approximate under races; only used in the text). */
    private final AtomicLong lastLineNanos;

    TransitionLog(String name, Sink sink, long nowNanos) {
        this.name = name;
        this.sink = sink;
        this.due = new AtomicLong(nowNanos);
        this.lastLineNanos = new AtomicLong(nowNanos);
    }

    /** Transitions counted but not yet reported in a line. */
    long pending() {
        return suppressed.get();
    }

    /** The breaker moved {@code from} → {@code to} at {@code nowNanos}: one line, or one count. */
    void transition(long nowNanos, CircuitState from, CircuitState to, String reason) {
        if (!allowed(nowNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long notLogged = suppressed.getAndSet(0);
        long since = lastLineNanos.getAndSet(nowNanos);
        boolean opening = to == CircuitState.OPEN || to == CircuitState.FORCED_OPEN;
        String line = "circuit breaker " + name + ": " + from + " -> " + to + " (" + reason + ")";
        if (notLogged > 0) {
            line += "; " + notLogged(notLogged, nowNanos - since);
        }
        sink.write(opening || notLogged > 0, line);
    }

    /**
     * If transitions are waiting to be reported and a line is allowed at {@code nowNanos}, writes
     * one line that reports them and the state the breaker is in. Cheap when nothing is pending:
     * one volatile read.
     */
    void flush(long nowNanos, CircuitState current) {
        if (suppressed.get() == 0 || !allowed(nowNanos)) {
            return;
        }
        long notLogged = suppressed.getAndSet(0);
        long since = lastLineNanos.getAndSet(nowNanos);
        if (notLogged == 0) {
            return;     // a racing line reported them; the slot taken is simply unused
        }
        sink.write(true, "circuit breaker " + name + ": " + notLogged(notLogged, nowNanos - since) + "; now " + current);
    }

    private static String notLogged(long count, long overNanos) {
        return String.format(Locale.ROOT, "%,d %s in the last %.1f s not logged (rate limit)", count,
                count == 1 ? "transition" : "transitions", Math.max(0, overNanos) / 1e9);
    }

    /** Takes a line slot at {@code now} if the rate allows one. */
    private boolean allowed(long now) {
        for (;;) {
            long d = due.get();
            long start = d - now < 0 ? now : d;         // max(due, now), wrap-safe
            if (start - now > TOLERANCE_NANOS) {
                return false;
            }
            if (due.compareAndSet(d, start + PERIOD_NANOS)) {
                return true;
            }
        }
    }
}
