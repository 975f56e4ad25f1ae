package io.github.loadstar.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns JMH JSON result files into the markdown tables of {@code docs/benchmarks.md}, so that no
 * figure there is typed by hand.
 *
 * <pre>
 * java -cp scheduler-bench/target/benchmarks.jar io.github.loadstar.bench.report.BenchmarkTables \
 *     [--update docs/benchmarks.md | --out tables.md] results-17.json [results-25.json ...]
 * </pre>
 * Each JSON file is one run (one JDK); its machine and command come from the sidecar
 * {@code BenchmarkMain} wrote beside it ({@link RunInfo}). With {@code --update}, the text between
 * {@value #BEGIN} and {@value #END} in the file is replaced and the rest is kept; with {@code --out}
 * (or neither: standard output) only the tables are written.
 */
public final class BenchmarkTables {
    public static final String BEGIN = "<!-- BEGIN GENERATED TABLES (BenchmarkTables) -->";
    public static final String END = "<!-- END GENERATED TABLES -->";

    private BenchmarkTables() {
    }

    public static void main(String[] args) throws IOException {
        Path update = null;
        Path out = null;
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--update":
                    update = Path.of(value(args, ++i, "--update"));
                    break;
                case "--out":
                    out = Path.of(value(args, ++i, "--out"));
                    break;
                default:
                    if (args[i].startsWith("--")) {
                        fail("unknown option: " + args[i]);
                    }
                    inputs.add(Path.of(args[i]));
            }
        }
        if (inputs.isEmpty()) {
            fail("no JMH JSON result file given");
        }
        if (update != null && out != null) {
            fail("--update and --out cannot be combined");
        }
        for (Path p : inputs) {
            if (!Files.isReadable(p)) {
                fail("cannot read the result file " + p);
            }
        }
        String tables = tablesOf(inputs);
        if (update != null) {
            String doc = Files.readString(update, StandardCharsets.UTF_8);
            Files.writeString(update, replaceGenerated(doc, tables), StandardCharsets.UTF_8);
        } else if (out != null) {
            Files.writeString(out, tables, StandardCharsets.UTF_8);
        } else {
            System.out.print(tables);
        }
    }

    /** The markdown for the given result files, one run each. */
    public static String tablesOf(List<Path> inputs) throws IOException {
        List<MarkdownTables.Run> runs = new ArrayList<>();
        for (Path p : inputs) {
            runs.add(JmhJson.run(p));
        }
        return MarkdownTables.render(runs, IssueTargets.all());
    }

    /**
     * {@code doc} with the text between the markers replaced by {@code tables}.
     *
     * @throws IllegalArgumentException if the markers are missing or out of order
     */
    public static String replaceGenerated(String doc, String tables) {
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        if (begin < 0 || end < 0 || end < begin) {
            throw new IllegalArgumentException("the document has no " + BEGIN + " ... " + END + " section");
        }
        return doc.substring(0, begin + BEGIN.length()) + "\n\n" + tables + doc.substring(end);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a file");
        }
        return args[i];
    }

    private static void fail(String message) {
        System.err.println("BenchmarkTables: " + message);
        System.err.println("usage: BenchmarkTables [--update FILE.md | --out FILE.md] RESULT.json...");
        System.exit(2);
    }
}
