package io.github.loadstar.bench;

import io.github.loadstar.bench.report.IssueTargets;
import io.github.loadstar.bench.report.JmhJson;
import io.github.loadstar.bench.report.MarkdownTables;
import io.github.loadstar.bench.report.RunInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The entry point of {@code benchmarks.jar}: JMH's own command line, plus two additions.
 *
 * <pre>
 * java -jar scheduler-bench/target/benchmarks.jar [JMH options] [regex...]     exactly JMH
 * java -jar scheduler-bench/target/benchmarks.jar -profile quick [JMH options] [regex...]
 * java -jar scheduler-bench/target/benchmarks.jar -profile full  [JMH options] [regex...]
 * ... -ratios                                         also print the tables after the run
 *                                                     (JSON to jmh-result.json unless -rff says where)
 * </pre>
 *
 * <p>Without {@code -profile} or {@code -ratios} the arguments go to {@code org.openjdk.jmh.Main}
 * untouched: {@code -l}, {@code -lp}, {@code -h}, includes, {@code -e} excludes, {@code -rf json}
 * all behave as in any JMH jar, and no argument runs everything with the annotations' settings
 * (the quick profile's timing, without {@code -prof gc} and JSON).
 *
 * <ul>
 *   <li>{@code -profile quick}: the whole suite in under 10 minutes on 2 cores, with the settings
 *       in the classes' annotations — one fork, one warm-up iteration sized per class to what the
 *       JIT needs on 2 cores (3–5 s where a pool runs the measured code on several threads: C2
 *       code arrives only after 2.5–4.5 s there; 4 s for the breakers, whose peers step up late; about 1 s for other single-threaded code), three measurement
 *       iterations of 300 ms (single-shot benchmarks: their own shot counts) — plus
 *       {@code -prof gc}, JSON written to {@code jmh-quick.json}. Figures to compare with one
 *       another within a run, with the error column in view.</li>
 *   <li>{@code -profile full}: two forks, five warm-up and five measurement iterations of 1 s
 *       (single-shot benchmarks: five warm-up and five measured shots per fork), {@code -prof gc},
 *       JSON to {@code jmh-full.json}: about an hour on 2 cores.</li>
 * </ul>
 * Every option given explicitly wins over the profile's ({@code -profile quick -f 2} forks twice;
 * {@code -rff x.json} writes there). With a JSON result file, the machine and the exact command
 * are written beside it ({@link RunInfo#sidecarOf}) for {@code BenchmarkTables}, which turns the
 * file into the tables of {@code docs/benchmarks.md}; {@code -ratios} prints those tables for this
 * run when it ends.
 */
public final class BenchmarkMain {
    private BenchmarkMain() {
    }

    /** Benchmarks a profile runs only when named (they start Hazelcast member JVMs). */
    static final String REMOTE = "RemoteTaskBenchmark";

    public static void main(String[] args) throws Exception {
        String profile = null;
        boolean ratios = false;
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-profile")) {
                if (i + 1 >= args.length || !(args[i + 1].equals("quick") || args[i + 1].equals("full"))) {
                    System.err.println("-profile takes quick or full");
                    System.exit(2);
                }
                profile = args[++i];
            } else if (args[i].equals("-ratios")) {
                ratios = true;
            } else {
                jmhArgs.add(args[i]);
            }
        }
        if (profile == null && !ratios) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(jmhArgs.toArray(new String[0]));
            return;
        }
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (profile != null) {
            if (profile.equals("full")) {
                if (!cli.getForkCount().hasValue()) {
                    builder.forks(2);
                }
                if (!cli.getWarmupIterations().hasValue()) {
                    builder.warmupIterations(5);
                }
                if (!cli.getMeasurementIterations().hasValue()) {
                    builder.measurementIterations(5);
                }
                if (!cli.getWarmupTime().hasValue()) {
                    builder.warmupTime(TimeValue.seconds(1));
                }
                if (!cli.getMeasurementTime().hasValue()) {
                    builder.measurementTime(TimeValue.seconds(1));
                }
            }
            if (cli.getProfilers().stream().noneMatch(p -> p.getKlass().equals(GCProfiler.class.getName())
                    || p.getKlass().equals("gc"))) {
                builder.addProfiler(GCProfiler.class);
            }
        }
        boolean otherFormat = cli.getResultFormat().hasValue() && cli.getResultFormat().get() != ResultFormatType.JSON;
        if (otherFormat && ratios) {
            System.err.println("-ratios reads the run's JSON results: it cannot be combined with -rf "
                    + cli.getResultFormat().get());
            System.exit(2);
        }
        Path json = null;
        if (!otherFormat) {
            if (cli.getResult().hasValue()) {
                json = Path.of(cli.getResult().get());
            } else if (profile != null) {
                json = Path.of("jmh-" + profile + ".json");
            } else if (ratios) {
                json = Path.of("jmh-result.json");
            }
        }
        if (profile != null && cli.getIncludes().isEmpty()) {
            builder.exclude(REMOTE);     // starts member JVMs per trial: run when named
        }
        if (json != null) {
            builder.resultFormat(ResultFormatType.JSON).result(json.toString());
            RunInfo.ofThisMachine(commandLine(args)).writeFor(json);
        }
        long start = System.nanoTime();
        new Runner(builder.build()).run();
        System.out.printf("%nSuite finished in %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
        if (ratios && json != null && Files.exists(json)) {
            System.out.println();
            System.out.println(MarkdownTables.render(List.of(JmhJson.run(json)), IssueTargets.all()));
        }
    }

    /** The command as run: the JVM's own command line when the OS tells it, else a reconstruction. */
    private static String commandLine(String[] args) {
        return ProcessHandle.current().info().commandLine()
                .orElse("java -jar benchmarks.jar " + String.join(" ", args));
    }
}
