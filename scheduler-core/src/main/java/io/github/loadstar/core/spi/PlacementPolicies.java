package io.github.loadstar.core.spi;

import io.github.loadstar.core.TaskOptions;
import java.util.concurrent.atomic.AtomicInteger;

/** The stock placement policies. */
public final class PlacementPolicies {
    private PlacementPolicies() {
    }

    /**
     * The default: of two agents drawn at random, the one with the lower load (queued cost per
     * unit of capacity). Mitzenmacher's "power of two choices" keeps the maximum load within
     * O(log log n) of the mean, at the price of reading two agents instead of all of them.
     */
    public static PlacementPolicy powerOfTwoChoices() {
        return PowerOfTwoChoices.INSTANCE;
    }

    /** Each agent in turn, skipping agents that do not accept work. */
    public static PlacementPolicy roundRobin() {
        return new RoundRobin();
    }

    /**
     * Tasks of one tenant go to the same agent (its home, chosen by the tenant's hash), which keeps
     * a tenant's data warm in one cache; tasks without a tenant, or whose home does not accept work,
     * fall back to the power of two choices. Stealing still moves movable tasks away from a home
     * that falls behind.
     */
    public static PlacementPolicy affinity() {
        return Affinity.INSTANCE;
    }

    /**
     * A stock policy by name: {@code power-of-two-choices}, {@code round-robin} or {@code affinity}
     * (a new round-robin each time).
     *
     * @throws IllegalArgumentException naming {@code placementPolicy} if the name is none of these
     */
    public static PlacementPolicy byName(String name) {
        String n = name == null ? "" : name.trim();
        switch (n) {
            case "power-of-two-choices":
                return powerOfTwoChoices();
            case "round-robin":
                return roundRobin();
            case "affinity":
                return affinity();
            default:
                throw new IllegalArgumentException("placementPolicy must be power-of-two-choices, round-robin or affinity: "
                        + name);
        }
    }

    static int powerOfTwo(AgentLoads loads, int random) {
        int n = loads.agentCount();
        if (n == 1) {
            return 0;
        }
        int first = (int) (((random & 0xFFFFL) * n) >>> 16);
        int second = (int) ((((random >>> 16) & 0xFFFFL) * (n - 1)) >>> 16);
        if (second >= first) {
            second++;
        }
        boolean firstOk = loads.accepting(first);
        boolean secondOk = loads.accepting(second);
        if (firstOk != secondOk) {
            return firstOk ? first : second;
        }
        if (!firstOk) {
            return scanForAccepting(loads, first);
        }
        return loads.load(second) < loads.load(first) ? second : first;
    }

    static int scanForAccepting(AgentLoads loads, int start) {
        int n = loads.agentCount();
        int best = PlacementPolicy.ANY_AGENT;
        double bestLoad = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (loads.accepting(i)) {
                double load = loads.load(i);
                if (load < bestLoad) {
                    bestLoad = load;
                    best = i;
                }
            }
        }
        return best;
    }

    private static final class PowerOfTwoChoices implements PlacementPolicy {
        static final PowerOfTwoChoices INSTANCE = new PowerOfTwoChoices();

        @Override
        public int place(TaskOptions options, AgentLoads loads, int random) {
            return powerOfTwo(loads, random);
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

    private static final class RoundRobin implements PlacementPolicy {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public int place(TaskOptions options, AgentLoads loads, int random) {
            int n = loads.agentCount();
            int start = Math.floorMod(next.getAndIncrement(), n);
            for (int k = 0; k < n; k++) {
                int i = start + k < n ? start + k : start + k - n;
                if (loads.accepting(i)) {
                    return i;
                }
            }
            return PlacementPolicy.ANY_AGENT;
        }

        @Override
        public String name() {
            return "round-robin";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private static final class Affinity implements PlacementPolicy {
        static final Affinity INSTANCE = new Affinity();

        @Override
        public int place(TaskOptions options, AgentLoads loads, int random) {
            String tenant = options.tenant();
            if (tenant != null) {
                int home = Math.floorMod(mix(tenant.hashCode()), loads.agentCount());
                if (loads.accepting(home)) {
                    return home;
                }
            }
            return powerOfTwo(loads, random);
        }

        private static int mix(int h) {
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            return h;
        }

        @Override
        public String name() {
            return "affinity";
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
