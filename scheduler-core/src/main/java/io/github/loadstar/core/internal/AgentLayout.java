package io.github.loadstar.core.internal;

/*
 * The fields of an Agent, in class-hierarchy padding (see the package documentation): each group
 * that is written by a different set of threads gets its own 128-byte neighbourhood, so that a
 * thief's CAS on the claim, a notifier's CAS on the park state and the owner's counter updates
 * never invalidate each other's cache lines.
 */

abstract class AgentPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

/** The consumer claim on the agent's inbox and pinned queue: CASed by the owner, thieves and shutdownNow. */
abstract class AgentClaimFields extends AgentPad0 {
    volatile long claim;
}

abstract class AgentPad1 extends AgentClaimFields {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
}

/**
 * Idle-protocol and shutdown-protocol state: parkState is CASed by notifiers; transferring is
 * written by the owner around each deque-to-deque steal and read by shutdownNow.
 */
abstract class AgentParkFields extends AgentPad1 {
    volatile long parkState;
    volatile long transferring;
}

abstract class AgentPad2 extends AgentParkFields {
    long p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;
}

/**
 * What placement reads on every external submission, kept on a line that changes once per batch
 * (at most every {@code Agent.HINT_INTERVAL} tasks) rather than once per task: the inbox consumer
 * index as last published by whoever holds the claim, and the local backlog as last published by
 * the owner.
 */
abstract class AgentPlacementFields extends AgentPad2 {
    volatile long consumedHint;
    volatile long localHint;
    /** Under an ordering policy: the backlog's size, published by whoever holds the claim. */
    volatile long orderedSize;
    /** Cost beyond one unit per task of the costed tasks queued here; added to by producers and thieves. */
    volatile long extraCost;
}

abstract class AgentPad3 extends AgentPlacementFields {
    long p30, p31, p32, p33, p34, p35, p36, p37, p38, p39, p3a, p3b, p3c, p3d, p3e, p3f;
}

/** Counters that thieves add to. */
abstract class AgentSharedCounters extends AgentPad3 {
    volatile long stealsOut;
    volatile long migratedOut;
    volatile long breakerTransitions;
}

abstract class AgentPad4 extends AgentSharedCounters {
    long p40, p41, p42, p43, p44, p45, p46, p47, p48, p49, p4a, p4b, p4c, p4d, p4e, p4f;
}

/**
 * Counters written only by the agent's thread, with opaque stores, and read by the metrics
 * snapshot with opaque loads; and the owner's private state, which shares the owner's lines.
 */
abstract class AgentOwnerFields extends AgentPad4 {
    long completed;
    long failed;
    long cancelled;
    long stealsIn;
    long migratedIn;
    long parks;
    long busyNanos;
    long busyStart;
    long lateStarts;
    long deadlineMisses;
    long rerouted;
    long running;
    long activity;
    // owner-private
    long ticks;
    long spawns;
    long seed;
    /** Search rounds before parking, adapted to how often spinning pays (AgentSearch). */
    long spinBudget;
    /** 1 while busy time accrues: from taking a task until the queues are first found empty. */
    long countingBusy;
    /**
     * The coordinator's rebalancing order, 0 for none: (tasks << 32) | (victim + 1). Written rarely
     * by the coordinator (release), read by the owner on every loop turn (opaque) — on the owner's
     * own line, so the read costs nothing until an order arrives — and consumed by the owner's CAS.
     */
    long rebalanceOrder;
    /** How many tasks the owner's last steal took (for a rebalancing order's count). Owner only. */
    long lastStolen;
    /** The most tasks the owner's next inbox steal may take beyond the batch limit's; 0: no cap. Owner only. */
    long stealCap;
    /** The tasks the last step of a rebalancing order took. Owner only. */
    long orderMoved;
}

abstract class AgentPad5 extends AgentOwnerFields {
    long p50, p51, p52, p53, p54, p55, p56, p57, p58, p59, p5a, p5b, p5c, p5d, p5e, p5f;
}

/*
 * Why only longs above: since JDK 15 HotSpot places a subclass's int, boolean and reference fields
 * into any gap of its superclasses' layout (including the 4 bytes after a compressed class
 * pointer), which would move them next to another group's hot field. Groups made of longs leave no
 * gaps; the agent's small and reference fields below are read-mostly, so they may land anywhere
 * (typically beside the object header).
 */
