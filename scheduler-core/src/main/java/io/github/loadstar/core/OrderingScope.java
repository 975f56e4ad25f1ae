package io.github.loadstar.core;

/** Where an ordering policy's order holds. */
public enum OrderingScope {
    /**
     * Each agent orders its own backlog (the default): scalable, and exact per agent; across agents
     * the order is as good as placement and stealing keep the backlogs balanced.
     */
    PER_AGENT,
    /**
     * One backlog for the whole scheduler, under one lock: the policy's order holds exactly across
     * agents (strict EDF on a small pool), at the price of a shared lock per task. Tasks pinned to an
     * agent bypass the shared order and run FIFO on their agent ahead of shared work.
     */
    GLOBAL
}
