package io.github.loadstar.core.allocation;

/**
 * Registers an allocator under a name, for {@link java.util.ServiceLoader} (declared with
 * {@code provides io.github.loadstar.core.allocation.AllocatorProvider with …}).
 */
public interface AllocatorProvider {

    /** The name {@link Allocators#byName} finds it by. */
    String name();

    /** A new allocator with its defaults. */
    Allocator create();
}
