package io.github.loadstar.algorithms.breaker;

import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.AgentBreakerFactory;
import java.util.Objects;
import java.util.Optional;

/**
 * Circuit breakers for a scheduler's agents.
 *
 * <pre>{@code
 * CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
 * Scheduler scheduler = Scheduler.builder()
 *         .agents(4)
 *         .agentBreakers(CircuitBreakers.perAgent(CircuitBreakerConfig.builder()
 *                 .consecutiveFailureThreshold(5).openDuration(Duration.ofSeconds(30)).build(), registry))
 *         .build();
 * registry.find("my-scheduler-agent-2").ifPresent(b -> System.out.println(b.metrics()));
 * }</pre>
 */
public final class CircuitBreakers {
    private CircuitBreakers() {
    }

    /** One breaker per agent, each with {@code config}, named {@code <scheduler>-agent-<i>}. */
    public static AgentBreakerFactory perAgent(CircuitBreakerConfig config) {
        Objects.requireNonNull(config, "config");
        return (agent, name) -> new AgentCircuitBreaker(CircuitBreaker.of(name, config));
    }

    /** As {@link #perAgent(CircuitBreakerConfig)}, with the breakers kept in {@code registry} by name. */
    public static AgentBreakerFactory perAgent(CircuitBreakerConfig config, CircuitBreakerRegistry registry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        return (agent, name) -> new AgentCircuitBreaker(registry.circuitBreaker(name, config));
    }

    /** The breaker behind an agent's {@link AgentBreaker}, if it is one of these. */
    public static Optional<CircuitBreaker> unwrap(AgentBreaker agentBreaker) {
        return agentBreaker instanceof AgentCircuitBreaker
                ? Optional.of(((AgentCircuitBreaker) agentBreaker).breaker)
                : Optional.empty();
    }

    /** Adapts a {@link CircuitBreaker} to the runtime's SPI. */
    private static final class AgentCircuitBreaker implements AgentBreaker {
        final CircuitBreaker breaker;

        AgentCircuitBreaker(CircuitBreaker breaker) {
            this.breaker = breaker;
        }

        @Override
        public long tryAcquire() {
            return breaker.tryAcquirePermission();
        }

        @Override
        public void onSuccess(long permit, long runNanos) {
            breaker.onSuccess(permit, runNanos);
        }

        @Override
        public void onFailure(long permit, long runNanos, Throwable error) {
            breaker.onError(permit, runNanos, error);
        }

        @Override
        public void release(long permit) {
            breaker.releasePermission(permit);
        }

        @Override
        public boolean admitsWork() {
            CircuitState s = breaker.state();
            return s != CircuitState.OPEN && s != CircuitState.FORCED_OPEN;
        }

        @Override
        public long nanosUntilTrials() {
            return breaker.nanosUntilTrials();
        }

        @Override
        public String state() {
            return breaker.state().name();
        }

        @Override
        public void onTransition(TransitionObserver observer) {
            breaker.addListener(new CircuitBreakerListener() {
                @Override
                public void onStateTransition(CircuitBreaker b, CircuitState from, CircuitState to, String reason) {
                    observer.transitioned(from.name(), to.name(), reason);
                }
            });
        }

        @Override
        public String toString() {
            return breaker.toString();
        }
    }
}
