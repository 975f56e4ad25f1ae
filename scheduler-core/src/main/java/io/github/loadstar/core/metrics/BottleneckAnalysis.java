package io.github.loadstar.core.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds bottlenecks in a snapshot and the history's newest window, each with its evidence. No
 * finding without evidence; an idle or healthy scheduler yields none. The rules:
 * <ul>
 *   <li>{@link Finding.Kind#OVERLOADED_AGENT}: an accepting agent's queued load (cost per capacity)
 *       is more than twice the mean and at least 16 tasks above it, now <em>and</em> on average over
 *       the window (a passing burst is not a bottleneck), while the other agents were busy less than
 *       half of the window and no steal took anything from it: stealing does not reach its work.
 *       CRITICAL when every other agent is idle now.</li>
 *   <li>{@link Finding.Kind#STARVED_TENANT}: over the window's pairs of snapshots in which at least
 *       two tenants had tasks waiting at both ends, a tenant received less than half the service per
 *       unit of weight of the best-served such tenant, in total over those pairs (at least 100 ms of
 *       them). CRITICAL below a tenth.</li>
 *   <li>{@link Finding.Kind#BREAKER_OPEN}: an agent's breaker is OPEN (CRITICAL when every agent's
 *       is) or HALF_OPEN (WARNING).</li>
 *   <li>{@link Finding.Kind#BLOCKING_TASKS}: over the window the agents were inside tasks at least
 *       80 % of the time, in at least half of the snapshots' (snapshot, agent) pairs the agent was
 *       inside a task whose thread was blocked or waiting (sampled as a profiler samples; a thread
 *       starved of CPU by other processes is runnable, not blocked), and at least one task per agent
 *       waited on average. The CPU seconds its threads used per busy second are evidence where the
 *       JVM measures them. CRITICAL at nine samples in ten with four tasks per agent waiting.</li>
 *   <li>{@link Finding.Kind#DEADLINE_MISSES_GROWING}: in the window's second half at least 10 tasks
 *       missed their deadline, at least 5 % of those completed, and at least twice the first half's
 *       share. CRITICAL at half of them.</li>
 *   <li>{@link Finding.Kind#SHARED_QUEUE_BOTTLENECK}: on average over the window at least 64 tasks,
 *       and at least half of all waiting tasks, waited in the shared injection queue, and 32 still
 *       do.</li>
 * </ul>
 */
public final class BottleneckAnalysis {
    private static final double OVERLOAD_FACTOR = 2.0;
    private static final double OVERLOAD_MIN_TASKS = 16;
    private static final double STARVED_FACTOR = 0.5;
    private static final long STARVED_MIN_NANOS = 100_000_000L;

    private BottleneckAnalysis() {
    }

    /**
     * The findings for {@code now} and the history's samples (the window to analyse, oldest first).
     *
     * @throws NullPointerException if an argument is null
     */
    public static List<Finding> analyze(SchedulerMetrics now, List<SchedulerMetrics> window) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(window, "window");
        List<Finding> findings = new ArrayList<>();
        overloadedAgents(now, window, findings);
        starvedTenants(window, findings);
        breakers(now, findings);
        blockingTasks(window, findings);
        deadlineMisses(window, findings);
        sharedQueue(now, window, findings);
        return findings;
    }

    private static void overloadedAgents(SchedulerMetrics now, List<SchedulerMetrics> window, List<Finding> out) {
        // the agents in the scheduler now, by index; a row missing from an older snapshot (added
        // since) reads as no load, no steals and no busy time
        int[] ids = now.agents().stream().filter(a -> a.state() != AgentState.REMOVED)
                .mapToInt(AgentMetrics::index).toArray();
        int n = ids.length;
        if (n < 2 || window.size() < 2) {
            return;
        }
        double[] meanLoad = new double[n];
        double meanOfMeans = 0;
        for (SchedulerMetrics m : window) {
            for (int i = 0; i < n; i++) {
                AgentMetrics row = m.agent(ids[i]);
                meanLoad[i] += (row == null ? 0 : row.load()) / window.size();
            }
        }
        double nowMean = 0;
        for (int i = 0; i < n; i++) {
            meanOfMeans += meanLoad[i] / n;
            nowMean += now.agent(ids[i]).load() / n;
        }
        SchedulerMetrics first = window.get(0);
        SchedulerMetrics last = window.get(window.size() - 1);
        for (int i = 0; i < n; i++) {
            AgentMetrics a = now.agent(ids[i]);
            double load = a.load();
            boolean overloadedNow = load > OVERLOAD_FACTOR * nowMean && load - nowMean >= OVERLOAD_MIN_TASKS;
            boolean overloadedOnAverage = meanLoad[i] > OVERLOAD_FACTOR * meanOfMeans
                    && meanLoad[i] - meanOfMeans >= OVERLOAD_MIN_TASKS;
            long robbed = delta(first, last, ids[i], AgentMetrics::stealsOut);
            double length = Math.max(1, last.uptimeNanos() - first.uptimeNanos());
            double othersBusy = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    othersBusy += delta(first, last, ids[j], AgentMetrics::busyNanos) / length / (n - 1);
                }
            }
            // the work stays although the others had time to take it: they were mostly idle, and took nothing
            if (!overloadedNow || !overloadedOnAverage || robbed > 0 || othersBusy >= 0.5
                    || "OPEN".equals(a.breakerState())) {
                continue;
            }
            boolean othersIdle = true;
            for (int j = 0; j < n; j++) {
                if (j != i && (now.agent(ids[j]).running() || now.agent(ids[j]).queued() > 0)) {
                    othersIdle = false;
                }
            }
            Map<String, Double> evidence = new LinkedHashMap<>();
            evidence.put("agentLoad", load);
            evidence.put("meanLoad", nowMean);
            evidence.put("agentMeanLoadOverWindow", meanLoad[i]);
            evidence.put("meanLoadOverWindow", meanOfMeans);
            evidence.put("stealsFromAgentInWindow", (double) robbed);
            evidence.put("othersUtilizationInWindow", othersBusy);
            evidence.put("windowSeconds", (last.uptimeNanos() - first.uptimeNanos()) / 1e9);
            out.add(new Finding(Finding.Kind.OVERLOADED_AGENT, othersIdle ? Finding.Severity.CRITICAL : Finding.Severity.WARNING,
                    "agents: agent " + ids[i], evidence,
                    "stealing does not reach agent " + ids[i] + "'s work: if its tasks are pinned (TaskOptions.pinnedTo), "
                            + "let them move; else lower the steal threshold, or turn on rebalancing "
                            + "(CoordinatorConfig.rebalancePolicy(RebalancePolicies.threshold()))"));
        }
    }

    private static final double BLOCKED_UTILIZATION = 0.8;
    private static final double BLOCKED_SHARE = 0.5;
    private static final double MISSES_MIN = 10;
    private static final double MISSES_RATE = 0.05;
    private static final double SHARED_MIN = 64;

    private static void blockingTasks(List<SchedulerMetrics> window, List<Finding> out) {
        if (window.size() < 2) {
            return;
        }
        SchedulerMetrics first = window.get(0);
        SchedulerMetrics last = window.get(window.size() - 1);
        double length = last.uptimeNanos() - first.uptimeNanos();
        int n = 0;
        double busy = 0;
        double cpu = 0;
        boolean cpuMeasured = true;
        for (AgentMetrics b : last.agents()) {
            AgentMetrics a = first.agent(b.index());
            if (b.state() == AgentState.REMOVED || a == null || a.state() == AgentState.REMOVED) {
                continue;   // the agents present for the whole window
            }
            n++;
            busy += Math.max(0, b.busyNanos() - a.busyNanos());
            cpuMeasured &= a.cpuNanos() >= 0 && b.cpuNanos() >= 0;
            cpu += Math.max(0, b.cpuNanos() - a.cpuNanos());
        }
        if (n == 0 || length <= 0 || busy <= 0) {
            return;
        }
        // as a sampling profiler does: in how many (snapshot, agent) pairs was the agent inside a task
        // whose thread was blocked or waiting? (A thread starved of CPU by other processes is runnable.)
        int pairs = 0;
        int blocked = 0;
        double meanQueued = 0;
        for (SchedulerMetrics m : window) {
            meanQueued += (double) m.queued() / window.size();
            for (AgentMetrics a : m.agents()) {
                if (a.state() != AgentState.REMOVED) {
                    pairs++;
                    blocked += a.blocked() ? 1 : 0;
                }
            }
        }
        double utilization = busy / n / length;
        double blockedShare = pairs == 0 ? 0 : (double) blocked / pairs;
        if (utilization < BLOCKED_UTILIZATION || blockedShare < BLOCKED_SHARE || meanQueued < n) {
            return;
        }
        Map<String, Double> evidence = new LinkedHashMap<>();
        evidence.put("utilizationInWindow", utilization);
        evidence.put("blockedShareOfSamples", blockedShare);
        if (cpuMeasured) {
            evidence.put("cpuSecondsPerBusySecond", cpu / busy);
        }
        evidence.put("meanQueuedInWindow", meanQueued);
        evidence.put("agents", (double) n);
        evidence.put("windowSeconds", length / 1e9);
        boolean severe = blockedShare >= 0.9 && meanQueued >= 4.0 * n;
        out.add(new Finding(Finding.Kind.BLOCKING_TASKS, severe ? Finding.Severity.CRITICAL : Finding.Severity.WARNING,
                "agents", evidence,
                "the agents' tasks block (they hold the agents while waiting, using little CPU) and work waits: run "
                        + "the blocking calls inside Scheduler.managedBlock (a spare takes over the agent's work while "
                        + "it blocks), or add agents (Scheduler.addAgent, SchedulerBuilder.maxAgents)"));
    }

    private static void deadlineMisses(List<SchedulerMetrics> window, List<Finding> out) {
        if (window.size() < 3) {
            return;
        }
        SchedulerMetrics a = window.get(0);
        SchedulerMetrics mid = window.get(window.size() / 2);
        SchedulerMetrics b = window.get(window.size() - 1);
        double completed1 = Math.max(0, mid.completed() - a.completed());
        double missed1 = Math.max(0, mid.deadlineMisses() - a.deadlineMisses());
        double completed2 = Math.max(0, b.completed() - mid.completed());
        double missed2 = Math.max(0, b.deadlineMisses() - mid.deadlineMisses());
        double rate1 = completed1 == 0 ? 0 : missed1 / completed1;
        double rate2 = completed2 == 0 ? 0 : missed2 / completed2;
        if (missed2 < MISSES_MIN || rate2 < MISSES_RATE || rate2 < 2 * rate1) {
            return;
        }
        Map<String, Double> evidence = new LinkedHashMap<>();
        evidence.put("missedFirstHalf", missed1);
        evidence.put("completedFirstHalf", completed1);
        evidence.put("missRateFirstHalf", rate1);
        evidence.put("missedSecondHalf", missed2);
        evidence.put("completedSecondHalf", completed2);
        evidence.put("missRateSecondHalf", rate2);
        evidence.put("windowSeconds", (b.uptimeNanos() - a.uptimeNanos()) / 1e9);
        out.add(new Finding(Finding.Kind.DEADLINE_MISSES_GROWING,
                rate2 >= 0.5 ? Finding.Severity.CRITICAL : Finding.Severity.WARNING, "deadlines", evidence,
                "more and more tasks finish after their deadline: the work arriving exceeds what the agents finish "
                        + "in time; add agents, lower the load, or give the tasks that cannot make it less work"));
    }

    private static void sharedQueue(SchedulerMetrics now, List<SchedulerMetrics> window, List<Finding> out) {
        if (window.size() < 2) {
            return;
        }
        double shared = 0;
        double queued = 0;
        for (SchedulerMetrics m : window) {
            shared += (double) m.sharedQueued() / window.size();
            queued += (double) m.queued() / window.size();
        }
        if (shared < SHARED_MIN || shared < 0.5 * queued || now.sharedQueued() < SHARED_MIN / 2) {
            return;
        }
        Map<String, Double> evidence = new LinkedHashMap<>();
        evidence.put("meanSharedQueuedInWindow", shared);
        evidence.put("meanQueuedInWindow", queued);
        evidence.put("sharedQueuedNow", (double) now.sharedQueued());
        evidence.put("windowSeconds", (window.get(window.size() - 1).uptimeNanos() - window.get(0).uptimeNanos()) / 1e9);
        out.add(new Finding(Finding.Kind.SHARED_QUEUE_BOTTLENECK, Finding.Severity.WARNING, "queues: shared", evidence,
                "work waits in the shared injection queue, which every producer and agent contends on, rather than in "
                        + "the agents' own queues: the placement policy places most tasks on no agent (ANY_AGENT), or "
                        + "breakers reroute them; place tasks on agents (PlacementPolicies.powerOfTwoChoices())"));
    }

    /** A counter's growth over the window for agent {@code index} (0 before it was listed). */
    private static long delta(SchedulerMetrics first, SchedulerMetrics last, int index,
                              java.util.function.ToLongFunction<AgentMetrics> counter) {
        AgentMetrics a = first.agent(index);
        AgentMetrics b = last.agent(index);
        return b == null ? 0 : Math.max(0, counter.applyAsLong(b) - (a == null ? 0 : counter.applyAsLong(a)));
    }

    private static void starvedTenants(List<SchedulerMetrics> window, List<Finding> out) {
        Map<String, double[]> perTenant = new LinkedHashMap<>();   // service/weight, contended nanos
        for (int k = 1; k < window.size(); k++) {
            SchedulerMetrics a = window.get(k - 1);
            SchedulerMetrics b = window.get(k);
            Map<String, Double> served = Contention.between(a, b);
            if (served.size() < 2) {
                continue;
            }
            long length = b.uptimeNanos() - a.uptimeNanos();
            for (Map.Entry<String, Double> e : served.entrySet()) {
                double[] acc = perTenant.computeIfAbsent(e.getKey(), x -> new double[2]);
                acc[0] += e.getValue();
                acc[1] += length;
            }
        }
        double best = 0;
        for (double[] acc : perTenant.values()) {
            if (acc[1] >= STARVED_MIN_NANOS) {
                best = Math.max(best, acc[0] / acc[1]);
            }
        }
        if (best <= 0) {
            return;
        }
        for (Map.Entry<String, double[]> e : perTenant.entrySet()) {
            double[] acc = e.getValue();
            if (acc[1] < STARVED_MIN_NANOS) {
                continue;
            }
            double rate = acc[0] / acc[1];
            if (rate < STARVED_FACTOR * best) {
                Map<String, Double> evidence = new LinkedHashMap<>();
                evidence.put("servicePerWeightPerSecond", rate);
                evidence.put("bestServicePerWeightPerSecond", best);
                evidence.put("ratio", rate / best);
                evidence.put("contendedSeconds", acc[1] / 1e9);
                out.add(new Finding(Finding.Kind.STARVED_TENANT,
                        rate < 0.1 * best ? Finding.Severity.CRITICAL : Finding.Severity.WARNING,
                        "tenants: tenant " + e.getKey(), evidence,
                        "tenant " + e.getKey() + " had work waiting but was served far below its weight: with FIFO "
                                + "ordering, tasks run in arrival order whatever their tenant — use a fair ordering "
                                + "policy (CFS or WFQ) or raise its weight"));
            }
        }
    }

    private static void breakers(SchedulerMetrics now, List<Finding> out) {
        int open = 0;
        int present = 0;
        for (AgentMetrics a : now.agents()) {
            if (a.state() != AgentState.REMOVED) {
                present++;
                open += "OPEN".equals(a.breakerState()) ? 1 : 0;
            }
        }
        for (AgentMetrics a : now.agents()) {
            if (a.state() == AgentState.REMOVED) {
                continue;
            }
            String state = a.breakerState();
            if (!"OPEN".equals(state) && !"HALF_OPEN".equals(state)) {
                continue;
            }
            Map<String, Double> evidence = new LinkedHashMap<>();
            evidence.put("open", "OPEN".equals(state) ? 1.0 : 0.0);
            evidence.put("transitions", (double) a.breakerTransitions());
            evidence.put("rerouted", (double) a.rerouted());
            evidence.put("failed", (double) a.failed());
            evidence.put("agentsOpen", (double) open);
            Finding.Severity severity = "HALF_OPEN".equals(state) ? Finding.Severity.WARNING
                    : open == present ? Finding.Severity.CRITICAL : Finding.Severity.WARNING;
            out.add(new Finding(Finding.Kind.BREAKER_OPEN, severity, "breakers: agent " + a.index(), evidence,
                    "agent " + a.index() + "'s tasks failed or ran slow until its breaker opened: look at what its "
                            + "tasks call (their failures are in the listener's onFailed), and at the breaker's "
                            + "thresholds"));
        }
    }
}
