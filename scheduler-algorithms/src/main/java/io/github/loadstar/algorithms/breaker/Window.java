package io.github.loadstar.algorithms.breaker;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A sliding window of call outcomes, lock-free and allocation-free per call.
 *
 * <p>Counts are returned packed in one {@code long}: calls in bits 0–20, failures in bits 21–41,
 * slow calls in bits 42–62 (saturating at 2^21 − 1 for time windows).
 */
abstract class Window {
    static final long FIELD = (1L << 21) - 1;
    static final long ONE_CALL = 1L;
    static final long ONE_FAILURE = 1L << 21;
    static final long ONE_SLOW = 1L << 42;

    static long calls(long packed) {
        return packed & FIELD;
    }

    static long failures(long packed) {
        return (packed >>> 21) & FIELD;
    }

    static long slow(long packed) {
        return (packed >>> 42) & FIELD;
    }

    /** Records one outcome and returns the window's counts after it. */
    abstract long record(long now, boolean failure, boolean slow);

    /** The window's counts now. */
    abstract long snapshot(long now);

    /** A window for {@code config}, its time buckets counted from {@code now} (the clock may wrap). */
    static Window create(CircuitBreakerConfig config, long now) {
        return config.windowType() == CircuitBreakerConfig.WindowType.COUNT_BASED
                ? new CountWindow(config.windowSize())
                : new TimeWindow(config.windowDurationNanos(), config.windowBuckets(), now);
    }

    /**
     * The last N calls: a ring of outcome codes written with {@code getAndSet}, so each write knows
     * exactly what it evicted, and a packed total adjusted by the difference in one atomic add.
     * The total always equals the sum of the ring (each adjustment matches its own swap).
     *
     * <p>Layout for concurrent callers: the two counters every call updates (the next slot and the
     * totals) share one cache line, padded away from everything else, so a call moves that line to
     * its core once for both updates and never drags read-mostly fields along (false sharing); and
     * consecutive ring slots lie in different lines (docs/benchmarks.md has the two-thread figures,
     * and why they vary so much on a shared VM).
     */
    static final class CountWindow extends Window {
        private static final int PRESENT = 1;
        private static final int FAILED = 2;
        private static final int SLOW = 4;
        /** 16 longs = 128 bytes: two cache lines, enough for adjacent-line prefetching too. */
        private static final int PAD = 16;
        private static final int NEXT = PAD;
        private static final int TOTALS = PAD + 1;
        /** Ints per row of the ring (64 bytes, a cache line's worth). */
        private static final int ROW = 16;

        private final int size;
        /** Rows of the ring: consecutive slots go to consecutive rows, column by column. */
        private final int rows;
        private final AtomicIntegerArray ring;
        private final AtomicLongArray counters = new AtomicLongArray(2 * PAD + 2);

        CountWindow(int size) {
            this.size = size;
            this.rows = (size + ROW - 1) / ROW;
            this.ring = new AtomicIntegerArray((rows + 2) * ROW);      // a row of padding at each end
        }

        @Override
        long record(long now, boolean failure, boolean slow) {
            int code = PRESENT | (failure ? FAILED : 0) | (slow ? SLOW : 0);
            int slot = (int) Long.remainderUnsigned(counters.getAndIncrement(NEXT), size);
            // slot i lives in row i % rows, column i / rows: callers writing consecutive slots at
            // the same time write different cache lines (when the window exceeds one row), with no
            // memory beyond rounding up to whole rows
            int evicted = ring.getAndSet((1 + slot % rows) * ROW + slot / rows, code);
            return counters.addAndGet(TOTALS, packed(code) - packed(evicted));
        }

        @Override
        long snapshot(long now) {
            return counters.get(TOTALS);
        }

        private static long packed(int code) {
            if (code == 0) {
                return 0;
            }
            return ONE_CALL + ((code & FAILED) != 0 ? ONE_FAILURE : 0) + ((code & SLOW) != 0 ? ONE_SLOW : 0);
        }
    }

    /**
     * The calls of the last D, in B buckets of D/B each (bounded memory, whatever the call rate).
     * Each counter is tagged with the period it counts ({@code period << 36 | count}), so a bucket
     * is reused for a new period by whichever thread records first, without a lock; a snapshot
     * counts only buckets whose tag is one of the last B periods. The window slides one bucket at a
     * time: the oldest bucket may be partly outside D. Tags keep 28 bits of the period, so a bucket
     * left untouched for exactly a multiple of 2^28 bucket lengths (74 hours at 1 ms buckets) would
     * be read as current; counts saturate at 2^36 per bucket.
     */
    static final class TimeWindow extends Window {
        private static final int TAG_SHIFT = 36;
        private static final long TAG_MASK = (1L << 28) - 1;
        private static final long COUNT_MASK = (1L << TAG_SHIFT) - 1;

        private final long bucketNanos;
        private final int buckets;
        /** 3 counters per bucket: calls, failures, slow calls. */
        private final AtomicLongArray counters;
        /**
         * Buckets are numbered from here: a reading's bucket is (now - origin) / bucketNanos, a
         * difference, so a clock that wraps past Long.MAX_VALUE keeps its buckets in sequence (the
         * raw reading divided jumps by 2^64 / bucketNanos at the wrap, emptying the window).
         */
        private final long origin;

        TimeWindow(long durationNanos, int buckets, long origin) {
            this.origin = origin;
            this.buckets = buckets;
            this.bucketNanos = durationNanos / buckets;
            this.counters = new AtomicLongArray(3 * buckets);
        }

        @Override
        long record(long now, boolean failure, boolean slow) {
            long period = Math.floorDiv(now - origin, bucketNanos);
            int bucket = (int) Math.floorMod(period, (long) buckets);
            long tag = period & TAG_MASK;
            increment(3 * bucket, tag);
            if (failure) {
                increment(3 * bucket + 1, tag);
            }
            if (slow) {
                increment(3 * bucket + 2, tag);
            }
            return snapshot(now);
        }

        private void increment(int index, long tag) {
            for (;;) {
                long v = counters.get(index);
                long next = (v >>> TAG_SHIFT) == tag ? v + 1 : (tag << TAG_SHIFT) | 1;
                if ((next & COUNT_MASK) == 0) {
                    return;     // saturated
                }
                if (counters.compareAndSet(index, v, next)) {
                    return;
                }
            }
        }

        @Override
        long snapshot(long now) {
            long period = Math.floorDiv(now - origin, bucketNanos);
            long calls = 0;
            long failures = 0;
            long slowCalls = 0;
            for (int k = 0; k < buckets; k++) {
                long p = period - k;
                int bucket = (int) Math.floorMod(p, (long) buckets);
                long tag = p & TAG_MASK;
                calls += countIf(3 * bucket, tag);
                failures += countIf(3 * bucket + 1, tag);
                slowCalls += countIf(3 * bucket + 2, tag);
            }
            return Math.min(calls, FIELD) | (Math.min(failures, FIELD) << 21) | (Math.min(slowCalls, FIELD) << 42);
        }

        private long countIf(int index, long tag) {
            long v = counters.get(index);
            return (v >>> TAG_SHIFT) == tag ? v & COUNT_MASK : 0;
        }
    }
}
