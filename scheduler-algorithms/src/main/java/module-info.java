/**
 * Strategies for Loadstar's SPI: ordering policies (EDF, CFS, WFQ, MLFQ), the circuit breaker,
 * and the policy simulator.
 */
module io.github.loadstar.algorithms {
    requires transitive io.github.loadstar.core;
    requires org.slf4j;
}
