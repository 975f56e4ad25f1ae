package io.github.loadstar.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads the file JMH writes with {@code -rf json}: an array of results, each with
 * {@code benchmark}, {@code mode}, {@code threads}, {@code params}, {@code primaryMetric} and
 * {@code secondaryMetrics}.
 *
 * <p>Secondary results are split in two: profilers' (their names hold a dot, as
 * {@code gc.alloc.rate.norm}; only that one is kept, as bytes per operation) and the benchmark's own
 * {@code @AuxCounters}. JMH sums {@code EVENTS} counters over every measured iteration and fork; a
 * benchmark that counts its measurements in a counter named {@value #SAMPLES} has every other counter
 * divided by it here, so the tables show the mean per measurement (per batch, per shot, per
 * iteration window — each benchmark says which).
 */
public final class JmhJson {
    /** The counter a benchmark counts its measurements in. */
    public static final String SAMPLES = "samples";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JmhJson() {
    }

    /** The results in {@code file} (JMH's JSON, or it gzipped: {@code .json.gz}), in the file's order. */
    public static List<BenchmarkResult> read(Path file) throws IOException {
        return parse(tree(file), file.toString());
    }

    private static JsonNode tree(Path file) throws IOException {
        try (InputStream in = file.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
            return MAPPER.readTree(in);
        }
    }

    /** The results in a JSON text, in its order. */
    public static List<BenchmarkResult> parse(String json) throws IOException {
        return parse(MAPPER.readTree(json), "the JSON text");
    }

    /**
     * One run from {@code file}, parsed once: the JDK its results were measured on ({@code jdkVersion},
     * {@code vmName}, {@code vmVersion} of the first; "" if none), its sidecar, its results.
     */
    public static MarkdownTables.Run run(Path file) throws IOException {
        JsonNode root = tree(file);
        String jdk = "";
        if (root.isArray() && !root.isEmpty()) {
            JsonNode first = root.get(0);
            jdk = first.path("jdkVersion").asText("") + " (" + first.path("vmName").asText("")
                    + ", " + first.path("vmVersion").asText("") + ")";
        }
        return new MarkdownTables.Run(jdk, RunInfo.readFor(file), parse(root, file.toString()));
    }

    private static List<BenchmarkResult> parse(JsonNode root, String source) {
        if (!root.isArray()) {
            throw new IllegalArgumentException(source + " is not a JMH JSON result file (no top-level array)");
        }
        List<BenchmarkResult> results = new ArrayList<>();
        for (JsonNode r : root) {
            String benchmark = required(r, "benchmark", source).asText();
            int dot = benchmark.lastIndexOf('.');
            int classDot = benchmark.lastIndexOf('.', dot - 1);
            if (dot < 0) {
                throw new IllegalArgumentException(source + ": benchmark name without a class: " + benchmark);
            }
            String className = benchmark.substring(classDot + 1, dot);
            String method = benchmark.substring(dot + 1);
            Map<String, String> params = new LinkedHashMap<>();
            String executor = "";
            for (Map.Entry<String, JsonNode> e : r.path("params").properties()) {
                if (e.getKey().equals("executor")) {
                    executor = e.getValue().asText();
                } else {
                    params.put(e.getKey(), e.getValue().asText());
                }
            }
            JsonNode primary = required(r, "primaryMetric", source);
            double bytesPerOp = Double.NaN;
            Map<String, Double> sums = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : r.path("secondaryMetrics").properties()) {
                String name = e.getKey();
                double value = number(e.getValue().path("score"));
                if (name.equals("gc.alloc.rate.norm")) {
                    bytesPerOp = value;
                } else if (name.indexOf('.') < 0 && name.indexOf('\u00b7') < 0) {
                    sums.put(name, value);
                }
            }
            Map<String, Double> counters = new LinkedHashMap<>();
            Double samples = sums.get(SAMPLES);
            for (Map.Entry<String, Double> e : sums.entrySet()) {
                if (samples != null && !e.getKey().equals(SAMPLES)) {
                // a mean per measurement
                    counters.put(e.getKey(), samples > 0 ? e.getValue() / samples : Double.NaN);
                } else if (samples == null) {
                    counters.put(e.getKey() + " (sum)", e.getValue());
                }
            }
            results.add(new BenchmarkResult(className, method, required(r, "mode", source).asText(),
                    r.path("threads").asInt(1), executor, params, number(required(primary, "score", source)),
                    number(primary.path("scoreError")), primary.path("scoreUnit").asText(""), counters,
                    bytesPerOp));
        }
        return results;
    }

    private static JsonNode required(JsonNode node, String field, String source) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(source + ": a result without \"" + field + "\"");
        }
        return v;
    }

    /** JMH writes NaN and infinities as strings ("NaN"). */
    private static double number(JsonNode node) {
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isTextual()) {
            try {
                return Double.parseDouble(node.asText());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}
