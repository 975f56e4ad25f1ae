package io.github.loadstar.core.spi;

/**
 * Something whose parameters, an immutable config of type {@code C}, can be replaced at run time.
 *
 * <p>{@link #reconfigure} validates the whole new config first and then publishes it with one
 * atomic swap: readers see the old config or the new one, never a mix, and a config that fails
 * validation throws and leaves the old one in force. Each accepted swap increments
 * {@link #configVersion()}.
 *
 * @param <C> the config type
 */
public interface Reconfigurable<C> {

    /** The config in force. */
    C config();

    /** How many times the config has been replaced. */
    long configVersion();

    /**
     * Replaces the config.
     *
     * @throws NullPointerException     if {@code config} is null
     * @throws IllegalArgumentException if {@code config} is invalid (the old one stays in force)
     */
    void reconfigure(C config);
}
