package io.github.loadstar.core.spi;

import java.util.Map;
import java.util.SortedMap;

/**
 * A {@link Reconfigurable} whose config names its parameters, and so is {@link NamedParameters} with
 * nothing more to write: the parameters are the config's, a check builds the changed config without
 * installing it, and an apply installs it with {@link #reconfigure}.
 *
 * @param <C> the config type
 */
public interface ReconfigurableByName<C extends NamedConfig<C>> extends Reconfigurable<C>, NamedParameters {

    @Override
    default SortedMap<String, String> parameters() {
        return config().parameters();
    }

    @Override
    default SortedMap<String, String> check(Map<String, String> values) {
        return config().withParameters(values).parameters();
    }

    @Override
    default void apply(Map<String, String> values) {
        reconfigure(config().withParameters(values));
    }
}
