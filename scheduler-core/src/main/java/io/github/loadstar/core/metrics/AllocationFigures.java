package io.github.loadstar.core.metrics;

import java.util.Map;

/**
 * The batches placed with {@code Scheduler.submitAll} (an allocator's assignment), and the last one.
 *
 * @param batches          batches allocated (whether or not an assignment was found)
 * @param tasksPlaced      tasks submitted by those batches
 * @param allocationNanos  time spent allocating, over all batches
 * @param lastAllocator    the last batch's allocator ("" before any)
 * @param lastStatus       its result's status (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN; "" before any)
 * @param lastObjective    its weighted objective (NaN without an assignment)
 * @param lastValues       its objective values by name (MAKESPAN, UTILIZATION, LOAD_VARIANCE, TOTAL_COST;
 *                         empty without an assignment)
 * @param lastElapsedNanos how long its allocation took
 */
public record AllocationFigures(long batches, long tasksPlaced, long allocationNanos, String lastAllocator,
                                String lastStatus, double lastObjective, Map<String, Double> lastValues,
                                long lastElapsedNanos) {

    public AllocationFigures {
        lastValues = Map.copyOf(lastValues);
    }

    /** No batch yet. */
    public static AllocationFigures none() {
        return new AllocationFigures(0, 0, 0, "", "", Double.NaN, Map.of(), 0);
    }

    /** One line for the report. */
    public String describe() {
        if (batches == 0) {
            return "no batch allocated";
        }
        StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT,
                "%,d batches, %,d tasks placed, %.1f ms allocating; last: %s %s", batches, tasksPlaced,
                allocationNanos / 1e6, lastAllocator, lastStatus));
        if (!Double.isNaN(lastObjective)) {
            s.append(String.format(java.util.Locale.ROOT, ", objective %.6g", lastObjective));
            new java.util.TreeMap<>(lastValues).forEach((k, v) -> s.append(String.format(java.util.Locale.ROOT,
                    ", %s %.6g", k.toLowerCase(java.util.Locale.ROOT), v)));
        }
        return s.append(String.format(java.util.Locale.ROOT, ", in %.1f ms", lastElapsedNanos / 1e6)).toString();
    }
}
