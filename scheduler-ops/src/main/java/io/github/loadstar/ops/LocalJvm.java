package io.github.loadstar.ops;

import java.util.List;

/**
 * A JVM on this machine, as the Attach API lists it, with the Loadstar schedulers registered in it
 * (empty when it runs none).
 *
 * @param pid         its process id
 * @param displayName its main class or jar and arguments, as {@code jps -l} shows them
 * @param schedulers  the names of the schedulers registered in its JMX
 */
public record LocalJvm(String pid, String displayName, List<String> schedulers) {

    public LocalJvm {
        schedulers = List.copyOf(schedulers);
    }

    /** Whether {@code app} names this JVM: a scheduler's name, or a part of its main class or jar. */
    public boolean matches(String app) {
        return schedulers.contains(app) || (!app.isEmpty() && displayName.contains(app));
    }
}
