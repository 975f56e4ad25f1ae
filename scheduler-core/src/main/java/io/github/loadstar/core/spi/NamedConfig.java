package io.github.loadstar.core.spi;

import java.util.Map;
import java.util.SortedMap;

/**
 * An immutable config whose parameters have names: read all of them as text, or make a config with
 * some of them changed (the config side of {@link ReconfigurableByName}).
 *
 * @param <C> the config type itself
 */
public interface NamedConfig<C extends NamedConfig<C>> {

    /** The parameters, by name, as text ({@link ParameterText}'s forms), sorted by name. */
    SortedMap<String, String> parameters();

    /**
     * This config with the named parameters set.
     *
     * @throws NullPointerException     if a name or value is null
     * @throws IllegalArgumentException naming the parameter, if a name is unknown or a value invalid
     */
    C withParameters(Map<String, String> values);
}
