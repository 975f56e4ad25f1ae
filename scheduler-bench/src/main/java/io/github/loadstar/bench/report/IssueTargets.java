package io.github.loadstar.bench.report;

import java.util.List;

/**
 * The targets the suite reports against (issue 12), as data. None is asserted anywhere: the tables
 * show each as met or short, and by how much.
 */
public final class IssueTargets {
    private IssueTargets() {
    }

    /** Every target, in the order the tables list them. */
    public static List<Target> all() {
        return List.of(
                Target.speedAtLeast("External submission ≥ 1.2× ForkJoinPool", "ExternalSubmissionBenchmark",
                        c -> true, "loadstar", "forkjoinpool", 1.2),
                Target.speedAtLeast("External submission ≥ 1.2× ForkJoinPool (async mode)",
                        "ExternalSubmissionBenchmark", c -> true, "loadstar", "forkjoinpool-fifo", 1.2),
                Target.speedAtLeast("External submission ≥ 3× ThreadPoolExecutor", "ExternalSubmissionBenchmark",
                        c -> true, "loadstar", "threadpoolexecutor", 3),
                Target.speedAtLeast("External submission ≥ 3× ThreadPoolExecutor (ArrayBlockingQueue)",
                        "ExternalSubmissionBenchmark", c -> true, "loadstar", "threadpoolexecutor-array", 3),
                Target.speedAtLeast("Local spawn ≥ 1.2× ForkJoinPool (execute)", "SpawnBenchmark", c -> true,
                        "loadstar", "forkjoinpool", 1.2),
                Target.speedAtLeast("Local spawn ≥ 1.2× ForkJoinPool (fork)", "SpawnBenchmark", c -> true,
                        "loadstar", "forkjoinpool-fork", 1.2),
                Target.speedAtLeast("Local spawn ≥ 3× ThreadPoolExecutor", "SpawnBenchmark", c -> true,
                        "loadstar", "threadpoolexecutor", 3),
                Target.speedAtLeast("Recursive fork-and-wait ≥ 1.0× RecursiveTask", "RecursiveWaitBenchmark",
                        c -> true, "loadstar", "forkjoinpool-recursivetask", 1.0),
                Target.speedAtLeast("Skewed load, stealing: makespan within 1.1× of the evenly placed run",
                        "SkewedLoadBenchmark", c -> true, "loadstar", "loadstar-even", 1 / 1.1),
                Target.counterAtMost("Skewed load, stealing: load CoV ≤ 0.1", "SkewedLoadBenchmark", c -> true,
                        "loadstar", "loadCov", 0.1),
                Target.speedAtLeast("EDF offer+poll ≤ 1.5× PriorityQueue at 10⁵", "PolicyOperationsBenchmark",
                        c -> c.has("size", "100000"), "loadstar-edf", "priorityqueue", 1 / 1.5),
                Target.speedAtLeast("CFS offer+poll ≤ 1.5× PriorityQueue at 10⁵", "PolicyOperationsBenchmark",
                        c -> c.has("size", "100000"), "loadstar-cfs", "priorityqueue", 1 / 1.5),
                Target.speedAtLeast("WFQ offer+poll ≤ 1.5× PriorityQueue at 10⁵", "PolicyOperationsBenchmark",
                        c -> c.has("size", "100000"), "loadstar-wfq", "priorityqueue", 1 / 1.5),
                Target.speedAtLeast("MLFQ offer+poll ≤ 1.5× PriorityQueue at 10⁵", "PolicyOperationsBenchmark",
                        c -> c.has("size", "100000"), "loadstar-mlfq", "priorityqueue", 1 / 1.5),
                Target.countersNotAbove("Queue latency p50/p99/p99.9 ≤ ForkJoinPool's", "QueueLatencyBenchmark",
                        c -> true, "loadstar", "forkjoinpool", "p50Micros", "p99Micros", "p999Micros"),
                Target.overheadAtMost("Breaker overhead ≤ 0.5× Resilience4j per call", "BreakerOverheadBenchmark",
                        c -> true, "loadstar", "resilience4j", "baseline", 0.5),
                Target.bytesAtMost("Breaker: 0 B/op in CLOSED", "BreakerOverheadBenchmark",
                        c -> c.has("path", "success") || c.has("path", "failure10"), "loadstar", 0.5));
    }
}
