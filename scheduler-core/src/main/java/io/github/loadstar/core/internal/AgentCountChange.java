package io.github.loadstar.core.internal;

import io.github.loadstar.core.SchedulerSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * A reconfiguration that changes which slots hold agents ({@code SchedulerSettings.withAgentCount}):
 * checked whole first (nothing changes if it cannot be carried out), then carried out under the
 * reconfiguration lock by draining the agents whose slots it empties and starting agents, with the
 * capacities it asks for, in free slots (which may differ from the provisional slots it named).
 */
final class AgentCountChange {
    private final LoadstarScheduler scheduler;
    private final List<Agent> removed;
    private final List<Double> added;

    private AgentCountChange(LoadstarScheduler scheduler, List<Agent> removed, List<Double> added) {
        this.scheduler = scheduler;
        this.removed = removed;
        this.added = added;
    }

    /**
     * @throws IllegalArgumentException naming agentCount if not enough slots are free, or capacities if
     *                                  an emptied slot holds no agent in the scheduler
     * @throws IllegalStateException    if the scheduler is shut down
     */
    static AgentCountChange prepare(LoadstarScheduler s, SchedulerSettings previous, SchedulerSettings next) {
        if (s.runState() != LoadstarScheduler.RUNNING) {
            throw new IllegalStateException("scheduler " + s.name() + " is shut down: its agents cannot change");
        }
        double[] before = previous.capacities();
        double[] after = next.capacities();
        List<Agent> removed = new ArrayList<>();
        List<Double> added = new ArrayList<>();
        int free = 0;
        for (int i = 0; i < s.agents.length; i++) {
            Agent a = s.agents[i];
            free += a.membership == AgentRemoval.OFFLINE ? 1 : 0;
            if (before[i] > 0 && after[i] == 0) {
                if (a.membership != AgentRemoval.ACTIVE) {
                    throw new IllegalArgumentException("capacities[" + i + "]: agent " + i + " is not in the scheduler");
                }
                removed.add(a);
            } else if (before[i] == 0 && after[i] > 0) {
                added.add(after[i]);
            }
        }
        if (added.size() > free) {
            throw new IllegalArgumentException("agentCount: " + added.size() + " agents to add but " + free
                    + " slots free (maxAgents " + s.agents.length + "; a removed agent's slot is free once it has left)");
        }
        return new AgentCountChange(s, removed, added);
    }

    /** Carries the change out; returns {@code next} with the agents where they now are. */
    SchedulerSettings apply(SchedulerSettings next) {
        double[] asked = next.capacities();
        for (int i = 0; i < asked.length; i++) {
            Agent a = scheduler.agents[i];
            if (asked[i] > 0 && a.membership == AgentRemoval.ACTIVE && asked[i] != a.capacity) {
                a.setCapacity(asked[i]);    // a kept agent's new capacity, asked in the same change
            }
        }
        for (Agent a : removed) {
            AgentRemoval.removeLocked(scheduler, a);
        }
        for (double capacity : added) {
            AgentRemoval.addLocked(scheduler, capacity);
        }
        return next.withCapacitiesInForce(AgentRemoval.capacitiesNow(scheduler));
    }
}
