package io.github.loadstar.core.allocation;

import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** The registry of allocators, found with {@link ServiceLoader} ({@code scheduler-algorithms} registers its own). */
public final class Allocators {
    private Allocators() {
    }

    /**
     * A new allocator by its registered name.
     *
     * @throws IllegalArgumentException if none has that name; the message lists the known ones
     */
    public static Allocator byName(String name) {
        Objects.requireNonNull(name, "name");
        Map<String, AllocatorProvider> providers = providers();
        AllocatorProvider p = providers.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown allocator '" + name + "'; known allocators: "
                    + String.join(", ", providers.keySet()));
        }
        return p.create();
    }

    /** The registered names, sorted. */
    public static Set<String> names() {
        return providers().keySet();
    }

    private static Map<String, AllocatorProvider> providers() {
        Map<String, AllocatorProvider> byName = new TreeMap<>();
        for (AllocatorProvider p : ServiceLoader.load(AllocatorProvider.class, Allocators.class.getClassLoader())) {
            byName.putIfAbsent(p.name(), p);
        }
        return byName;
    }
}
