package io.github.loadstar.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks (JMH command-line options are accepted, e.g. {@code -f 1 -wi 3 -i 5}, and a
 * regex selects benchmarks) and prints every result with its ratio to Loadstar's, measured in the
 * same run: a ratio above 1.0 means Loadstar is faster.
 *
 * <pre>java -jar scheduler-bench/target/benchmarks.jar [JMH options] [regex]</pre>
 */
public final class RatioReport {
    private RatioReport() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            // -h, -l, -lp, -lprof, -lrf: JMH's own answer; without this they would run every benchmark.
            org.openjdk.jmh.Main.main(args);
            return;
        }
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            builder.include("ExecutorThroughputBenchmark|ForkJoinNativeBenchmark|RecursiveWaitBenchmark"
                    + "|BreakerOverheadBenchmark");
        }
        Options options = builder.build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.println(render(results));
        String counters = renderCounters(results);
        if (!counters.isEmpty()) {
            System.out.println();
            System.out.println(counters);
        }
    }

    /**
     * One line per result: benchmark, its parameters, score, and Loadstar's score divided by it, for
     * the Loadstar result with the same method, parameters (other than {@code executor}) and thread
     * count.
     */
    static String render(Collection<RunResult> results) {
        Map<String, Double> loadstar = new LinkedHashMap<>();
        List<String[]> rows = new ArrayList<>();
        for (RunResult r : results) {
            String bench = shortName(r.getParams().getBenchmark());
            String executor = r.getParams().getParam("executor");
            String params = otherParams(r);
            double score = r.getPrimaryResult().getScore();
            double error = r.getPrimaryResult().getScoreError();
            String key = comparisonKey(bench, params);
            if ("loadstar".equals(executor)) {
                loadstar.put(key, score);
            }
            rows.add(new String[] {bench, executor, params, Double.toString(score), Double.toString(error), key});
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "| %-44s | %-26s | %-24s | %16s | %10s |%n",
                "benchmark", "executor", "parameters", "score (ops/us)", "loadstar/x"));
        out.append("|").append("-".repeat(46)).append("|").append("-".repeat(28)).append("|")
                .append("-".repeat(26)).append("|").append("-".repeat(18)).append("|").append("-".repeat(12))
                .append("|\n");
        for (String[] row : rows) {
            double score = Double.parseDouble(row[3]);
            double error = Double.parseDouble(row[4]);
            Double ours = loadstar.get(row[5]);
            String ratio = ours == null || "loadstar".equals(row[1]) ? "" : String.format(Locale.ROOT, "%.2f", ours / score);
            out.append(String.format(Locale.ROOT, "| %-44s | %-26s | %-24s | %7.2f ± %6.2f | %10s |%n",
                    row[0], row[1], row[2], score, Double.isNaN(error) ? 0.0 : error, ratio));
        }
        return out.toString();
    }

    /**
     * The benchmarks' own auxiliary counters ({@code @AuxCounters}), one line per counter; empty when
     * no result has any. JMH sums {@code EVENTS} counters over all measurement iterations and forks,
     * so where a benchmark counts its invocations in a counter named {@code trees}
     * (StealCountBenchmark), every other counter is printed per tree, i.e. total / trees: the mean
     * over every measured invocation. Profilers' secondary results ({@code -prof gc}: names with a
     * dot) are left to JMH's own output.
     */
    static String renderCounters(Collection<RunResult> results) {
        StringBuilder out = new StringBuilder();
        for (RunResult r : results) {
            Map<String, Result> secondary = r.getSecondaryResults();
            Result trees = secondary.get("trees");
            for (Map.Entry<String, Result> e : secondary.entrySet()) {
                String name = e.getKey();
                if (name.indexOf('.') >= 0 || name.indexOf('\u00b7') >= 0 || e.getValue() == trees) {
                    continue;
                }
                if (out.length() == 0) {
                    out.append(String.format(Locale.ROOT, "| %-44s | %-26s | %-24s | %-22s | %14s |%n",
                            "benchmark", "executor", "parameters", "counter", "value"));
                    out.append("|").append("-".repeat(46)).append("|").append("-".repeat(28)).append("|")
                            .append("-".repeat(26)).append("|").append("-".repeat(24)).append("|")
                            .append("-".repeat(16)).append("|\n");
                }
                double value = e.getValue().getScore();
                if (trees != null) {
                    name += " per tree";
                    value /= trees.getScore();
                }
                out.append(String.format(Locale.ROOT, "| %-44s | %-26s | %-24s | %-22s | %14.2f |%n",
                        shortName(r.getParams().getBenchmark()), r.getParams().getParam("executor"),
                        otherParams(r), name, value));
            }
        }
        return out.toString();
    }

    /** The parameters other than the executor, and the JMH thread count, e.g. {@code path=success t=2}. */
    private static String otherParams(RunResult r) {
        StringBuilder b = new StringBuilder();
        for (String name : new TreeSet<>(r.getParams().getParamsKeys())) {
            if (!name.equals("executor")) {
                b.append(name).append('=').append(r.getParams().getParam(name)).append(' ');
            }
        }
        return b.append("t=").append(r.getParams().getThreads()).toString();
    }

    private static String shortName(String benchmark) {
        int dot = benchmark.lastIndexOf('.');
        int classDot = benchmark.lastIndexOf('.', dot - 1);
        return benchmark.substring(classDot + 1);
    }

    /** The Loadstar result a row is compared with: localFork (ForkJoinPool's idiom) against localSpawn. */
    private static String comparisonKey(String bench, String params) {
        String method = bench.substring(bench.indexOf('.') + 1);
        if (method.equals("localFork")) {
            method = "localSpawn";
        }
        return method + "/" + params;
    }
}
