package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadstar report}: the performance report. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "The performance report: the KPIs now and over a window (throughput, utilization, load variance, "
                + "migration rate, queue latency, fairness), the trend, the agents, tenants and findings.")
final class ReportCommand extends SchedulerCommand {
    enum ReportFormat { text, json, detailed }

    @Option(names = "--format", defaultValue = "text", description = "text, json or detailed (default: ${DEFAULT-VALUE}).")
    ReportFormat format;

    @Option(names = "--window", defaultValue = "60s", converter = Durations.class,
            description = "The window of the detailed report (default: ${DEFAULT-VALUE}; text and json use 60s).")
    Duration window;

    @Override
    int run(SchedulerClient client, PrintWriter out) {
        switch (format) {
            case json:
                printJson(out, client.reportJson());
                break;
            case detailed:
                out.print(Table.fit(client.reportDetailed(Durations.seconds(window)), 80));
                break;
            default:
                out.print(Table.fit(client.reportText(), 80));
                break;
        }
        out.flush();
        return 0;
    }
}
