package io.github.loadstar.algorithms.breaker;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Breakers by name, created on first use from a default config or a named one (as Resilience4j's
 * registry). Thread-safe; a name maps to one breaker for the registry's life unless removed.
 */
public final class CircuitBreakerRegistry {
    private final CircuitBreakerConfig defaultConfig;
    private final Map<String, CircuitBreakerConfig> configs = new ConcurrentHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

    private CircuitBreakerRegistry(CircuitBreakerConfig defaultConfig) {
        this.defaultConfig = defaultConfig;
    }

    /** A registry whose breakers default to {@link CircuitBreakerConfig#defaults()}. */
    public static CircuitBreakerRegistry ofDefaults() {
        return new CircuitBreakerRegistry(CircuitBreakerConfig.defaults());
    }

    /**
     * A registry whose breakers default to {@code config}.
     *
     * @throws NullPointerException if null
     */
    public static CircuitBreakerRegistry of(CircuitBreakerConfig config) {
        return new CircuitBreakerRegistry(Objects.requireNonNull(config, "config"));
    }

    /**
     * Registers a named config for {@link #circuitBreaker(String, String)}.
     *
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if the name is taken
     */
    public void addConfiguration(String configName, CircuitBreakerConfig config) {
        Objects.requireNonNull(configName, "configName");
        Objects.requireNonNull(config, "config");
        if (configs.putIfAbsent(configName, config) != null) {
            throw new IllegalStateException("a configuration named '" + configName + "' exists");
        }
    }

    /** The breaker named {@code name}, created with the default config if new. */
    public CircuitBreaker circuitBreaker(String name) {
        return circuitBreaker(name, defaultConfig);
    }

    /**
     * The breaker named {@code name}, created with {@code config} if new (an existing breaker keeps
     * its own config).
     */
    public CircuitBreaker circuitBreaker(String name, CircuitBreakerConfig config) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        return breakers.computeIfAbsent(name, n -> CircuitBreaker.of(n, config));
    }

    /**
     * The breaker named {@code name}, created with the registered config {@code configName} if new.
     *
     * @throws IllegalArgumentException if no config has that name
     */
    public CircuitBreaker circuitBreaker(String name, String configName) {
        Objects.requireNonNull(configName, "configName");
        CircuitBreakerConfig config = configs.get(configName);
        if (config == null) {
            throw new IllegalArgumentException("no configuration named '" + configName + "'; known: " + new TreeSet<>(configs.keySet()));
        }
        return circuitBreaker(name, config);
    }

    /** The breaker named {@code name}, if there is one. */
    public Optional<CircuitBreaker> find(String name) {
        return Optional.ofNullable(breakers.get(Objects.requireNonNull(name, "name")));
    }

    /** The names of the breakers, sorted. */
    public Set<String> names() {
        return new TreeSet<>(breakers.keySet());
    }

    /** Forgets the breaker named {@code name}; returns it if there was one. */
    public Optional<CircuitBreaker> remove(String name) {
        return Optional.ofNullable(breakers.remove(Objects.requireNonNull(name, "name")));
    }
}
