package io.github.loadstar.core.internal;

import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.TaskOptions;
import java.util.List;

/** Fans events out to several listeners. */
final class CompositeListener implements SchedulerListener {
    private final SchedulerListener[] listeners;

    private CompositeListener(List<SchedulerListener> listeners) {
        this.listeners = listeners.toArray(new SchedulerListener[0]);
    }

    /** Null for no listeners (the runtime then skips every event), the listener itself for one. */
    static SchedulerListener of(List<SchedulerListener> listeners) {
        if (listeners.isEmpty()) {
            return null;
        }
        return listeners.size() == 1 ? listeners.get(0) : new CompositeListener(listeners);
    }

    @Override
    public void onSubmitted(Object task, TaskOptions options, int agent) {
        for (SchedulerListener l : listeners) {
            l.onSubmitted(task, options, agent);
        }
    }

    @Override
    public void onStarted(Object task, int agent) {
        for (SchedulerListener l : listeners) {
            l.onStarted(task, agent);
        }
    }

    @Override
    public void onCompleted(Object task, int agent, long runNanos) {
        for (SchedulerListener l : listeners) {
            l.onCompleted(task, agent, runNanos);
        }
    }

    @Override
    public void onFailed(Object task, int agent, Throwable error) {
        for (SchedulerListener l : listeners) {
            l.onFailed(task, agent, error);
        }
    }

    @Override
    public void onStolen(int thief, int victim, int tasks) {
        for (SchedulerListener l : listeners) {
            l.onStolen(thief, victim, tasks);
        }
    }

    @Override
    public void onMigrated(Object task, int from, int to) {
        for (SchedulerListener l : listeners) {
            l.onMigrated(task, from, to);
        }
    }

    @Override
    public void onBreakerTransition(int agent, String from, String to, String reason) {
        for (SchedulerListener l : listeners) {
            l.onBreakerTransition(agent, from, to, reason);
        }
    }

    @Override
    public void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
        for (SchedulerListener l : listeners) {
            l.onAgentReplaced(agent, dead, replacement, cause);
        }
    }
}
