package io.github.loadstar.core.metrics;

/**
 * The topology optimiser's model: what a window of history says a scheduler with another number of
 * agents would do. Inputs, measured over the window (see {@link Inputs}): the arrival rate λ (tasks
 * completed plus the growth of the queue, per second), the service rate of one agent μ (tasks
 * completed per busy second of an agent), the CPU time a task uses, and the processors.
 * <ul>
 *   <li><b>Capacity</b> of {@code n} agents: {@code min(n μ, processors / cpuPerTask)} tasks per
 *       second — agents add capacity until the tasks' CPU time fills the processors (tasks that
 *       block use little CPU and keep adding capacity; tasks that compute stop at the processors).
 *       Without a CPU measurement the second bound is left out.</li>
 *   <li><b>Throughput</b> of {@code n} agents: {@code min(λ, capacity(n))}.</li>
 *   <li><b>Queue latency</b>: an M/M/c queue with {@code c} the agents the processors can keep
 *       running ({@code min(n, ⌊processors / cpu share of a busy agent⌋)}, at least 1), arrival rate
 *       λ and service rate μ (Erlang's C formula); the p99 of the wait is
 *       {@code ln(C / 0.01) / (c μ − λ)} (0 when fewer than 1 % wait), the mean {@code C / (c μ − λ)};
 *       infinite when {@code λ ≥ c μ}. An approximation: service times are taken as exponential.</li>
 *   <li><b>Capacities</b>, for agents of different speeds μ<sub>i</sub> (each agent's completions per
 *       busy second): placement gives agent {@code i} the share c<sub>i</sub> / Σc of the arrivals,
 *       so with capacities c each agent is its own M/M/1 queue with λ<sub>i</sub> = λ c<sub>i</sub> / Σc
 *       ({@link #splitThroughput}, {@link #splitP99Wait}). Capacities proportional to the speeds give
 *       every agent the same utilization. Stealing is left out — it moves work off an agent that
 *       falls behind — so the model gives the gain of calibrated capacities <em>without</em>
 *       stealing, an upper bound; the next window measures how much of it was real.</li>
 * </ul>
 */
public final class TopologyModel {
    private TopologyModel() {
    }

    /**
     * A window's measurements.
     *
     * @param seconds            the window's length
     * @param agents             agents in the scheduler
     * @param arrivalsPerSecond  λ: completions plus the queue's growth, per second
     * @param throughputPerSecond completions per second
     * @param serviceRate        μ: completions per busy second of one agent
     * @param cpuPerTask         CPU seconds per completed task, or -1 if not measured
     * @param meanQueued         tasks waiting, on average over the window
     * @param processors         processors available to the JVM
     */
    public record Inputs(double seconds, int agents, double arrivalsPerSecond, double throughputPerSecond,
                         double serviceRate, double cpuPerTask, double meanQueued, int processors) {
    }

    /** Tasks per second {@code n} agents can complete. */
    public static double capacity(Inputs in, int n) {
        double agents = n * in.serviceRate();
        return in.cpuPerTask() > 0 ? Math.min(agents, in.processors() / in.cpuPerTask()) : agents;
    }

    /** Completions per second with {@code n} agents. */
    public static double throughput(Inputs in, int n) {
        return Math.min(in.arrivalsPerSecond(), capacity(in, n));
    }

    /** The servers of the M/M/c queue: agents the processors can keep running, at least 1. */
    public static int servers(Inputs in, int n) {
        if (in.cpuPerTask() <= 0) {
            return n;
        }
        double cpuShare = in.cpuPerTask() * in.serviceRate();      // CPU seconds per busy second
        return (int) Math.max(1, Math.min(n, Math.floor(in.processors() / Math.max(cpuShare, 1e-9))));
    }

    /** Erlang's C: the probability that an arriving task waits, with {@code c} servers. */
    public static double erlangC(int c, double lambda, double mu) {
        double a = lambda / mu;
        double rho = a / c;
        if (rho >= 1) {
            return 1;
        }
        double term = 1;       // a^k / k!
        double sum = 1;
        for (int k = 1; k < c; k++) {
            term *= a / k;
            sum += term;
        }
        double last = term * a / c / (1 - rho);     // a^c / c! / (1 - rho)
        return last / (sum + last);
    }

    /** The 99th percentile of the queue wait in seconds with {@code n} agents (infinite if overloaded). */
    public static double p99Wait(Inputs in, int n) {
        int c = servers(in, n);
        double lambda = in.arrivalsPerSecond();
        double mu = in.serviceRate();
        if (mu <= 0 || lambda >= c * mu) {
            return lambda <= 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        double waitProbability = erlangC(c, lambda, mu);
        return waitProbability <= 0.01 ? 0 : Math.log(waitProbability / 0.01) / (c * mu - lambda);
    }

    /** The mean queue wait in seconds with {@code n} agents (infinite if overloaded). */
    public static double meanWait(Inputs in, int n) {
        int c = servers(in, n);
        double lambda = in.arrivalsPerSecond();
        double mu = in.serviceRate();
        if (mu <= 0 || lambda >= c * mu) {
            return lambda <= 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return erlangC(c, lambda, mu) / (c * mu - lambda);
    }

    /**
     * Completions per second when agent {@code i}, of speed {@code mu[i]}, receives the share
     * {@code shares[i]} of {@code lambda} arrivals per second: {@code Σ min(λ shares[i], mu[i])}.
     */
    public static double splitThroughput(double lambda, double[] shares, double[] mu) {
        double done = 0;
        for (int i = 0; i < mu.length; i++) {
            done += Math.min(lambda * shares[i], mu[i]);
        }
        return done;
    }

    /**
     * The 99th percentile of the queue wait, in seconds, over all tasks, when each agent is an M/M/1
     * queue fed its share of the arrivals: the {@code t} at which
     * {@code Σ shares[i] ρ_i e^{−(μ_i − λ_i) t} = 0.01}, with λ<sub>i</sub> = λ shares[i] and
     * ρ<sub>i</sub> = λ<sub>i</sub> / μ<sub>i</sub>; infinite if an agent with a share is overloaded.
     */
    public static double splitP99Wait(double lambda, double[] shares, double[] mu) {
        double tail0 = 0;
        for (int i = 0; i < mu.length; i++) {
            double li = lambda * shares[i];
            if (li <= 0) {
                continue;
            }
            if (li >= mu[i]) {
                return Double.POSITIVE_INFINITY;
            }
            tail0 += shares[i] * li / mu[i];
        }
        if (tail0 <= 0.01) {
            return 0;
        }
        double lo = 0;
        double hi = 1e-3;
        while (tail(lambda, shares, mu, hi) > 0.01 && hi < 1e9) {
            hi *= 2;
        }
        for (int k = 0; k < 100 && hi - lo > 1e-9 * hi; k++) {
            double mid = (lo + hi) / 2;
            if (tail(lambda, shares, mu, mid) > 0.01) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    private static double tail(double lambda, double[] shares, double[] mu, double t) {
        double p = 0;
        for (int i = 0; i < mu.length; i++) {
            double li = lambda * shares[i];
            if (li > 0) {
                p += shares[i] * (li / mu[i]) * Math.exp(-(mu[i] - li) * t);
            }
        }
        return p;
    }

    /** Each capacity's share of their sum. */
    public static double[] shares(double[] capacities) {
        double sum = 0;
        for (double c : capacities) {
            sum += c;
        }
        double[] s = new double[capacities.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = sum <= 0 ? 1.0 / s.length : capacities[i] / sum;
        }
        return s;
    }
}
