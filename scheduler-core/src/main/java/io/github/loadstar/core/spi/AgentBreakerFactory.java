package io.github.loadstar.core.spi;

/** Creates the {@link AgentBreaker} of each agent when a scheduler is built. */
@FunctionalInterface
public interface AgentBreakerFactory {

    /**
     * The breaker of agent {@code agent}.
     *
     * @param agent the agent's index
     * @param name  a name for logs, unique within the JVM's schedulers ({@code <scheduler>-agent-<i>})
     */
    AgentBreaker create(int agent, String name);
}
