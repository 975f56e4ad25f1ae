package io.github.loadstar.core.spi;

/**
 * Registers an ordering policy under a name, for {@link java.util.ServiceLoader} (declared with
 * {@code provides} in a module descriptor, or in {@code META-INF/services}).
 */
public interface OrderingPolicyProvider {

    /** The name the policy is chosen by: lower case, unique. */
    String name();

    /** A new policy with its default configuration. */
    OrderingPolicy create();
}
