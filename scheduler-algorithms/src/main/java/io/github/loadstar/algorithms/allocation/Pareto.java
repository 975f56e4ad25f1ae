package io.github.loadstar.algorithms.allocation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Non-dominated sorting and crowding distance (Deb et al., NSGA-II, 2002), on points to minimise in
 * every coordinate. Used by {@link GeneticAllocator#paretoFront}; public so callers can rank their
 * own candidates the same way.
 */
public final class Pareto {
    private Pareto() {
    }

    /** Whether {@code a} dominates {@code b}: no worse in every coordinate, better in one. */
    public static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int k = 0; k < a.length; k++) {
            if (a[k] > b[k]) {
                return false;
            }
            better |= a[k] < b[k];
        }
        return better;
    }

    /**
     * Each point's front: 0 for the points nobody dominates, 1 for those dominated only by front 0,
     * and so on (Deb's fast non-dominated sort, O(k n²) for k coordinates).
     */
    public static int[] ranks(double[][] points) {
        int n = points.length;
        int[] dominatedBy = new int[n];
        List<List<Integer>> dominates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dominates.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (dominates(points[i], points[j])) {
                    dominates.get(i).add(j);
                    dominatedBy[j]++;
                } else if (dominates(points[j], points[i])) {
                    dominates.get(j).add(i);
                    dominatedBy[i]++;
                }
            }
        }
        int[] rank = new int[n];
        Arrays.fill(rank, -1);
        List<Integer> front = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (dominatedBy[i] == 0) {
                front.add(i);
            }
        }
        for (int r = 0; !front.isEmpty(); r++) {
            List<Integer> next = new ArrayList<>();
            for (int i : front) {
                rank[i] = r;
                for (int j : dominates.get(i)) {
                    if (--dominatedBy[j] == 0) {
                        next.add(j);
                    }
                }
            }
            front = next;
        }
        return rank;
    }

    /**
     * The crowding distance of each of {@code members} (indices into {@code points}, one front): per
     * coordinate, the gap between a member's two neighbours in that coordinate over the front's range
     * in it, summed; the members at either end of a coordinate get infinity (they are kept first).
     * A coordinate with no range adds nothing.
     */
    public static double[] crowding(double[][] points, int[] members) {
        int n = members.length;
        double[] distance = new double[n];
        if (n == 0) {
            return distance;
        }
        int k = points[members[0]].length;
        Integer[] order = new Integer[n];
        for (int c = 0; c < k; c++) {
            final int coordinate = c;
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(points[members[a]][coordinate], points[members[b]][coordinate]));
            double low = points[members[order[0]]][c];
            double high = points[members[order[n - 1]]][c];
            distance[order[0]] = Double.POSITIVE_INFINITY;
            distance[order[n - 1]] = Double.POSITIVE_INFINITY;
            if (high - low <= 0) {
                continue;
            }
            for (int i = 1; i < n - 1; i++) {
                distance[order[i]] += (points[members[order[i + 1]]][c] - points[members[order[i - 1]]][c]) / (high - low);
            }
        }
        return distance;
    }
}
