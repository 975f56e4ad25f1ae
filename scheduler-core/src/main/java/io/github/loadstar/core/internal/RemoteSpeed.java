package io.github.loadstar.core.internal;

import java.util.concurrent.TimeUnit;

/*
 * A remote agent's measured speed: how fast its member gives back tasks, against the other remote
 * agents' members. Placement balances queued tasks (in-flight ones included) per unit of capacity;
 * a member whose tasks take twice as long to come back — a slower machine, other submitters' work
 * on it, a longer network path — counts as half its capacity (AgentBase.setSpeed), so it is sent
 * half as much.
 *
 * The figure: the mean round trip of the agent's tasks that completed, from sending to report,
 * weighted 1/8 to the newest (record, on the agent's thread as it applies each report; a task that
 * failed does not count, or a member whose tasks fail at once would look fast and draw more). Every
 * INTERVAL_NANOS the agent's thread sets its speed to its rate per task (1 / round trip) over the
 * mean rate of the active remote agents, kept within [1/MAX_RATIO, MAX_RATIO]: the speeds of the
 * remote agents average 1, so together they weigh what their capacities say against local agents,
 * and only the split among them follows the measurement. 1 until it and another have reported. The
 * speed is written on every refresh, so a capacity change racing a write is overwritten with both
 * new values a tenth of a second later at most (AgentBase.setSpeed). An agent with
 * nothing queued and nothing in flight has load 0 whatever its speed, so a member once measured
 * slow still receives work when idle, and its next reports correct the figure.
 *
 * Threads: written by the owning agent's thread only; `meanRoundTripNanos` is volatile because the
 * other remote agents and the metrics read it.
 */

/** One remote agent's round-trip figure and the speed placement gives it; see the overview in the source. */
final class RemoteSpeed {
    /** How often the speed is recomputed. */
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The speed stays within [1 / MAX_RATIO, MAX_RATIO]. */
    static final double MAX_RATIO = 8.0;

    private final Agent agent;
    /** Mean time from sending a task to its report, nanoseconds; 0 before the first report. */
    volatile long meanRoundTripNanos;
    private long lastRefreshNanos;

    RemoteSpeed(Agent agent) {
        this.agent = agent;
    }

    /** A task came back completed {@code tookNanos} after it was sent. */
    void record(long tookNanos) {
        long mean = meanRoundTripNanos;
        meanRoundTripNanos = mean == 0 ? Math.max(1L, tookNanos) : Math.max(1L, mean + (tookNanos - mean) / 8);
    }

    /** Recomputes the agent's speed if the interval has passed. */
    void refresh(LoadstarScheduler s, long now) {
        if (now - lastRefreshNanos < INTERVAL_NANOS) {
            return;
        }
        lastRefreshNanos = now;
        long own = meanRoundTripNanos;
        double rates = 0;
        int measured = 0;
        for (Agent other : s.agents) {
            RemoteAgent r = other.remote;
            long theirs = r == null ? 0 : r.speed.meanRoundTripNanos;
            if (theirs > 0 && other.membership == AgentRemoval.ACTIVE) {
                rates += 1.0 / theirs;
                measured++;
            }
        }
        double speed = 1.0;
        if (own > 0 && measured >= 2) {
            speed = Math.max(1.0 / MAX_RATIO, Math.min(MAX_RATIO, (1.0 / own) / (rates / measured)));
        }
        agent.setSpeed(speed);
    }
}
