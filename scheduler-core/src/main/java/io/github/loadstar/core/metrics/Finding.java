package io.github.loadstar.core.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One bottleneck the analysis found: what it is, how bad, where, the figures that show it (and over
 * what stretch), and what to do.
 *
 * @param kind      what was found
 * @param severity  how much it costs now
 * @param component where: {@code agents}, {@code tenants}, {@code queues} or {@code breakers}, with the
 *                  agent or tenant ({@code agent 0}, {@code tenant billing})
 * @param evidence  the figures, by name, in the order they make the case
 * @param action    what to do about it
 */
public record Finding(Kind kind, Severity severity, String component, Map<String, Double> evidence, String action) {

    public Finding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(action, "action");
        evidence = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(evidence, "evidence")));
        if (evidence.isEmpty()) {
            throw new IllegalArgumentException("a finding needs evidence");
        }
    }

    /**
     * The finding as JSON: {@code {"kind":…,"severity":…,"component":…,"evidence":{name: value…},
     * "action":…}}.
     */
    public String toJson() {
        StringBuilder s = new StringBuilder("{");
        Json.field(s, "kind", kind.name()).append(',');
        Json.field(s, "severity", severity.name()).append(',');
        Json.field(s, "component", component).append(",\"evidence\":");
        Json.numbers(s, evidence).append(',');
        return Json.field(s, "action", action).append('}').toString();
    }

    /** What a finding is about. */
    public enum Kind {
        /** One agent holds far more than its share of queued work, and steals do not reach it. */
        OVERLOADED_AGENT,
        /** A tenant with work waiting received far less than its weight's share while others were served. */
        STARVED_TENANT,
        /** An agent's circuit breaker is open (or half-open): its work goes elsewhere or waits. */
        BREAKER_OPEN,
        /**
         * Low CPU use with work waiting: the agents are inside tasks nearly all the time, but those
         * tasks use little CPU — they block (I/O, locks, sleeps) and hold the agents while work queues.
         */
        BLOCKING_TASKS,
        /** The share of tasks that finish after their deadline is growing over the window. */
        DEADLINE_MISSES_GROWING,
        /**
         * Work waits in the shared injection queue — one queue every producer and agent contends on —
         * rather than in the agents' own queues.
         */
        SHARED_QUEUE_BOTTLENECK
    }

    /** How much a finding costs now. */
    public enum Severity {
        INFO, WARNING, CRITICAL
    }
}
