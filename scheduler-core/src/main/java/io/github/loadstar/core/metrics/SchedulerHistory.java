package io.github.loadstar.core.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The scheduler's memory: snapshots taken every sampling interval by its coordinator thread, the
 * newest last, at most as many as the builder's {@code historySize} (the oldest are dropped, so
 * memory is bounded however long the scheduler runs). A final snapshot is taken when the scheduler
 * terminates, so the history of a terminated scheduler ends with its final counts.
 *
 * @param intervalNanos the sampling interval
 * @param samples       the snapshots, oldest first
 */
public record SchedulerHistory(long intervalNanos, List<SchedulerMetrics> samples) {

    public SchedulerHistory {
        samples = List.copyOf(Objects.requireNonNull(samples, "samples"));
    }

    /** Whether no snapshot was taken yet. */
    public boolean isEmpty() {
        return samples.isEmpty();
    }

    /** The newest snapshot. @throws IllegalStateException if there is none */
    public SchedulerMetrics latest() {
        if (samples.isEmpty()) {
            throw new IllegalStateException("no snapshot yet");
        }
        return samples.get(samples.size() - 1);
    }

    /**
     * The figures over the newest {@code span} of the history: from the newest snapshot back to
     * the oldest one taken no earlier than {@code span} before it (the whole history if it is
     * shorter); {@link WindowFigures#none()} while the history is empty.
     *
     * @throws NullPointerException     if {@code span} is null
     * @throws IllegalArgumentException if {@code span} is negative
     */
    public WindowFigures window(Duration span) {
        List<SchedulerMetrics> in = within(span);
        return in.isEmpty() ? WindowFigures.none() : WindowFigures.of(in);
    }

    /**
     * The snapshots of the newest {@code span}: from the newest back to the oldest taken no earlier
     * than {@code span} before it; empty while the history is.
     *
     * @throws NullPointerException     if {@code span} is null
     * @throws IllegalArgumentException if {@code span} is negative
     */
    public List<SchedulerMetrics> within(Duration span) {
        Objects.requireNonNull(span, "span");
        if (span.isNegative()) {
            throw new IllegalArgumentException("span must not be negative: " + span);
        }
        if (samples.isEmpty()) {
            return List.of();
        }
        long newest = latest().uptimeNanos();
        long spanNanos = span.toNanos();
        int first = samples.size() - 1;
        while (first > 0 && newest - samples.get(first - 1).uptimeNanos() <= spanNanos) {
            first--;
        }
        return samples.subList(first, samples.size());
    }

    /**
     * The recurring patterns in the newest {@code span} ({@link LoadPatterns#find}).
     *
     * @throws NullPointerException     if {@code span} is null
     * @throws IllegalArgumentException if {@code span} is negative
     */
    public List<LoadPattern> patterns(Duration span) {
        return LoadPatterns.find(within(span));
    }

    /** The figures over the whole history; {@link WindowFigures#none()} while it is empty. */
    public WindowFigures whole() {
        return samples.isEmpty() ? WindowFigures.none() : WindowFigures.of(samples);
    }
}
