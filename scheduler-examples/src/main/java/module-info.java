/**
 * Runnable examples. A named module that reads Loadstar's modules, so the compiler proves the
 * examples use exported API only.
 */
module io.github.loadstar.examples {
    requires io.github.loadstar.core;
    requires io.github.loadstar.algorithms;
    requires io.github.loadstar.hazelcast;
}
