package io.github.loadstar.ops;

import java.util.Collection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** One sample of metrics-collect as JSON: the time, and the chosen components' figures. */
final class MetricsSample {
    private MetricsSample() {
    }

    /** From a snapshot ({@code MetricsJson}), the components named in {@code components} (agents, tenants, queues). */
    static ObjectNode of(JsonNode m, Collection<?> components) {
        ObjectNode s = SchedulerClient.JSON.createObjectNode();
        s.put("time_s", SchedulerCommand.l(m, "uptimeNanos") / 1e9);
        if (components.stream().anyMatch(c -> c.toString().equals("agents"))) {
            s.set("agents", m.get("agents"));
        }
        if (components.stream().anyMatch(c -> c.toString().equals("tenants"))) {
            s.set("tenants", m.get("tenants"));
        }
        if (components.stream().anyMatch(c -> c.toString().equals("queues"))) {
            ObjectNode q = s.putObject("queues");
            q.put("queued", SchedulerCommand.l(m, "queued"));
            q.put("sharedQueued", SchedulerCommand.l(m, "sharedQueued"));
            q.put("completed", SchedulerCommand.l(m, "completed"));
            q.put("throughputPerSecond", SchedulerCommand.d(m, "throughputPerSecond"));
            q.set("queueLatency", m.get("queueLatency"));
        }
        return s;
    }
}
