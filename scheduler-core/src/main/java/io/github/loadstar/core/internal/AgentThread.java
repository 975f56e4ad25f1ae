package io.github.loadstar.core.internal;

/**
 * Loadstar's own agent thread. Knowing its agent lets a task's submissions find the current agent
 * with one type check instead of a ThreadLocal lookup.
 */
final class AgentThread extends Thread {
    final Agent agent;

    AgentThread(Agent agent, String name, boolean daemon) {
        this(agent, agent, name, daemon);
    }

    /** A thread of {@code agent} that runs {@code body} (a spare's thread). */
    AgentThread(Agent agent, Runnable body, String name, boolean daemon) {
        super(null, body, name);
        this.agent = agent;
        setDaemon(daemon);
    }
}
