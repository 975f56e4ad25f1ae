package io.github.loadstar.core.allocation;

/** How {@code Scheduler.submitAll} places a batch by its assignment. */
public enum BatchPlacement {
    /**
     * Each task pinned to its agent ({@code TaskOptions.pinnedTo}): it runs there, never stolen or
     * moved — the assignment holds exactly, capacities included, whatever else the agents do.
     */
    PINNED,
    /**
     * Each task placed on its agent but movable ({@code TaskOptions.preferAgent}): stealing and the
     * coordinator may move it when its agent falls behind — the assignment is the starting point, the
     * runtime's balancing the correction. The default.
     */
    PREFERRED
}
