package io.github.loadstar.bench;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a deadline on {@link System#nanoTime()} with microsecond accuracy without holding a
 * core for the whole wait: it parks while the deadline is far, then spins
 * ({@link Thread#onSpinWait()}) for only the last {@value #SPIN_NANOS} ns. For a producer that
 * shares a 2-core machine with the workers it feeds.
 *
 * <p>{@code LockSupport.parkNanos(t)} overshoots {@code t}: on Linux a timed park ends after the
 * requested time plus the thread's timer slack (50 µs by default) plus the wake-up itself; on the
 * project's 2-vCPU VM (JDK 17) the overshoot measured 71–77 µs median, 75–82 µs p90 and 95–120 µs
 * p99 for parks of 50 to 100 µs. So the pacer asks the park for the remaining time minus the spin
 * stretch minus the overshoot it expects, and learns that overshoot as it goes: seeded by
 * {@value #CALIBRATION_PARKS} test parks when it is made, then a running mean (weight 1/8) of the
 * overshoots it sees, each clamped to [0, {@value #MAX_OVERSHOOT_NANOS}] ns so that one long
 * descheduling does not make it spin for a long time afterwards. The spin stretch absorbs an
 * overshoot up to {@value #SPIN_NANOS} ns above the expected one; a larger one makes the wait end
 * late, which the caller measures.
 *
 * <p>Consequence: a deadline closer than the spin stretch plus the expected overshoot (about
 * 100 µs here) is reached by spinning alone — a park could not end in time. A paced producer's own
 * CPU therefore grows with the share of short gaps in its schedule; the caller reports it.
 *
 * <p>One thread only (it keeps its estimate in a plain field).
 */
final class Pacer {
    /** The last stretch before a deadline, spun rather than parked. */
    static final long SPIN_NANOS = 30_000L;
    /** Largest overshoot one park may contribute to the estimate. */
    static final long MAX_OVERSHOOT_NANOS = 300_000L;
    /** Test parks made by the constructor to seed the estimate. */
    static final int CALIBRATION_PARKS = 64;
    private static final long CALIBRATION_PARK_NANOS = 50_000L;

    /** The overshoot a park is expected to have, in ns. */
    private long overshoot;

    /** Makes a pacer, seeding its overshoot estimate with the median of a few test parks (~8 ms). */
    Pacer() {
        long[] seen = new long[CALIBRATION_PARKS];
        for (int i = 0; i < seen.length; i++) {
            long t = System.nanoTime();
            LockSupport.parkNanos(CALIBRATION_PARK_NANOS);
            seen[i] = clamp(System.nanoTime() - t - CALIBRATION_PARK_NANOS);
        }
        Arrays.sort(seen);
        overshoot = seen[seen.length / 2];
    }

    /** The overshoot the next park is expected to have, in ns. */
    long expectedOvershootNanos() {
        return overshoot;
    }

    /**
     * Returns once {@code System.nanoTime() - deadline >= 0}: at once if the deadline has passed,
     * else after parking (while it is far) and spinning (for the last stretch).
     */
    void awaitDeadline(long deadline) {
        long now = System.nanoTime();
        long remaining;
        while ((remaining = deadline - now) > SPIN_NANOS + overshoot) {
            long ask = remaining - SPIN_NANOS - overshoot;
            LockSupport.parkNanos(ask);
            long woke = System.nanoTime();
            overshoot += (clamp(woke - now - ask) - overshoot) >> 3;
            now = woke;
        }
        while (now - deadline < 0) {
            Thread.onSpinWait();
            now = System.nanoTime();
        }
    }

    private static long clamp(long overshootNanos) {
        return Math.max(0L, Math.min(MAX_OVERSHOOT_NANOS, overshootNanos));
    }
}
