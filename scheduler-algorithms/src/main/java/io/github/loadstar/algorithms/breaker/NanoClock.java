package io.github.loadstar.algorithms.breaker;

/**
 * The one monotonic clock every timing decision of a {@link CircuitBreaker} reads (open durations,
 * half-open deadlines, time-based windows). Tests inject a virtual clock; the default is
 * {@link System#nanoTime()}. Values are compared by the sign of their difference.
 */
@FunctionalInterface
public interface NanoClock {
    /** {@link System#nanoTime()}. */
    NanoClock SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; never decreases. */
    long nanoTime();
}
