package io.github.loadstar.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            builder.include("ExecutorThroughputBenchmark|ForkJoinNativeBenchmark");
        }
        Options options = builder.build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.println(render(results));
    }

    /** One line per result: benchmark, parameters, score, and Loadstar's score divided by it. */
    static String render(Collection<RunResult> results) {
        Map<String, Double> loadstar = new LinkedHashMap<>();
        List<String[]> rows = new ArrayList<>();
        for (RunResult r : results) {
            String bench = shortName(r.getParams().getBenchmark());
            String executor = r.getParams().getParam("executor");
            String threads = r.getParams().getParam("threads");
            double score = r.getPrimaryResult().getScore();
            double error = r.getPrimaryResult().getScoreError();
            if ("loadstar".equals(executor)) {
                loadstar.put(comparisonKey(bench, threads), score);
            }
            rows.add(new String[] {bench, executor, threads, Double.toString(score), Double.toString(error),
                    r.getPrimaryResult().getScoreUnit()});
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "| %-44s | %-18s | %7s | %16s | %10s |%n",
                "benchmark", "executor", "threads", "score (ops/us)", "loadstar/x"));
        out.append("|").append("-".repeat(46)).append("|").append("-".repeat(20)).append("|")
                .append("-".repeat(9)).append("|").append("-".repeat(18)).append("|").append("-".repeat(12))
                .append("|\n");
        for (String[] row : rows) {
            double score = Double.parseDouble(row[3]);
            double error = Double.parseDouble(row[4]);
            Double ours = loadstar.get(comparisonKey(row[0], row[2]));
            String ratio = ours == null || "loadstar".equals(row[1]) ? "" : String.format(Locale.ROOT, "%.2f", ours / score);
            out.append(String.format(Locale.ROOT, "| %-44s | %-18s | %7s | %7.2f ± %6.2f | %10s |%n",
                    row[0], row[1], row[2], score, Double.isNaN(error) ? 0.0 : error, ratio));
        }
        return out.toString();
    }

    private static String shortName(String benchmark) {
        int dot = benchmark.lastIndexOf('.');
        int classDot = benchmark.lastIndexOf('.', dot - 1);
        return benchmark.substring(classDot + 1);
    }

    /** The Loadstar result a row is compared with: localFork (ForkJoinPool's idiom) against localSpawn. */
    private static String comparisonKey(String bench, String threads) {
        String method = bench.substring(bench.indexOf('.') + 1);
        if (method.equals("localFork")) {
            method = "localSpawn";
        }
        return method + "/" + threads;
    }
}
