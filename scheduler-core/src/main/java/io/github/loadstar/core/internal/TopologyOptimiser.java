package io.github.loadstar.core.internal;

import io.github.loadstar.core.TopologyConfig;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.metrics.TopologyDecision;
import io.github.loadstar.core.metrics.TopologyModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The topology optimiser, run by the coordinator thread once per window (TopologyConfig.window).
 * Each round reads the history of the last window and either checks the change made at the last
 * round (the window after a change measures it; no new change is made meanwhile) or decides:
 *   - measure the window (TopologyModel.Inputs): arrivals, service rate per agent, CPU per task;
 *   - predict the objective with one agent more and one less (TopologyModel);
 *   - add an agent if that is predicted to improve the objective by more than the threshold, and
 *     a slot and the bounds allow it; else, when calibration is on and every agent ran at least
 *     MIN_TASKS tasks in the window and some agent's capacity is more than CLOSE_ENOUGH (20 %) off its
 *     measured speed, set the capacities to the agents' measured speeds (tasks per
 *     busy second, scaled to keep the total capacity) if the split model (TopologyModel: each agent
 *     its own queue, fed by its capacity's share) predicts more than the threshold; else remove one
 *     agent (the highest index) if the objective is predicted to hold (within 1 %) with one less
 *     and the agent saved is at least the threshold (1 / agents); else nothing.
 * The settings (on or off, objective, bounds, threshold, window) are read each round from the
 * scheduler's settings, so a reconfiguration changes them; a change drops the check of the last
 * decision (its window would straddle two configurations).
 * Every decision, applied or not, goes into a bounded ring (the last 100) with its evidence. Changes
 * go through Scheduler.addAgent and removeAgent, so they are reconfigurations like any other.
 */

/** Decides agent additions and removals from the history; see the overview in the source. */
final class TopologyOptimiser {
    private static final Logger LOG = LoggerFactory.getLogger(TopologyOptimiser.class);
    private static final int KEPT = 100;
    private static final double HOLDS = 0.01;

    /** Tasks each agent must have run in a window for its speed to be measured. */
    static final int MIN_TASKS = 20;
    /**
     * Capacities within this relative distance of the measured speeds are left alone: the hysteresis
     * that keeps a window's noise in the measured speeds from moving capacities back and forth.
     */
    static final double CLOSE_ENOUGH = 0.2;

    private final LoadstarScheduler scheduler;
    private final ArrayDeque<TopologyDecision> decisions = new ArrayDeque<>();
    /** The applied decision whose next window is being measured, or null. */
    private TopologyDecision awaitingCheck;
    /** The settings of the last round. */
    private TopologyConfig config;

    TopologyOptimiser(LoadstarScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** One round, on the coordinator thread, with the settings in force. */
    void round(TopologyConfig settings) {
        if (!settings.equals(config)) {
            config = settings;
            awaitingCheck = null;
        }
        List<SchedulerMetrics> samples = scheduler.history().within(config.window());
        if (samples.size() < 2 || scheduler.runState() != LoadstarScheduler.RUNNING) {
            return;
        }
        TopologyModel.Inputs in = measure(samples);
        if (in == null) {
            return;
        }
        double measured = measuredObjective(in);
        if (awaitingCheck != null) {
            TopologyDecision checked = awaitingCheck.checkedWith(measured);
            synchronized (decisions) {
                decisions.removeLastOccurrence(awaitingCheck);
                keep(checked);
            }
            awaitingCheck = null;
            return;
        }
        decide(in, measured, samples, true);
    }

    /**
     * Decides on the window's measurements and, when {@code apply}, makes the change and keeps the
     * decision; a dry run ({@code apply} false) makes nothing and keeps nothing, its reason saying
     * what would have been done.
     */
    private TopologyDecision decide(TopologyModel.Inputs in, double measured, List<SchedulerMetrics> samples, boolean apply) {
        int n = in.agents();
        boolean throughput = config.objective() == TopologyConfig.Objective.THROUGHPUT;
        double current = value(in, n);
        boolean canAdd = n < config.maxAgents() && n < scheduler.agents.length;
        boolean canRemove = n > config.minAgents();
        double added = canAdd ? value(in, n + 1) : Double.NaN;
        double removed = canRemove ? value(in, n - 1) : Double.NaN;
        double addGain = canAdd ? gain(current, added, throughput) : Double.NEGATIVE_INFINITY;
        boolean removalHolds = canRemove && (throughput ? removed >= current * (1 - HOLDS)
                : removed <= Math.max(current * (1 + HOLDS), 1e-6));
        Map<String, Double> evidence = evidence(in);
        Calibration calibration = config.calibrateCapacities() ? calibration(in, samples, throughput) : null;
        TopologyDecision decision;
        if (canAdd && addGain > config.threshold()) {
            boolean applied = apply && apply(true);
            decision = new TopologyDecision(uptime(), TopologyDecision.Action.ADD_AGENT,
                    config.objective(), n, current, added, addGain, applied,
                    reason(apply, applied, "one agent more is predicted to improve " + config.objective()
                            + " by more than the threshold", "the scheduler refused the new agent"),
                    evidence, measured, Double.NaN, false);
        } else if (calibration != null && calibration.gain > config.threshold()) {
            boolean applied = apply && calibration.apply(scheduler);
            evidence.putAll(calibration.evidence);
            decision = new TopologyDecision(uptime(), TopologyDecision.Action.SET_CAPACITIES, config.objective(), n,
                    calibration.current, calibration.predicted, calibration.gain, applied, reason(apply, applied,
                    "capacities matching the agents' measured speeds are predicted to improve " + config.objective()
                    + " by more than the threshold (without stealing: an upper bound)",
                    "the scheduler refused the capacities"), evidence, measured, Double.NaN, false);
        } else if (removalHolds && 1.0 / n >= config.threshold()) {
            boolean applied = apply && apply(false);
            decision = new TopologyDecision(uptime(), TopologyDecision.Action.REMOVE_AGENT, config.objective(), n, current,
                    removed, 1.0 / n, applied, reason(apply, applied, config.objective()
                            + " is predicted to hold with one agent less", "the scheduler refused the removal"),
                    evidence, measured, Double.NaN, false);
        } else {
            String why = !canAdd && !canRemove ? "no change within the bounds"
                    : canAdd ? "one agent more is predicted to change " + config.objective() + " by "
                            + String.format(java.util.Locale.ROOT, "%+.1f %%", addGain * 100) + ", under the threshold"
                            : "at the bound of agents";
            decision = new TopologyDecision(uptime(), TopologyDecision.Action.NONE, config.objective(), n, current,
                    canAdd ? added : current, canAdd ? addGain : 0, false, apply ? why : "dry run: " + why, evidence, measured,
                    Double.NaN, false);
        }
        if (!apply) {
            return decision;
        }
        synchronized (decisions) {
            keep(decision);
        }
        if (decision.applied()) {
            awaitingCheck = decision;
            LOG.info("scheduler {}: topology: {}", scheduler.name(), decision);
        }
        return decision;
    }

    private static String reason(boolean apply, boolean applied, String why, String refused) {
        return !apply ? "dry run: " + why : applied ? why : refused;
    }

    /**
     * One decision now, asked for by an operator, on the coordinator thread, with {@code settings}
     * (the configured ones, or with another objective): the same rule as a round's, over the
     * newest window of the history. Applied, it is kept, and — when the periodic rounds are on with
     * the same settings — checked by the round a window later (the coordinator restarts the window);
     * otherwise it is never checked, and never blocks a later change. A dry run changes and keeps
     * nothing. The periodic rounds'
     * settings and pending check are left as they were.
     *
     * @throws IllegalStateException if the history holds fewer than two snapshots in the window,
     *                               nothing ran in it, the scheduler is not running, or — to apply —
     *                               the last change is still being measured
     */
    TopologyDecision now(TopologyConfig settings, boolean apply) {
        if (scheduler.runState() != LoadstarScheduler.RUNNING) {
            throw new IllegalStateException("the scheduler is shut down");
        }
        TopologyConfig roundsNow = scheduler.settings().topology();
        if (!roundsNow.isOn() || !roundsNow.equals(config)) {
            awaitingCheck = null;       // no round will check it: the rounds are off, or their next one starts afresh
        }
        if (apply && awaitingCheck != null) {
            throw new IllegalStateException("the last change is still being measured (" + awaitingCheck.action() + " at "
                    + String.format(java.util.Locale.ROOT, "%.1f s", awaitingCheck.atSeconds())
                    + "); ask again after its window, or ask for a dry run");
        }
        List<SchedulerMetrics> samples = scheduler.history().within(settings.window());
        if (samples.size() < 2) {
            throw new IllegalStateException("the topology optimiser needs at least two history snapshots within its window ("
                    + settings.window().toMillis() + " ms); the history holds " + samples.size());
        }
        TopologyConfig rounds = config;
        config = settings;
        try {
            TopologyModel.Inputs in = measure(samples);
            if (in == null) {
                throw new IllegalStateException("nothing ran in the window to measure");
            }
            TopologyDecision d = decide(in, measuredObjective(in), samples, apply);
            if (d.applied() && !(roundsNow.isOn() && roundsNow.equals(settings))) {
                awaitingCheck = null;   // only the rounds' own settings measure a change alike; none will check this one
            }
            return d;
        } finally {
            config = rounds;
        }
    }

    /** Capacities set to measured speeds, and what the split model predicts of them. */
    private static final class Calibration {
        final int[] agents;
        final double[] capacities;
        final double current;
        final double predicted;
        final double gain;
        final Map<String, Double> evidence;

        Calibration(int[] agents, double[] capacities, double current, double predicted, double gain,
                    Map<String, Double> evidence) {
            this.agents = agents;
            this.capacities = capacities;
            this.current = current;
            this.predicted = predicted;
            this.gain = gain;
            this.evidence = evidence;
        }

        boolean apply(LoadstarScheduler scheduler) {
            try {
                scheduler.reconfigure(s -> {
                    for (int k = 0; k < agents.length; k++) {
                        s = s.withCapacity(agents[k], capacities[k]);
                    }
                    return s;
                });
                return true;
            } catch (IllegalArgumentException | IllegalStateException refused) {
                return false;    // an agent left meanwhile
            }
        }
    }

    /**
     * The agents' measured speeds over the window as capacities (scaled to keep the total), and the
     * split model's prediction; null if an agent ran too few tasks to measure, or the capacities
     * already match the speeds.
     */
    private Calibration calibration(TopologyModel.Inputs in, List<SchedulerMetrics> samples, boolean throughput) {
        SchedulerMetrics first = samples.get(0);
        SchedulerMetrics last = samples.get(samples.size() - 1);
        List<AgentMetrics> rows = new ArrayList<>();
        for (AgentMetrics b : last.agents()) {
            if (b.state() != AgentState.REMOVED && b.state() != AgentState.DRAINING) {
                rows.add(b);
            }
        }
        int n = rows.size();
        if (n < 2) {
            return null;
        }
        int[] agents = new int[n];
        double[] mu = new double[n];
        double[] now = new double[n];
        double muSum = 0;
        double capSum = 0;
        for (int k = 0; k < n; k++) {
            AgentMetrics b = rows.get(k);
            AgentMetrics a = first.agent(b.index());
            long ran = b.completed() - (a == null ? 0 : a.completed());
            double busy = (b.busyNanos() - (a == null ? 0 : a.busyNanos())) / 1e9;
            if (ran < MIN_TASKS || busy <= 0) {
                return null;
            }
            agents[k] = b.index();
            mu[k] = ran / busy;
            now[k] = b.capacity();
            muSum += mu[k];
            capSum += now[k];
        }
        double[] calibrated = new double[n];
        double farthest = 0;
        for (int k = 0; k < n; k++) {
            calibrated[k] = Math.max(0.001, Math.round(mu[k] / muSum * capSum * 1000) / 1000.0);
            farthest = Math.max(farthest, Math.abs(calibrated[k] / now[k] - 1));
        }
        if (farthest <= CLOSE_ENOUGH) {
            return null;
        }
        double lambda = in.arrivalsPerSecond();
        double[] before = TopologyModel.shares(now);
        double[] after = TopologyModel.shares(calibrated);
        double current = throughput ? TopologyModel.splitThroughput(lambda, before, mu)
                : TopologyModel.splitP99Wait(lambda, before, mu);
        double predicted = throughput ? TopologyModel.splitThroughput(lambda, after, mu)
                : TopologyModel.splitP99Wait(lambda, after, mu);
        Map<String, Double> evidence = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            evidence.put("serviceRate[" + agents[k] + "]", mu[k]);
            evidence.put("capacityBefore[" + agents[k] + "]", now[k]);
            evidence.put("capacityAfter[" + agents[k] + "]", calibrated[k]);
        }
        return new Calibration(agents, calibrated, current, predicted, gain(current, predicted, throughput), evidence);
    }

    /** Adds an agent (capacity 1) or removes the highest-indexed one; false if the scheduler refused. */
    private boolean apply(boolean add) {
        try {
            if (add) {
                scheduler.addAgent(1.0);
            } else {
                Agent[] agents = scheduler.agents;
                for (int i = agents.length - 1; i >= 0; i--) {
                    if (agents[i].membership == AgentRemoval.ACTIVE) {
                        scheduler.removeAgent(i);
                        break;
                    }
                }
            }
            return true;
        } catch (IllegalArgumentException | IllegalStateException refused) {
            return false;
        }
    }

    private double value(TopologyModel.Inputs in, int n) {
        return config.objective() == TopologyConfig.Objective.THROUGHPUT
                ? TopologyModel.throughput(in, n) : TopologyModel.p99Wait(in, n);
    }

    /** Relative improvement from {@code from} to {@code to}: throughput up, or wait down. */
    private static double gain(double from, double to, boolean throughput) {
        if (throughput) {
            return from <= 0 ? 0 : to / from - 1;
        }
        if (Double.isInfinite(from)) {
            return Double.isInfinite(to) ? 0 : 1;   // an overloaded queue becomes a stable one
        }
        return from <= 0 ? 0 : (from - to) / from;
    }

    /** The objective as measured: completions per second, or the mean wait by Little's law. */
    private double measuredObjective(TopologyModel.Inputs in) {
        if (config.objective() == TopologyConfig.Objective.THROUGHPUT) {
            return in.throughputPerSecond();
        }
        return in.arrivalsPerSecond() <= 0 ? 0 : in.meanQueued() / in.arrivalsPerSecond();
    }

    /** The model's inputs over the samples, or null without work to measure. */
    TopologyModel.Inputs measure(List<SchedulerMetrics> samples) {
        SchedulerMetrics first = samples.get(0);
        SchedulerMetrics last = samples.get(samples.size() - 1);
        double seconds = (last.uptimeNanos() - first.uptimeNanos()) / 1e9;
        if (seconds <= 0) {
            return null;
        }
        double completed = Math.max(0, last.completed() - first.completed());
        double growth = last.queued() - first.queued();
        double busy = 0;
        double cpu = 0;
        boolean cpuMeasured = true;
        for (AgentMetrics b : last.agents()) {
            AgentMetrics a = first.agent(b.index());
            busy += Math.max(0, b.busyNanos() - (a == null ? 0 : a.busyNanos()));
            cpuMeasured &= b.cpuNanos() >= 0 && (a == null || a.cpuNanos() >= 0);
            cpu += Math.max(0, b.cpuNanos() - (a == null ? 0 : Math.max(0, a.cpuNanos())));
        }
        if (completed == 0 || busy == 0) {
            return null;
        }
        double meanQueued = 0;
        for (SchedulerMetrics m : samples) {
            meanQueued += (double) m.queued() / samples.size();
        }
        int agents = (int) last.agents().stream().filter(a -> a.state() != AgentState.REMOVED
                && a.state() != AgentState.DRAINING).count();
        return new TopologyModel.Inputs(seconds, Math.max(1, agents), Math.max(0, (completed + growth) / seconds),
                completed / seconds, completed / (busy / 1e9), cpuMeasured ? cpu / 1e9 / completed : -1,
                meanQueued, Runtime.getRuntime().availableProcessors());
    }

    private static Map<String, Double> evidence(TopologyModel.Inputs in) {
        Map<String, Double> e = new LinkedHashMap<>();
        e.put("windowSeconds", in.seconds());
        e.put("agents", (double) in.agents());
        e.put("arrivalsPerSecond", in.arrivalsPerSecond());
        e.put("throughputPerSecond", in.throughputPerSecond());
        e.put("serviceRatePerAgent", in.serviceRate());
        e.put("cpuSecondsPerTask", in.cpuPerTask());
        e.put("meanQueued", in.meanQueued());
        e.put("processors", (double) in.processors());
        return e;
    }

    private double uptime() {
        return (System.nanoTime() - scheduler.startNanos) / 1e9;
    }

    private void keep(TopologyDecision d) {
        if (decisions.size() == KEPT) {
            decisions.pollFirst();
        }
        decisions.addLast(d);
    }

    List<TopologyDecision> decisions() {
        synchronized (decisions) {
            return new ArrayList<>(decisions);
        }
    }
}
