package io.github.loadstar.core.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one tenant consumed between two snapshots: the tasks of it that ran and their run time (the
 * cost unit a scheduler can measure for every task), and its share of all tenants' run time.
 *
 * @param tenant       the tenant key
 * @param tasks        its tasks completed in the interval
 * @param serviceNanos the run time of its tasks in the interval
 * @param share        its part of all tenants' run time in the interval, in [0, 1] (0 when none ran)
 */
public record TenantUsage(String tenant, long tasks, long serviceNanos, double share) {

    /**
     * Each tenant's usage between {@code from} (null: since the start) and {@code to}, in the order
     * of {@code to}'s tenants; a tenant absent from {@code from} started at zero.
     *
     * @throws NullPointerException if {@code to} is null
     */
    public static List<TenantUsage> between(SchedulerMetrics from, SchedulerMetrics to) {
        Objects.requireNonNull(to, "to");
        Map<String, TenantMetrics> before = new HashMap<>();
        if (from != null) {
            for (TenantMetrics t : from.tenants()) {
                before.put(t.tenant(), t);
            }
        }
        long total = 0;
        long[] tasks = new long[to.tenants().size()];
        long[] service = new long[tasks.length];
        for (int k = 0; k < tasks.length; k++) {
            TenantMetrics t = to.tenants().get(k);
            TenantMetrics b = before.get(t.tenant());
            tasks[k] = Math.max(0, t.completed() - (b == null ? 0 : b.completed()));
            service[k] = Math.max(0, t.serviceNanos() - (b == null ? 0 : b.serviceNanos()));
            total += service[k];
        }
        List<TenantUsage> out = new ArrayList<>(tasks.length);
        for (int k = 0; k < tasks.length; k++) {
            out.add(new TenantUsage(to.tenants().get(k).tenant(), tasks[k], service[k],
                    total == 0 ? 0 : (double) service[k] / total));
        }
        return out;
    }

    /**
     * The usage over the newest {@code window} as JSON: {@code {"fromSeconds":…,"toSeconds":…,
     * "tenants":[{"tenant":…,"tasks":…,"serviceSeconds":…,"share":…}]}}, the interval running to
     * {@code now} from the start when the window reaches back that far (or the history is empty),
     * else from the oldest snapshot of the history in the window; the seconds are the scheduler's
     * uptime, so a window longer than the history holds shows as a later {@code fromSeconds}.
     */
    public static String toJson(SchedulerHistory history, SchedulerMetrics now, java.time.Duration window) {
        List<SchedulerMetrics> in = history.within(window);
        SchedulerMetrics from = in.isEmpty() || window.toNanos() >= now.uptimeNanos() ? null : in.get(0);
        StringBuilder s = new StringBuilder("{");
        Json.field(s, "fromSeconds", from == null ? 0.0 : from.uptimeNanos() / 1e9).append(',');
        Json.field(s, "toSeconds", now.uptimeNanos() / 1e9).append(",\"tenants\":[");
        int k = 0;
        for (TenantUsage u : between(from, now)) {
            s.append(k++ == 0 ? "{" : ",{");
            Json.field(s, "tenant", u.tenant()).append(',');
            Json.field(s, "tasks", u.tasks()).append(',');
            Json.field(s, "serviceSeconds", u.serviceNanos() / 1e9).append(',');
            Json.field(s, "share", u.share()).append('}');
        }
        return s.append("]}").toString();
    }
}
