package io.github.loadstar.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The results that are compared with one another: same benchmark class and method, same parameters
 * other than {@code executor}, same thread count — one row group of a table. Within it, the
 * <em>reference</em> is Loadstar's default ({@code executor=loadstar}, else the first Loadstar result) and
 * the <em>primary peer</em> the first other one (the peer the benchmark names first, usually
 * ForkJoinPool).
 */
public record Comparison(String className, String method, String params, int threads,
        List<BenchmarkResult> results) {

    /** The results grouped, groups and rows in the order of {@code all}. */
    public static List<Comparison> group(List<BenchmarkResult> all) {
        Map<String, List<BenchmarkResult>> groups = new LinkedHashMap<>();
        for (BenchmarkResult r : all) {
            String key = r.className() + "." + r.method() + "|" + paramsText(r) + "|" + r.threads();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        List<Comparison> out = new ArrayList<>();
        for (List<BenchmarkResult> g : groups.values()) {
            BenchmarkResult first = g.get(0);
            out.add(new Comparison(first.className(), first.method(), paramsText(first), first.threads(),
                    List.copyOf(g)));
        }
        return out;
    }

    /** The parameters other than {@code executor} as {@code a=1 b=2}, "" if none. */
    public static String paramsText(BenchmarkResult r) {
        StringBuilder b = new StringBuilder();
        r.params().forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    /** Loadstar's default ({@code executor=loadstar}) if the group has it, else its first Loadstar result. */
    public Optional<BenchmarkResult> reference() {
        Optional<BenchmarkResult> plain = of("loadstar");
        return plain.isPresent() ? plain : results.stream().filter(BenchmarkResult::isLoadstar).findFirst();
    }

    /** The first result that is not Loadstar's, if any. */
    public Optional<BenchmarkResult> primaryPeer() {
        return results.stream().filter(r -> !r.isLoadstar()).findFirst();
    }

    /** The result of {@code executor}, if the group has one. */
    public Optional<BenchmarkResult> of(String executor) {
        return results.stream().filter(r -> r.executor().equals(executor)).findFirst();
    }

    /** Whether a parameter has a value, e.g. {@code size=100000}. */
    public boolean has(String param, String value) {
        return results.get(0).params().containsKey(param) && results.get(0).params().get(param).equals(value);
    }

    /**
     * The configuration as the tables name it: {@code method params}, and JMH's thread count when it
     * is more than one ({@code [2 benchmark threads]}: producers or callers, not the pool's workers).
     */
    public String label() {
        return method + (params.isEmpty() ? "" : " " + params)
                + (threads > 1 ? " [" + threads + " benchmark threads]" : "");
    }
}
