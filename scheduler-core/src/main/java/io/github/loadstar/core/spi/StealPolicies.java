package io.github.loadstar.core.spi;

/** The stock steal policies. */
public final class StealPolicies {
    /** The default {@code stealThreshold}: any victim with queued work may be robbed. */
    public static final int DEFAULT_STEAL_THRESHOLD = 0;

    private StealPolicies() {
    }

    /** {@link #threshold(int)} with {@link #DEFAULT_STEAL_THRESHOLD}. */
    public static StealPolicy threshold() {
        return threshold(DEFAULT_STEAL_THRESHOLD);
    }

    /**
     * The original specification's rule and Loadstar's default: victims whose backlog exceeds
     * {@code stealThreshold}, heaviest first. Reads every agent's backlog once per search.
     *
     * @throws IllegalArgumentException if {@code stealThreshold} is negative
     */
    public static StealPolicy threshold(int stealThreshold) {
        if (stealThreshold < 0) {
            throw new IllegalArgumentException("stealThreshold must not be negative: " + stealThreshold);
        }
        return new Threshold(stealThreshold);
    }

    /**
     * ForkJoinPool's and Go's order: every other agent with queued work, visited from a random
     * start with a random stride coprime to the agent count, so concurrent thieves spread out.
     */
    public static StealPolicy randomStride() {
        return RandomStride.INSTANCE;
    }

    /** Two other agents drawn at random, the one with the larger backlog first. */
    public static StealPolicy powerOfTwoChoices() {
        return PowerOfTwo.INSTANCE;
    }

    /**
     * A stock policy by its text: {@code threshold}, {@code threshold:<stealThreshold>},
     * {@code random-stride} or {@code power-of-two-choices} (what {@link #describe} writes).
     *
     * @throws IllegalArgumentException naming {@code stealPolicy} (or {@code stealThreshold}) if the text names none
     */
    public static StealPolicy byName(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equals("threshold")) {
            return threshold();
        }
        if (t.startsWith("threshold:")) {
            return threshold(ParameterText.integer("stealThreshold", t.substring("threshold:".length()), 0, Integer.MAX_VALUE));
        }
        if (t.equals("random-stride")) {
            return randomStride();
        }
        if (t.equals("power-of-two-choices")) {
            return powerOfTwoChoices();
        }
        throw new IllegalArgumentException("stealPolicy must be threshold, threshold:<n>, random-stride or "
                + "power-of-two-choices: " + text);
    }

    /** The text {@link #byName} reads back to an equal policy; a policy of the user's own: its name. */
    public static String describe(StealPolicy policy) {
        return policy instanceof Threshold ? "threshold:" + ((Threshold) policy).stealThreshold : policy.name();
    }

    /** The threshold of a {@link #threshold(int)} policy, or -1 for any other. */
    public static int stealThresholdOf(StealPolicy policy) {
        return policy instanceof Threshold ? ((Threshold) policy).stealThreshold : -1;
    }

    private static final class Threshold implements StealPolicy {
        private final int stealThreshold;

        Threshold(int stealThreshold) {
            this.stealThreshold = stealThreshold;
        }

        @Override
        public int selectVictims(int thief, AgentLoads loads, int random, int[] victims) {
            int n = loads.agentCount();
            int count = 0;
            // Start at a random agent so that ties do not always favour low indices.
            int start = (int) (((random & 0xFFFFL) * n) >>> 16);
            for (int k = 0; k < n; k++) {
                int i = start + k < n ? start + k : start + k - n;
                if (i == thief) {
                    continue;
                }
                int backlog = loads.backlog(i);
                if (backlog <= stealThreshold) {
                    continue;
                }
                // insertion sort by backlog, heaviest first (n is small; no allocation)
                int at = count++;
                while (at > 0 && loads.backlog(victims[at - 1]) < backlog) {
                    victims[at] = victims[at - 1];
                    at--;
                }
                victims[at] = i;
            }
            return count;
        }

        @Override
        public String name() {
            return "threshold(" + stealThreshold + ")";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private static final class RandomStride implements StealPolicy {
        static final RandomStride INSTANCE = new RandomStride();

        @Override
        public int selectVictims(int thief, AgentLoads loads, int random, int[] victims) {
            int n = loads.agentCount();
            if (n == 1) {
                return 0;
            }
            int start = (int) (((random & 0xFFFFL) * n) >>> 16);
            int stride = 1 + (int) ((((random >>> 16) & 0xFFFFL) * (n - 1)) >>> 16);
            while (gcd(stride, n) != 1) {
                stride = stride == n - 1 ? 1 : stride + 1;
            }
            int count = 0;
            int i = start;
            for (int k = 0; k < n; k++) {
                if (i != thief && loads.backlog(i) > 0) {
                    victims[count++] = i;
                }
                i += stride;
                if (i >= n) {
                    i -= n;
                }
            }
            return count;
        }

        private static int gcd(int a, int b) {
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            return a;
        }

        @Override
        public String name() {
            return "random-stride";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private static final class PowerOfTwo implements StealPolicy {
        static final PowerOfTwo INSTANCE = new PowerOfTwo();

        @Override
        public int selectVictims(int thief, AgentLoads loads, int random, int[] victims) {
            int n = loads.agentCount();
            if (n == 1) {
                return 0;
            }
            // two distinct agents other than the thief
            int first = (int) (((random & 0xFFFFL) * (n - 1)) >>> 16);
            if (first >= thief) {
                first++;
            }
            int count = 0;
            if (n == 2) {
                victims[count++] = first;
            } else {
                int second = (int) ((((random >>> 16) & 0xFFFFL) * (n - 2)) >>> 16);
                int low = Math.min(first, thief);
                int high = Math.max(first, thief);
                if (second >= low) {
                    second++;
                }
                if (second >= high) {
                    second++;
                }
                int a = loads.backlog(first);
                int b = loads.backlog(second);
                if (b > a) {
                    victims[count++] = second;
                    victims[count++] = first;
                } else {
                    victims[count++] = first;
                    victims[count++] = second;
                }
            }
            int kept = 0;
            for (int k = 0; k < count; k++) {
                if (loads.backlog(victims[k]) > 0) {
                    victims[kept++] = victims[k];
                }
            }
            return kept;
        }

        @Override
        public String name() {
            return "power-of-two-choices";
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
