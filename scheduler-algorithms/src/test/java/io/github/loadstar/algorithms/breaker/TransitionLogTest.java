package io.github.loadstar.algorithms.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The rate limit on transition log lines: a burst, then one line per period, each reporting the
 * transitions it did not log; exact accounting; and the breaker wired to it (a flapping breaker
 * writes a handful of lines, not one per transition). All on a virtual clock near the wrap point.
 */
final class TransitionLogTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    private static final Pattern NOT_LOGGED = Pattern.compile("([0-9,]+) transitions? in the last [0-9.]+ s not logged");

    /** Collects lines. */
    private static final class Lines implements TransitionLog.Sink {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final List<Boolean> warn = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void write(boolean warn, String line) {
            lines.add(line);
            this.warn.add(warn);
        }

        /** The transitions the lines say they did not log. */
        long reported() {
            long sum = 0;
            synchronized (lines) {
                for (String l : lines) {
                    Matcher m = NOT_LOGGED.matcher(l);
                    if (m.find()) {
                        sum += Long.parseLong(m.group(1).replace(",", ""));
                    }
                }
            }
            return sum;
        }
    }

    private static CircuitState flip(int i) {
        return i % 2 == 0 ? CircuitState.OPEN : CircuitState.HALF_OPEN;
    }

    @Test
    void tenThousandTransitionsInOneSecondWriteAHandfulOfLinesAndTheNextLineCountsTheRest() {
        VirtualClock clock = new VirtualClock();
        Lines sink = new Lines();
        TransitionLog log = new TransitionLog("flappy", sink, clock.nanoTime());
        for (int i = 0; i < 10_000; i++) {
            clock.advance(100_000);                         // 10,000 in one virtual second
            log.transition(clock.nanoTime(), flip(i + 1), flip(i), "test");
        }
        assertEquals(TransitionLog.BURST, sink.lines.size(), "the burst, then nothing: " + sink.lines);
        assertEquals(10_000 - TransitionLog.BURST, log.pending());

        log.flush(clock.nanoTime(), CircuitState.OPEN);
        assertEquals(TransitionLog.BURST, sink.lines.size(), "no line allowed yet, so no summary yet");

        clock.advance(TransitionLog.PERIOD_NANOS);
        log.transition(clock.nanoTime(), CircuitState.OPEN, CircuitState.HALF_OPEN, "open duration elapsed");
        assertEquals(TransitionLog.BURST + 1, sink.lines.size());
        String summary = sink.lines.get(sink.lines.size() - 1);
        assertTrue(summary.startsWith("circuit breaker flappy: OPEN -> HALF_OPEN (open duration elapsed); 9,996 "
                + "transitions in the last "), summary);
        assertTrue(sink.warn.get(sink.warn.size() - 1), "a line that reports unlogged transitions is a warning");
        assertEquals(0, log.pending());
        assertEquals(10_001, sink.lines.size() + sink.reported(), "every transition is a line or counted in one");
    }

    @Test
    void aQuietBreakerLogsEveryTransitionOfEachEpisode() {
        VirtualClock clock = new VirtualClock();
        Lines sink = new Lines();
        TransitionLog log = new TransitionLog("calm", sink, clock.nanoTime());
        for (int episode = 0; episode < 100; episode++) {
            log.transition(clock.nanoTime(), CircuitState.CLOSED, CircuitState.OPEN, "5 consecutive failures");
            clock.advance(60 * SECOND);
            log.transition(clock.nanoTime(), CircuitState.OPEN, CircuitState.HALF_OPEN, "open duration elapsed");
            clock.advance(5 * MS);
            log.transition(clock.nanoTime(), CircuitState.HALF_OPEN, CircuitState.CLOSED, "3 half-open trials succeeded");
            clock.advance(10 * SECOND);
        }
        assertEquals(300, sink.lines.size(), "one line per transition, none held back");
        assertEquals(0, log.pending());
        assertEquals("circuit breaker calm: CLOSED -> OPEN (5 consecutive failures)", sink.lines.get(0));
        assertEquals(List.of(true, false, false), sink.warn.subList(0, 3), "openings warn, the rest is info");
    }

    @Test
    void sustainedFlappingWritesOneLinePerPeriod() {
        VirtualClock clock = new VirtualClock();
        Lines sink = new Lines();
        TransitionLog log = new TransitionLog("flapping", sink, clock.nanoTime());
        int transitions = 0;
        for (int ms = 0; ms < 100_000; ms++) {              // 1,000 a second for 100 s
            clock.advance(MS);
            log.transition(clock.nanoTime(), flip(ms + 1), flip(ms), "test");
            transitions++;
        }
        long periods = 100 * SECOND / TransitionLog.PERIOD_NANOS;
        assertTrue(sink.lines.size() <= TransitionLog.BURST + periods, sink.lines.size() + " lines");
        assertTrue(sink.lines.size() >= periods, "a line every period still: " + sink.lines.size());
        assertEquals(transitions, sink.lines.size() + sink.reported() + log.pending());
    }

    @Test
    void flushReportsThePendingCountAndTheCurrentStateOnceALineIsAllowed() {
        VirtualClock clock = new VirtualClock();
        Lines sink = new Lines();
        TransitionLog log = new TransitionLog("settled", sink, clock.nanoTime());
        for (int i = 0; i < 50; i++) {
            log.transition(clock.nanoTime(), flip(i + 1), flip(i), "test");
        }
        clock.advance(TransitionLog.PERIOD_NANOS);
        log.flush(clock.nanoTime(), CircuitState.OPEN);
        String last = sink.lines.get(sink.lines.size() - 1);
        assertTrue(last.matches("circuit breaker settled: 46 transitions in the last 10\\.0 s not logged "
                + "\\(rate limit\\); now OPEN"), last);
        int lines = sink.lines.size();
        log.flush(clock.nanoTime(), CircuitState.OPEN);
        clock.advance(TransitionLog.PERIOD_NANOS);
        log.flush(clock.nanoTime(), CircuitState.OPEN);
        assertEquals(lines, sink.lines.size(), "nothing pending: flush writes nothing");
    }

    @Test
    void racingTransitionsAreEachLoggedOrCountedExactlyOnce() throws Exception {
        AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 3 * SECOND);
        Lines sink = new Lines();
        TransitionLog log = new TransitionLog("racing", sink, clock.get());
        int threads = 4;
        int each = 50_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < each; i++) {
                    long now = clock.addAndGet(1_000_000);        // 200 virtual seconds in all
                    if (i % 1_000 == 0) {
                        log.flush(now, CircuitState.OPEN);
                    } else {
                        log.transition(now, flip(i + 1), flip(i), "race");
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        long transitions = (long) threads * (each - each / 1_000);
        assertEquals(transitions, sink.lines.stream().filter(l -> l.contains(" -> ")).count() + sink.reported()
                + log.pending(), "lines + reported + pending = transitions");
        assertTrue(sink.lines.size() <= TransitionLog.BURST + 200 * SECOND / TransitionLog.PERIOD_NANOS + 1,
                sink.lines.size() + " lines");
    }

    /** The breaker itself, flapping: OPEN and HALF_OPEN alternate 10,000 times in a virtual second. */
    @Test
    void aBreakerFlappingTenThousandTimesASecondWritesAHandfulOfLines() {
        VirtualClock clock = new VirtualClock();
        long start = clock.nanoTime();
        Lines sink = new Lines();
        CircuitBreaker b = CircuitBreaker.of("flapping", CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(1).openDuration(Duration.ofNanos(50_000)).halfOpenTrials(1, 1)
                .halfOpenSuccessThreshold(1).build(), sink);
        b.onError(b.tryAcquirePermission(), MS, new IOException("down"));
        while (b.metrics().transitions() < 10_000) {
            clock.advance(50_001);                                  // just past the open duration
            long trial = b.tryAcquirePermission();                  // OPEN -> HALF_OPEN
            b.onError(trial, MS, new IOException("still down"));    // HALF_OPEN -> OPEN
        }
        long flood = b.metrics().transitions();
        assertTrue(clock.nanoTime() - start <= SECOND, "within one virtual second");
        assertEquals(TransitionLog.BURST, sink.lines.size(), sink.lines.toString());
        assertEquals(CircuitState.OPEN, b.state());

        clock.advance(TransitionLog.PERIOD_NANOS);
        assertNotEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission(), "past the open duration: a trial");
        assertEquals(TransitionLog.BURST + 1, sink.lines.size(), "that call half-opened it: one more line");
        String last = sink.lines.get(sink.lines.size() - 1);
        String held = String.format(java.util.Locale.ROOT, "%,d transitions", flood - TransitionLog.BURST);
        assertTrue(last.contains("OPEN -> HALF_OPEN") && last.contains(held), last);
        assertEquals(b.metrics().transitions(), sink.lines.size() + sink.reported(), "every transition accounted for");
    }

    /** A call refused while OPEN writes the pending summary, with the state, once a line is allowed. */
    @Test
    void aRefusedCallWritesThePendingSummary() {
        VirtualClock clock = new VirtualClock();
        Lines sink = new Lines();
        CircuitBreaker b = CircuitBreaker.of("refusing", CircuitBreakerConfig.builder().clock(clock)
                .consecutiveFailureThreshold(1).openDuration(Duration.ofMinutes(1)).halfOpenTrials(1, 1)
                .halfOpenSuccessThreshold(1).build(), sink);
        b.onError(b.tryAcquirePermission(), MS, new IOException("down"));
        for (int i = 0; i < 20; i++) {
            b.transitionToHalfOpen();
            b.onError(b.tryAcquirePermission(), MS, new IOException("still down"));
        }
        assertEquals(41, b.metrics().transitions());
        assertEquals(TransitionLog.BURST, sink.lines.size());
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission());
        assertEquals(TransitionLog.BURST, sink.lines.size(), "refused, but no line is allowed yet");
        clock.advance(TransitionLog.PERIOD_NANOS);
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission(), "still open: a minute");
        assertEquals(TransitionLog.BURST + 1, sink.lines.size());
        assertEquals("circuit breaker refusing: 37 transitions in the last 10.0 s not logged (rate limit); now OPEN",
                sink.lines.get(TransitionLog.BURST));
        assertEquals(CircuitBreaker.NOT_PERMITTED, b.tryAcquirePermission());
        assertEquals(TransitionLog.BURST + 1, sink.lines.size(), "nothing more to report");
        assertEquals(b.metrics().transitions(), sink.lines.size() - 1 + sink.reported());
    }

    /** Through SLF4J (slf4j-simple on the test path, writing to System.err at WARN and above). */
    @Test
    void theDefaultSinkIsSlf4jAndAFloodStaysAFewLines() throws Exception {
        VirtualClock clock = new VirtualClock();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            CircuitBreaker b = CircuitBreaker.of("slf4j-flood", CircuitBreakerConfig.builder().clock(clock)
                    .consecutiveFailureThreshold(1).openDuration(Duration.ofNanos(50_000)).halfOpenTrials(1, 1)
                    .halfOpenSuccessThreshold(1).build());
            b.onError(b.tryAcquirePermission(), MS, new IOException("down"));
            while (b.metrics().transitions() < 10_000) {
                clock.advance(50_001);
                b.onError(b.tryAcquirePermission(), MS, new IOException("still down"));
            }
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("circuit breaker slf4j-flood")).toList();
        assertFalse(lines.isEmpty(), "the lines reach SLF4J");
        assertTrue(lines.size() <= TransitionLog.BURST, lines.toString());
        assertTrue(lines.get(0).contains("WARN") && lines.get(0).contains("CLOSED -> OPEN"), lines.get(0));
    }
}
