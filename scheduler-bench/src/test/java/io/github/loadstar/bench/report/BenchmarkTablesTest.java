package io.github.loadstar.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table generator on a small JMH JSON file ({@code report/small-run.json}, in JMH 1.37's
 * format, with the sidecar a run writes): the whole markdown it must produce, and the rules behind
 * the figures one by one (speeds, ratios, counters divided by their samples, targets).
 */
class BenchmarkTablesTest {

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(BenchmarkTablesTest.class.getResource("/report/" + name).toURI());
    }

    @Test
    void theSmallRunBecomesTheExpectedMarkdown() throws Exception {
        String expected = Files.readString(resource("small-run.md"), StandardCharsets.UTF_8);
        assertEquals(expected, BenchmarkTables.tablesOf(List.of(resource("small-run.json"))));
    }

    @Test
    void countersAreMeansPerSampleAndTheSamplesCounterIsNotShown() throws Exception {
        List<BenchmarkResult> results = JmhJson.read(resource("small-run.json"));
        BenchmarkResult skewed = results.stream()
                .filter(r -> r.className().equals("SkewedLoadBenchmark") && r.executor().equals("loadstar"))
                .findFirst().orElseThrow();
        // the file holds loadCov summed over 4 batches: 0.48, and samples 4
        assertEquals(0.12, skewed.counter("loadCov"), 1e-12);
        assertFalse(skewed.counters().containsKey(JmhJson.SAMPLES));
        assertEquals(42.0, skewed.score());
        assertEquals("1:1", skewed.params().get("capacities"));
        assertFalse(skewed.params().containsKey("executor"), "executor is kept apart from the parameters");
    }

    @Test
    void countersWithoutSamplesAreShownAsSums() throws Exception {
        String json = "[{\"benchmark\":\"io.github.loadstar.bench.X.m\",\"mode\":\"thrpt\",\"threads\":1,"
                + "\"params\":{\"executor\":\"loadstar\"},\"primaryMetric\":{\"score\":2.0,\"scoreError\":\"NaN\","
                + "\"scoreUnit\":\"ops/us\"},\"secondaryMetrics\":{\"steals\":{\"score\":30.0,\"scoreUnit\":\"#\"}}}]";
        BenchmarkResult r = JmhJson.parse(json).get(0);
        assertEquals(30.0, r.counter("steals (sum)"));
        assertTrue(Double.isNaN(r.error()), "JMH writes a missing error as the string NaN");
        assertTrue(Double.isNaN(r.bytesPerOp()), "not profiled");
    }

    @Test
    void aTimeIsInvertedSoThatEveryRatioReadsFasterAboveOne() throws Exception {
        List<BenchmarkResult> results = JmhJson.read(resource("small-run.json"));
        Comparison policies = Comparison.group(results).stream()
                .filter(c -> c.className().equals("PolicyOperationsBenchmark") && c.has("size", "100000"))
                .findFirst().orElseThrow();
        BenchmarkResult edf = policies.of("loadstar-edf").orElseThrow();
        BenchmarkResult pq = policies.of("priorityqueue").orElseThrow();
        // 40 ns/op against 20 ns/op: EDF runs at half the priority queue's speed
        assertEquals(0.5, edf.speed() / pq.speed(), 1e-12);
        List<Target.Verdict> verdicts = IssueTargets.all().stream()
                .flatMap(t -> t.evaluate(results).stream())
                .filter(v -> v.goal().startsWith("EDF")).toList();
        assertEquals(1, verdicts.size(), "only the 10^5 group is held against the target");
        assertFalse(verdicts.get(0).met());
        assertEquals("25 % short", verdicts.get(0).shortfall(), "0.5 against at least 1/1.5");
    }

    @Test
    void theReferenceIsLoadstarsDefaultEvenWhenAVariantIsListedFirst() throws Exception {
        Comparison skewed = Comparison.group(JmhJson.read(resource("small-run.json"))).stream()
                .filter(c -> c.className().equals("SkewedLoadBenchmark")).findFirst().orElseThrow();
        assertEquals("loadstar-even", skewed.results().get(0).executor());
        assertEquals("loadstar", skewed.reference().orElseThrow().executor());
        assertEquals("forkjoinpool", skewed.primaryPeer().orElseThrow().executor());
    }

    @Test
    void updateReplacesOnlyTheGeneratedSection() {
        String doc = "# Benchmarks\n\nprose before\n\n" + BenchmarkTables.BEGIN + "\nold tables\n"
                + BenchmarkTables.END + "\n\nprose after\n";
        String updated = BenchmarkTables.replaceGenerated(doc, "new tables\n");
        assertEquals("# Benchmarks\n\nprose before\n\n" + BenchmarkTables.BEGIN + "\n\nnew tables\n"
                + BenchmarkTables.END + "\n\nprose after\n", updated);
        assertEquals(updated, BenchmarkTables.replaceGenerated(updated, "new tables\n"), "idempotent");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchmarkTables.replaceGenerated("# no markers\n", "x"));
        assertTrue(e.getMessage().contains("BEGIN GENERATED TABLES"), e.getMessage());
    }

    @Test
    void aRunWithoutItsSidecarSaysSoInsteadOfDescribingThisMachine(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("copy.json");
        Files.copy(resource("small-run.json"), copy);
        String tables = BenchmarkTables.tablesOf(List.of(copy));
        assertTrue(tables.contains("- Machine: not recorded\n"), tables);
        assertTrue(tables.contains("- Command: `not recorded`"), tables);
    }

    @Test
    void aGzippedResultFileReadsTheSameWithItsSidecar(@TempDir Path dir) throws Exception {
        Path gz = dir.resolve("small-run.json.gz");
        try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(resource("small-run.json"), out);
        }
        Files.copy(resource("small-run.run.properties"), dir.resolve("small-run.run.properties"));
        assertEquals(Files.readString(resource("small-run.md"), StandardCharsets.UTF_8),
                BenchmarkTables.tablesOf(List.of(gz)));
    }

    @Test
    void theSidecarRoundTrips(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("run.json");
        RunInfo written = RunInfo.ofThisMachine("java -jar benchmarks.jar -profile quick");
        written.writeFor(json);
        assertEquals(dir.resolve("run.run.properties"), RunInfo.sidecarOf(json));
        assertEquals(written, RunInfo.readFor(json));
        assertEquals(Integer.toString(Runtime.getRuntime().availableProcessors()), written.cores());
    }
}
