package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.AllocationProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Generalized Assignment Problem instance in the OR-Library / Yagiura format (test code, shared
 * with scheduler-bench through this module's test jar; not public API): {@code m n}, the cost matrix (m rows of n), the resource matrix, the
 * capacities. Whitespace-separated integers; one instance per file, or, as in the original
 * OR-Library files, several behind a leading count (see {@link #readAll}).
 *
 * @param name     the file's name without {@code .txt}
 * @param m        agents
 * @param n        jobs
 * @param cost     cost[i][j] of giving job j to agent i
 * @param resource resource[i][j] job j uses of agent i
 * @param capacity capacity[i]
 * @param best     the min-cost optimum or best known value (values.csv), or -1
 * @param proven   whether {@code best} is proven optimal
 */
public record GapInstance(String name, int m, int n, int[][] cost, int[][] resource, int[] capacity, long best, boolean proven) {

    /** The shared data folder, relative to a module's directory (where the tests run). */
    public static final Path FOLDER = Path.of("..", "..", "shared", "data", "gap");

    /** The problem, to minimise total cost: job j on agent i costs cost[i][j] and uses resource[i][j]. */
    public AllocationProblem problem() {
        AllocationProblem.Builder b = AllocationProblem.builder(m, n);
        for (int i = 0; i < m; i++) {
            b.capacity(i, capacity[i]);
            for (int j = 0; j < n; j++) {
                b.demand(j, i, 0, resource[i][j]).cost(j, i, cost[i][j]).duration(j, i, resource[i][j]);
            }
        }
        return b.build();
    }

    /** The instances in {@code file}: one, or several behind a leading count. */
    static List<GapInstance> readAll(Path file, Map<String, long[]> values) throws IOException {
        String[] tokens = Files.readString(file).trim().split("\\s+");
        int[] v = new int[tokens.length];
        for (int k = 0; k < tokens.length; k++) {
            v[k] = Integer.parseInt(tokens[k]);
        }
        String base = file.getFileName().toString().replace(".txt", "");
        List<GapInstance> out = new ArrayList<>();
        // one instance: m n + 2mn + m numbers; several: P, then that many
        int pos = 0;
        int count = 1;
        if (v.length != 2 + 2L * v[0] * v[1] + v[0]) {
            count = v[0];
            pos = 1;
        }
        for (int k = 0; k < count; k++) {
            int m = v[pos++];
            int n = v[pos++];
            int[][] c = new int[m][n];
            int[][] r = new int[m][n];
            int[] b = new int[m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[i][j] = v[pos++];
                }
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    r[i][j] = v[pos++];
                }
            }
            for (int i = 0; i < m; i++) {
                b[i] = v[pos++];
            }
            String name = count == 1 ? base : base + "-" + k;
            long[] known = values.getOrDefault(file.getParent().getFileName() + "/" + file.getFileName(), new long[] {-1, 0});
            out.add(new GapInstance(name, m, n, c, r, b, known[0], known[1] == 1));
        }
        if (pos != v.length) {
            throw new IOException(file + ": " + (v.length - pos) + " numbers left after " + count + " instances");
        }
        return out;
    }

    /** values.csv: file → {min-cost lower bound (the optimum where proven), proven 1/0}. */
    static Map<String, long[]> values(Path folder) throws IOException {
        Map<String, long[]> m = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(folder.resolve("values.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            m.put(f[0], new long[] {Long.parseLong(f[4]), f[6].equals("yes") ? 1 : 0});
        }
        return m;
    }

    /** Every instance under {@code sub} (a folder of the data in {@link #FOLDER}), sorted by name. */
    static List<GapInstance> folder(String sub) throws IOException {
        return folder(FOLDER, sub);
    }

    /** Every instance under {@code sub} of the data folder {@code data}, sorted by name. */
    public static List<GapInstance> folder(Path data, String sub) throws IOException {
        Map<String, long[]> values = values(data);
        List<GapInstance> all = new ArrayList<>();
        try (var files = Files.list(data.resolve(sub))) {
            for (Path f : files.sorted().toList()) {
                all.addAll(readAll(f, values));
            }
        }
        return all;
    }
}
