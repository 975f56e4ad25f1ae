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

    /**
     * Carries the change out; returns {@code next} with the agents where they now are. The new agents
     * start first, and only once all have started do the others begin to drain: if a thread cannot be
     * started, the agents this change started are drained again and the refusal propagates, with no
     * agent of the settings in force removed. (Kept agents' new capacities are set by the caller.)
     */
    SchedulerSettings apply(SchedulerSettings next) {
        java.util.List<Agent> started = new java.util.ArrayList<>();
        try {
            for (double capacity : added) {
                started.add(scheduler.agents[AgentRemoval.addLocked(scheduler, capacity, null)]);
            }
        } catch (RuntimeException | Error refused) {
            for (Agent a : started) {
                AgentRemoval.removeLocked(scheduler, a);
            }
            throw refused;
        }
        for (Agent a : removed) {
            AgentRemoval.removeLocked(scheduler, a);
        }
        double[] asked = next.capacities();
        double[] now = AgentRemoval.capacitiesNow(scheduler);
        for (int i = 0; i < now.length; i++) {
            if (now[i] > 0 && asked[i] > 0 && !started.contains(scheduler.agents[i])) {
                now[i] = asked[i];      // a kept agent's capacity asked in the same change
            }
        }
        return next.withCapacitiesInForce(now);
    }
}
