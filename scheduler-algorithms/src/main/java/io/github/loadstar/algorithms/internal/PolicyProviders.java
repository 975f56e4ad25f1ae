package io.github.loadstar.algorithms.internal;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.OrderingPolicyProvider;

/** The {@link java.util.ServiceLoader} registrations of the algorithms module's policies. */
public final class PolicyProviders {
    private PolicyProviders() {
    }

    /** {@code edf}. */
    public static final class Edf implements OrderingPolicyProvider {
        @Override
        public String name() {
            return "edf";
        }

        @Override
        public OrderingPolicy create() {
            return Policies.edf();
        }
    }

    /** {@code cfs}. */
    public static final class Cfs implements OrderingPolicyProvider {
        @Override
        public String name() {
            return "cfs";
        }

        @Override
        public OrderingPolicy create() {
            return Policies.cfs();
        }
    }

    /** {@code wfq}. */
    public static final class Wfq implements OrderingPolicyProvider {
        @Override
        public String name() {
            return "wfq";
        }

        @Override
        public OrderingPolicy create() {
            return Policies.wfq();
        }
    }

    /** {@code mlfq}. */
    public static final class Mlfq implements OrderingPolicyProvider {
        @Override
        public String name() {
            return "mlfq";
        }

        @Override
        public OrderingPolicy create() {
            return Policies.mlfq();
        }
    }
}
