package io.github.loadstar.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts finished tasks without a contended write (a LongAdder cell per core), and lets the
 * benchmark thread wait for a target without burning a core the workers need: it polls the sum
 * and parks for 10 µs between polls. Every executor pays the same for it.
 *
 * <p>It also checks the count, so that no benchmark can drop or repeat work unnoticed:
 * <ul>
 *   <li>{@link #await} throws {@link IllegalStateException} if the count is above the target when
 *       the wait ends (a task ran twice), or if it has not moved for {@value #STALL_SECONDS} s
 *       while below the target (a task was lost: without this the wait would never end);</li>
 *   <li>{@link #reset} throws {@link IllegalStateException} if the count moved after the last
 *       {@code await} returned (a task counted late, i.e. more tasks ran than were awaited).</li>
 * </ul>
 * The clock is read only on the parking path (once per 10 µs park), never per task.
 */
final class Completion {
    /** How long the count may stand still below the target before the wait gives up. */
    static final long STALL_SECONDS = 10;
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(STALL_SECONDS);

    private final LongAdder done = new LongAdder();
    /** The target of the last {@link #await} that returned, or -1 (none since the last reset). */
    private long awaited = -1;

    void increment() {
        done.increment();
    }

    /** Sets the count to 0, after checking that nothing was counted since the last wait returned. */
    void reset() {
        long last = awaited;
        awaited = -1;
        long count = done.sumThenReset();
        if (last >= 0 && count != last) {
            throw new IllegalStateException(count + " tasks counted, but the wait returned at " + last
                    + ": " + (count - last) + " task(s) ran after it (duplicated work)");
        }
    }

    /**
     * Waits until {@code target} tasks have counted themselves, then checks that no more did.
     *
     * @throws IllegalStateException if more than {@code target} were counted, or the count stalled
     *                               below it for {@value #STALL_SECONDS} s
     */
    void await(long target) {
        int spins = 0;
        long seen = -1;
        long since = 0;
        long count;
        while ((count = done.sum()) < target) {
            if (++spins < 64) {
                Thread.onSpinWait();
            } else {
                long now = System.nanoTime();
                if (count != seen) {
                    seen = count;
                    since = now;
                } else if (now - since > STALL_NANOS) {
                    throw new IllegalStateException("only " + count + " of " + target + " tasks ran; no progress for "
                            + STALL_SECONDS + " s (lost work)");
                }
                LockSupport.parkNanos(10_000L);
            }
        }
        if (count > target) {
            throw new IllegalStateException(count + " tasks counted, " + target + " submitted (duplicated work)");
        }
        awaited = target;
    }
}
