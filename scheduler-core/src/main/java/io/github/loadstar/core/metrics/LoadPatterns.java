package io.github.loadstar.core.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the {@link LoadPattern patterns} in a stretch of history (snapshots oldest first, of one
 * scheduler). Each rule needs enough snapshots to call something recurring, and finds nothing in an
 * idle or steady pool:
 * <ul>
 *   <li>{@code HOT_AGENT}: among the snapshots in which the pool is <em>imbalanced</em> — work
 *       queued and a coefficient of variation of per-agent load above {@value #IMBALANCED} — at least
 *       {@value #MIN_IMBALANCED} of them, one agent holds the highest load in at least
 *       {@value #HOT_SHARE} of them.</li>
 *   <li>{@code RECURRING_IMBALANCE}: the pool goes from balanced to imbalanced at least
 *       {@value #MIN_EPISODES} times.</li>
 *   <li>{@code PERIODIC_LOAD}: over at least {@value #MIN_INTERVALS} intervals between snapshots,
 *       the arrivals per interval (tasks completed plus the growth of the queues) vary (their
 *       coefficient of variation is above {@value #MIN_VARIATION}) and their autocorrelation has a
 *       local peak of at least {@value #MIN_AUTOCORRELATION} at a lag between 2 intervals and a
 *       third of the stretch (so at least three periods are seen); the period is the lag of the
 *       highest such peak.</li>
 * </ul>
 */
public final class LoadPatterns {
    /** The coefficient of variation of load above which a snapshot's pool is imbalanced. */
    public static final double IMBALANCED = 0.5;
    static final int MIN_IMBALANCED = 8;
    static final double HOT_SHARE = 0.75;
    static final int MIN_EPISODES = 3;
    static final int MIN_INTERVALS = 12;
    static final double MIN_VARIATION = 0.25;
    static final double MIN_AUTOCORRELATION = 0.5;

    private LoadPatterns() {
    }

    /** The patterns in {@code samples}, oldest first; none with fewer than two snapshots. */
    public static List<LoadPattern> find(List<SchedulerMetrics> samples) {
        List<LoadPattern> found = new ArrayList<>();
        if (samples.size() < 2) {
            return found;
        }
        hotAgent(samples, found);
        recurringImbalance(samples, found);
        periodicLoad(samples, found);
        return found;
    }

    private static boolean imbalanced(SchedulerMetrics m) {
        return m.queued() > 0 && m.loadCoefficientOfVariation() > IMBALANCED;
    }

    private static void hotAgent(List<SchedulerMetrics> samples, List<LoadPattern> found) {
        Map<Integer, Integer> hottest = new LinkedHashMap<>();
        int imbalanced = 0;
        for (SchedulerMetrics m : samples) {
            if (!imbalanced(m)) {
                continue;
            }
            imbalanced++;
            AgentMetrics top = null;
            for (AgentMetrics a : m.agents()) {
                if (a.state() != AgentState.REMOVED && (top == null || a.load() > top.load())) {
                    top = a;
                }
            }
            if (top != null) {
                hottest.merge(top.index(), 1, Integer::sum);
            }
        }
        if (imbalanced < MIN_IMBALANCED) {
            return;
        }
        for (Map.Entry<Integer, Integer> e : hottest.entrySet()) {
            if (e.getValue() >= HOT_SHARE * imbalanced) {
                Map<String, Double> evidence = new LinkedHashMap<>();
                evidence.put("agent", (double) e.getKey());
                evidence.put("snapshotsHottest", (double) e.getValue());
                evidence.put("snapshotsImbalanced", (double) imbalanced);
                evidence.put("snapshots", (double) samples.size());
                found.add(new LoadPattern(LoadPattern.Kind.HOT_AGENT, "agent " + e.getKey(), String.format(Locale.ROOT,
                        "agent %d held the most queued load per capacity in %d of the %d imbalanced snapshots (of %d)",
                        e.getKey(), e.getValue(), imbalanced, samples.size()), evidence));
            }
        }
    }

    private static void recurringImbalance(List<SchedulerMetrics> samples, List<LoadPattern> found) {
        int episodes = 0;
        int imbalanced = 0;
        for (int i = 0; i < samples.size(); i++) {
            boolean now = imbalanced(samples.get(i));
            imbalanced += now ? 1 : 0;
            if (now && i > 0 && !imbalanced(samples.get(i - 1))) {
                episodes++;
            }
        }
        if (episodes < MIN_EPISODES) {
            return;
        }
        SchedulerMetrics first = samples.get(0);
        SchedulerMetrics last = samples.get(samples.size() - 1);
        Map<String, Double> evidence = new LinkedHashMap<>();
        evidence.put("episodes", (double) episodes);
        evidence.put("snapshotsImbalanced", (double) imbalanced);
        evidence.put("snapshots", (double) samples.size());
        evidence.put("migrations", (double) Math.max(0, last.migrations() - first.migrations()));
        found.add(new LoadPattern(LoadPattern.Kind.RECURRING_IMBALANCE, "pool", String.format(Locale.ROOT,
                "the pool became imbalanced (load CoV above %.1f) %d times after being balanced, %d of %d snapshots"
                        + " imbalanced, %,d tasks migrated meanwhile",
                IMBALANCED, episodes, imbalanced, samples.size(), Math.max(0, last.migrations() - first.migrations())),
                evidence));
    }

    private static void periodicLoad(List<SchedulerMetrics> samples, List<LoadPattern> found) {
        int n = samples.size() - 1;
        if (n < MIN_INTERVALS) {
            return;
        }
        double[] x = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            SchedulerMetrics a = samples.get(i);
            SchedulerMetrics b = samples.get(i + 1);
            x[i] = Math.max(0, (b.completed() - a.completed()) + (b.queued() - a.queued()));
            mean += x[i] / n;
        }
        double variance = 0;
        for (double v : x) {
            variance += (v - mean) * (v - mean) / n;
        }
        if (mean <= 0 || Math.sqrt(variance) / mean <= MIN_VARIATION) {
            return;
        }
        int maxLag = n / 3;
        double[] r = new double[maxLag + 2];
        for (int lag = 1; lag <= Math.min(maxLag + 1, n - 1); lag++) {
            double c = 0;
            for (int i = 0; i + lag < n; i++) {
                c += (x[i] - mean) * (x[i + lag] - mean);
            }
            r[lag] = c / (n * variance);
        }
        int best = -1;
        for (int lag = 2; lag <= maxLag; lag++) {
            boolean peak = r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1];
            if (peak && r[lag] >= MIN_AUTOCORRELATION && (best < 0 || r[lag] > r[best])) {
                best = lag;
            }
        }
        if (best < 0) {
            return;
        }
        double interval = (samples.get(n).uptimeNanos() - samples.get(0).uptimeNanos()) / 1e9 / n;
        double low = Double.MAX_VALUE;
        double high = 0;
        for (double v : x) {
            low = Math.min(low, v);
            high = Math.max(high, v);
        }
        Map<String, Double> evidence = new LinkedHashMap<>();
        evidence.put("periodSeconds", best * interval);
        evidence.put("autocorrelation", r[best]);
        evidence.put("meanArrivalsPerSecond", mean / interval);
        evidence.put("lowArrivalsPerSecond", low / interval);
        evidence.put("highArrivalsPerSecond", high / interval);
        evidence.put("periodsSeen", (double) n / best);
        found.add(new LoadPattern(LoadPattern.Kind.PERIODIC_LOAD, "arrivals", String.format(Locale.ROOT,
                "arrivals repeat every %.1f s (autocorrelation %.2f, %.1f periods seen), between %,.0f and %,.0f tasks/s",
                best * interval, r[best], (double) n / best, low / interval, high / interval), evidence));
    }
}
