package io.github.loadstar.core.metrics;

import java.util.Map;
import java.util.Objects;

/**
 * A shape that recurs in the history — the specification's "load-balancing patterns" — found by
 * {@link LoadPatterns#find}: not a single bad figure (that is a {@link Finding}) but something that
 * keeps happening, which tells an operator what to tune.
 *
 * @param kind        what recurs
 * @param subject     what it is about ({@code agent 2}, {@code pool}, {@code arrivals})
 * @param description one line for people, with the figures
 * @param evidence    the figures it rests on, by name, in the order found
 */
public record LoadPattern(Kind kind, String subject, String description, Map<String, Double> evidence) {

    /** What recurs. */
    public enum Kind {
        /**
         * One agent holds the most queued load per unit of capacity in most snapshots in which the
         * pool is imbalanced: its placement (affinity, pinning) or its capacity is wrong, not chance.
         */
        HOT_AGENT,
        /**
         * The pool becomes imbalanced again and again after returning to balance: the push path
         * corrects it but the cause stays (bursts onto one agent); a lower steal threshold, a shorter
         * rebalancing interval or another placement may hold it.
         */
        RECURRING_IMBALANCE,
        /**
         * Arrivals rise and fall with a period (autocorrelation): capacity can follow the load, and the
         * topology optimiser's window should span at least one period.
         */
        PERIODIC_LOAD
    }

    public LoadPattern {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(description, "description");
        evidence = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(evidence));
    }

    @Override
    public String toString() {
        return kind + " (" + subject + "): " + description;
    }
}
