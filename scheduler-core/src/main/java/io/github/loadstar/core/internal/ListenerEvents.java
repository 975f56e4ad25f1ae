package io.github.loadstar.core.internal;

import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.TaskOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's events, delivered to its listener (a {@link CompositeListener} when there are
 * several). A listener that throws is counted ({@code metrics().listenerErrors()}), logged once,
 * and never reaches the task or the agent. Callers on hot paths check for a listener first, so a
 * scheduler without one pays nothing here.
 */
final class ListenerEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerEvents.class);

    private final String scheduler;
    private final SchedulerListener listener;
    private final LongAdder listenerErrors = new LongAdder();
    private final AtomicBoolean listenerErrorLogged = new AtomicBoolean();

    ListenerEvents(String scheduler, SchedulerListener listener) {
        this.scheduler = scheduler;
        this.listener = listener;
    }

    long errors() {
        return listenerErrors.sum();
    }

    void fireSubmitted(Object task, TaskOptions options, int agent) {
        try {
            listener.onSubmitted(task, options, agent);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireStarted(Object task, int agent) {
        try {
            listener.onStarted(task, agent);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireCompleted(Object task, int agent, long runNanos) {
        try {
            listener.onCompleted(task, agent, runNanos);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireFailed(Object task, int agent, Throwable error) {
        try {
            listener.onFailed(task, agent, error);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    /** A steal; each task it took is also a migration if {@code migrated} (see AgentBase.accountSteal). */
    void fireStolen(int thief, int victim, int count, Runnable[] tasks, boolean migrated) {
        try {
            listener.onStolen(thief, victim, count);
            for (int i = 0; migrated && i < count; i++) {
                Runnable task = tasks[i];
                listener.onMigrated(WrappedTask.userTaskOf(task), victim, thief);
            }
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireBreakerTransition(int agent, String from, String to, String reason) {
        if (listener == null) {
            return;
        }
        try {
            listener.onBreakerTransition(agent, from, to, reason);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireMigrated(Runnable task, int from, int to) {
        try {
            listener.onMigrated(WrappedTask.userTaskOf(task), from, to);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
        if (listener == null) {
            return;
        }
        try {
            listener.onAgentReplaced(agent, dead, replacement, cause);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    private void listenerFailed(Throwable t) {
        listenerErrors.increment();
        if (listenerErrorLogged.compareAndSet(false, true)) {
            LOG.warn("scheduler {}: a listener threw (logged once; counted in metrics().listenerErrors())", scheduler, t);
        }
    }
}
