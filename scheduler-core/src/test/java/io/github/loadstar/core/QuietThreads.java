package io.github.loadstar.core;

import java.util.concurrent.ThreadFactory;

/** Daemon agent threads whose uncaught-exception handler stays silent, for tests that throw on purpose. */
final class QuietThreads {
    static final ThreadFactory FACTORY = r -> {
        Thread t = new Thread(r, "quiet-agent");
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> { });
        return t;
    };

    private QuietThreads() {
    }
}
