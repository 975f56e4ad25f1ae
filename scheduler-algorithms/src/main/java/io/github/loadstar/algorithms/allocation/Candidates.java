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

    /** A random allowed assignment into {@code into}. */
    void randomAssignment(java.util.SplittableRandom random, int[] into) {
        for (int j = 0; j < into.length; j++) {
            into[j] = allowed[j][random.nextInt(allowed[j].length)];
        }
    }

    /**
     * A child of {@code a} and {@code b} into {@code into}: uniform crossover (each gene from either
     * parent), then {@code mutations} random genes given a random allowed agent.
     */
    void child(int[] a, int[] b, int mutations, java.util.SplittableRandom random, int[] into) {
        int n = into.length;
        for (int j = 0; j < n; j++) {
            into[j] = random.nextBoolean() ? a[j] : b[j];
        }
        for (int k = 0; k < mutations; k++) {
            int j = random.nextInt(n);
            into[j] = allowed[j][random.nextInt(allowed[j].length)];
        }
    }
}
