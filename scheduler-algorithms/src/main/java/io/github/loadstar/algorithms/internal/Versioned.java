package io.github.loadstar.algorithms.internal;

import io.github.loadstar.core.spi.Reconfigurable;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The config holder every policy shares: one atomic reference to an immutable (config, version)
 * pair, swapped as a whole, so a reader never sees a config with the wrong version.
 *
 * @param <C> the config type
 */
public final class Versioned<C> implements Reconfigurable<C> {
    private static final class State<C> {
        final C config;
        final long version;

        State(C config, long version) {
            this.config = config;
            this.version = version;
        }
    }

    private final AtomicReference<State<C>> state;

    public Versioned(C initial) {
        this.state = new AtomicReference<>(new State<>(Objects.requireNonNull(initial, "config"), 0));
    }

    @Override
    public C config() {
        return state.get().config;
    }

    @Override
    public long configVersion() {
        return state.get().version;
    }

    /** Configs are validated when they are built, so any non-null config is accepted. */
    @Override
    public void reconfigure(C config) {
        Objects.requireNonNull(config, "config");
        state.updateAndGet(s -> new State<>(config, s.version + 1));
    }
}
