package io.github.loadstar.algorithms.cfs;

/**
 * Linux's {@code sched_prio_to_weight} table (kernel/sched/core.c): the load weight of each nice
 * value from -20 to 19. Nice 0 weighs 1024 ({@code NICE_0_LOAD}); each step is about 1.25x, so a
 * nice level is worth about 10 % of CPU. The entries are the kernel's, not a formula: they differ
 * from 1024 / 1.25^nice by up to 2.5 %.
 */
public final class NiceWeights {
    /** The weight of nice 0. */
    public static final int NICE_0_LOAD = 1024;
    /** The lowest nice value (the largest weight). */
    public static final int MIN_NICE = -20;
    /** The highest nice value (the smallest weight). */
    public static final int MAX_NICE = 19;

    private static final int[] WEIGHTS = {
        /* -20 */ 88761, 71755, 56483, 46273, 36291,
        /* -15 */ 29154, 23254, 18705, 14949, 11916,
        /* -10 */ 9548, 7620, 6100, 4904, 3906,
        /*  -5 */ 3121, 2501, 1991, 1586, 1277,
        /*   0 */ 1024, 820, 655, 526, 423,
        /*   5 */ 335, 272, 215, 172, 137,
        /*  10 */ 110, 87, 70, 56, 45,
        /*  15 */ 36, 29, 23, 18, 15,
    };

    private NiceWeights() {
    }

    /**
     * The weight of {@code nice}.
     *
     * @throws IllegalArgumentException if {@code nice} is outside [-20, 19]
     */
    public static int weightOf(int nice) {
        if (nice < MIN_NICE || nice > MAX_NICE) {
            throw new IllegalArgumentException("nice must be between -20 and 19: " + nice);
        }
        return WEIGHTS[nice - MIN_NICE];
    }

    /** The nice value whose weight is nearest to {@code weight} (ties: the higher nice). */
    public static int niceNearest(double weight) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int nice = MIN_NICE; nice <= MAX_NICE; nice++) {
            double distance = Math.abs(Math.log(WEIGHTS[nice - MIN_NICE] / weight));
            if (distance <= bestDistance) {
                bestDistance = distance;
                best = nice;
            }
        }
        return best;
    }
}
