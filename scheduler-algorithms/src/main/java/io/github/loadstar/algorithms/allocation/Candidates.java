package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.AllocationProblem;

/** For each task, the agents it may go to by itself ({@link AllocationProblem#allows}), as arrays and as a bit table. */
final class Candidates {
    final int[][] allowed;
    private final boolean[] table;    // [j * m + i]
    private final int m;

    Candidates(AllocationProblem p) {
        this.m = p.agents();
        int n = p.tasks();
        this.allowed = new int[n][];
        this.table = new boolean[n * m];
        int[] buffer = new int[m];
        for (int j = 0; j < n; j++) {
            int k = 0;
            for (int i = 0; i < m; i++) {
                if (p.allows(j, i)) {
                    buffer[k++] = i;
                    table[j * m + i] = true;
                }
            }
            allowed[j] = java.util.Arrays.copyOf(buffer, k);
        }
    }

    boolean allows(int task, int agent) {
        return table[task * m + agent];
    }

    /** Whether some task has no agent at all (then the problem is provably infeasible). */
    boolean anyEmpty() {
        for (int[] a : allowed) {
            if (a.length == 0) {
                return true;
            }
        }
        return false;
    }
}
