package io.github.loadstar.bench;

import io.github.loadstar.algorithms.allocation.GapInstance;
import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The allocators on the Generalized Assignment Problem instances with proven optima (minimisation):
 * per instance and allocator the value found, the optimum (or, for d20200, the best lower bound), the
 * gap in %, and the time; then the mean gap per instance type. Allocators: the genetic one, the three
 * baselines, CP-SAT, and a genetic algorithm on Jenetics as the generic-framework peer, each with the
 * same time budget.
 *
 * <pre>
 * java -cp scheduler-bench/target/benchmarks.jar io.github.loadstar.bench.GapBenchmark \
 *     [--data ../shared/data/gap] [--sets gap,c,d,e] [--budget-ms 10000] [--gap-budget-ms 1000] \
 *     [--allocators genetic,regret-greedy,lpt,round-robin,cp-sat,jenetics] [--seed 1]
 * </pre>
 * gap1–gap12 use {@code --gap-budget-ms} (1 s by default, the target), C, D and E
 * {@code --budget-ms} (10 s). Run from the project's root (the data folder beside it).
 */
public final class GapBenchmark {
    private GapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        opt.put("data", "../shared/data/gap");
        opt.put("sets", "gap,c,d,e");
        opt.put("budget-ms", "10000");
        opt.put("gap-budget-ms", "1000");
        opt.put("allocators", "genetic,regret-greedy,lpt,round-robin,cp-sat,jenetics");
        opt.put("seed", "1");
        for (int k = 0; k < args.length; k++) {
            if (!args[k].startsWith("--") || k + 1 >= args.length || !opt.containsKey(args[k].substring(2))) {
                System.err.println("usage: GapBenchmark " + opt.keySet().stream().map(o -> "[--" + o + " V]")
                        .reduce((a, b) -> a + " " + b).orElse(""));
                System.exit(2);
            }
            opt.put(args[k].substring(2), args[++k]);
        }
        Path data = Path.of(opt.get("data"));
        if (!Files.isDirectory(data)) {
            System.err.println("no GAP data at " + data.toAbsolutePath() + " (--data)");
            System.exit(2);
        }
        List<String> sets = Arrays.asList(opt.get("sets").split(","));
        List<String> allocators = Arrays.asList(opt.get("allocators").split(","));
        long seed = Long.parseLong(opt.get("seed"));
        Map<String, double[]> sums = new LinkedHashMap<>();     // type/allocator -> {sum of gaps, count, infeasible}
        System.out.printf(Locale.ROOT, "JDK %s, %d processors; seed %d%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), seed);
        System.out.printf(Locale.ROOT, "%-10s %-14s %10s %10s %8s %9s%n", "instance", "allocator", "value", "optimum",
                "gap %", "time ms");
        List<GapInstance> instances = new ArrayList<>();
        if (sets.contains("gap")) {
            instances.addAll(GapInstance.folder(data, "orlib-gap1-12"));
        }
        List<GapInstance> typed = new ArrayList<>();
        if (sets.contains("c") || sets.contains("d")) {
            typed.addAll(GapInstance.folder(data, "chu1997"));
        }
        if (sets.contains("e")) {
            typed.addAll(GapInstance.folder(data, "yagiura2004"));
        }
        for (GapInstance g : typed) {
            if (sets.contains(g.name().substring(0, 1))) {
                instances.add(g);
            }
        }
        for (GapInstance g : instances) {
            String type = g.name().startsWith("gap") ? "gap1-12" : g.name().substring(0, 1).toUpperCase(Locale.ROOT);
            Duration budget = Duration.ofMillis(Long.parseLong(type.equals("gap1-12") ? opt.get("gap-budget-ms")
                    : opt.get("budget-ms")));
            var problem = g.problem();      // built once, outside the timed region
            for (String name : allocators) {
                AllocationRequest r = AllocationRequest.builder().timeBudget(budget).seed(seed).build();
                long start = System.nanoTime();
                double value;
                if (name.equals("jenetics")) {
                    int[] a = JeneticsGapPeer.solve(problem, budget);
                    value = a == null ? Double.NaN : problem.evaluate(a).weighted(r.weights());
                } else {
                    Allocation a = Allocators.byName(name).allocate(problem, r);
                    value = a.found() ? a.objective() : Double.NaN;
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                double gap = 100.0 * (value - g.best()) / g.best();
                System.out.printf(Locale.ROOT, "%-10s %-14s %10s %10d %8s %9d%n", g.name(), name,
                        Double.isNaN(value) ? "none" : String.format(Locale.ROOT, "%.0f", value), g.best(),
                        Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", gap), ms);
                double[] s = sums.computeIfAbsent(type + "/" + name, x -> new double[4]);
                if (Double.isNaN(value)) {
                    s[2]++;
                } else {
                    s[0] += gap;
                    s[1]++;
                    s[3] += Math.round(value) == g.best() ? 1 : 0;
                }
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-10s %-14s %10s %10s %10s%n", "type", "allocator", "mean gap %", "optimal",
                "none found");
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            String[] k = e.getKey().split("/");
            double[] s = e.getValue();
            System.out.printf(Locale.ROOT, "%-10s %-14s %10s %10d %10d%n", k[0], k[1],
                    s[1] == 0 ? "-" : String.format(Locale.ROOT, "%.3f", s[0] / s[1]), (long) s[3], (long) s[2]);
        }
    }
}
