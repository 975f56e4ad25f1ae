package io.github.loadstar.algorithms.internal;

import io.github.loadstar.algorithms.allocation.Baselines;
import io.github.loadstar.algorithms.allocation.GeneticAllocator;
import io.github.loadstar.core.allocation.Allocator;
import io.github.loadstar.core.allocation.AllocatorProvider;

/** The {@link java.util.ServiceLoader} registrations of the algorithms module's allocators. */
public final class AllocatorProviders {
    private AllocatorProviders() {
    }

    /** {@code genetic}. */
    public static final class Genetic implements AllocatorProvider {
        @Override
        public String name() {
            return "genetic";
        }

        @Override
        public Allocator create() {
            return new GeneticAllocator();
        }
    }

    /** {@code regret-greedy}. */
    public static final class RegretGreedy implements AllocatorProvider {
        @Override
        public String name() {
            return "regret-greedy";
        }

        @Override
        public Allocator create() {
            return Baselines.regretGreedy();
        }
    }

    /** {@code lpt}. */
    public static final class Lpt implements AllocatorProvider {
        @Override
        public String name() {
            return "lpt";
        }

        @Override
        public Allocator create() {
            return Baselines.lpt();
        }
    }

    /** {@code round-robin}. */
    public static final class RoundRobin implements AllocatorProvider {
        @Override
        public String name() {
            return "round-robin";
        }

        @Override
        public Allocator create() {
            return Baselines.roundRobin();
        }
    }

    /**
     * {@code cp-sat}: needs OR-Tools ({@code com.google.ortools:ortools-java}), an optional dependency;
     * without it {@code create()} refuses with a message saying so, before any OR-Tools class is touched.
     */
    public static final class CpSat implements AllocatorProvider {
        @Override
        public String name() {
            return "cp-sat";
        }

        @Override
        public Allocator create() {
            try {
                Class.forName("com.google.ortools.sat.CpModel", false, CpSat.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("the cp-sat allocator needs Google OR-Tools: add the dependency"
                        + " com.google.ortools:ortools-java (see docs/algorithms.md)", e);
            }
            return new io.github.loadstar.algorithms.allocation.CpSatAllocator();
        }
    }
}
