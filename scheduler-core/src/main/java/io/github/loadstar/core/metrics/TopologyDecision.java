package io.github.loadstar.core.metrics;

import io.github.loadstar.core.TopologyConfig;
import java.util.Map;

/**
 * One decision of the topology optimiser, applied or not, with its evidence and prediction; once
 * the next window has passed, what was measured there.
 *
 * @param atSeconds             the scheduler's uptime at the decision
 * @param action                what it decided
 * @param objective             what it improves
 * @param agentsBefore          agents at the decision
 * @param current               the objective's value the model gives for {@code agentsBefore}
 *                              (tasks per second, or seconds of p99 wait)
 * @param predicted             the value it predicts after the action (for NONE: after the best
 *                              change it looked at)
 * @param predictedImprovement  the relative improvement predicted (0.25: 25 %); a removal's is the
 *                              agent it saves (1 / agents) when the objective is predicted to hold
 * @param applied               whether the change was made
 * @param reason                why, in words
 * @param evidence              the window's measurements (see {@link TopologyModel.Inputs})
 * @param measuredBefore        the objective measured in the decision's window (throughput; for
 *                              latency the mean wait by Little's law, L / λ)
 * @param measuredAfter         the same, measured in the next window; NaN until {@code checked}
 * @param checked               whether the next window has been measured
 */
public record TopologyDecision(double atSeconds, Action action, TopologyConfig.Objective objective, int agentsBefore,
                               double current, double predicted, double predictedImprovement, boolean applied,
                               String reason, Map<String, Double> evidence, double measuredBefore,
                               double measuredAfter, boolean checked) {
    /** What the optimiser decided. */
    public enum Action {
        ADD_AGENT, REMOVE_AGENT,
        /** Capacities set to the agents' measured speeds (the evidence holds them, before and after). */
        SET_CAPACITIES,
        NONE
    }

    public TopologyDecision {
        evidence = Map.copyOf(evidence);
    }

    /**
     * The relative improvement measured from the decision's window to the next (throughput up, or
     * mean wait down, is positive); NaN until checked.
     */
    public double measuredImprovement() {
        if (!checked || measuredBefore == 0 || Double.isNaN(measuredAfter)) {
            return Double.NaN;
        }
        return objective == TopologyConfig.Objective.THROUGHPUT
                ? measuredAfter / measuredBefore - 1
                : (measuredBefore - measuredAfter) / measuredBefore;
    }

    /** This decision with the next window's measurement. */
    public TopologyDecision checkedWith(double measured) {
        return new TopologyDecision(atSeconds, action, objective, agentsBefore, current, predicted, predictedImprovement,
                applied, reason, evidence, measuredBefore, measured, true);
    }

    /**
     * The decision as JSON: every component by its name ({@code evidence} as an object, numbers that
     * are not finite as null) and {@code measuredImprovement}.
     */
    public String toJson() {
        StringBuilder s = new StringBuilder("{");
        Json.field(s, "atSeconds", atSeconds).append(',');
        Json.field(s, "action", action.name()).append(',');
        Json.field(s, "objective", objective == null ? null : objective.name()).append(',');
        Json.field(s, "agentsBefore", agentsBefore).append(',');
        Json.field(s, "current", current).append(',');
        Json.field(s, "predicted", predicted).append(',');
        Json.field(s, "predictedImprovement", predictedImprovement).append(',');
        s.append("\"applied\":").append(applied).append(',');
        Json.field(s, "reason", reason).append(",\"evidence\":");
        Json.numbers(s, new java.util.TreeMap<>(evidence)).append(',');
        Json.field(s, "measuredBefore", measuredBefore).append(',');
        Json.field(s, "measuredAfter", measuredAfter).append(',');
        s.append("\"checked\":").append(checked).append(',');
        return Json.field(s, "measuredImprovement", measuredImprovement()).append('}').toString();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.1fs %s%s %s: %d agents, %.4g -> predicted %.4g (%+.1f %%)%s; %s",
                atSeconds, action, applied ? "" : " (not applied)", objective, agentsBefore, current, predicted,
                predictedImprovement * 100, checked ? String.format(java.util.Locale.ROOT,
                        ", measured %.4g -> %.4g (%+.1f %%)", measuredBefore, measuredAfter, measuredImprovement() * 100)
                        : "", reason);
    }
}
