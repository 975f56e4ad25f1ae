package io.github.loadstar.core;

/** A fixed amount of CPU work that the JIT cannot remove, for tests that compare makespans. */
final class Work {
    private static volatile long sink;

    private Work() {
    }

    /** Runs {@code iterations} rounds of xorshift; about 1 ns each on a modern core. */
    static void burn(int iterations) {
        long x = 0x9E3779B97F4A7C15L ^ iterations;
        for (int i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        sink = x;
    }
}
