/**
 * Remote agents on Hazelcast: worker members that run a scheduler's tasks (WorkerMember), one remote
 * agent per worker (RemoteMembers, HazelcastRemoteLink), the idempotence ledger that records each
 * task's outcome once (TaskLedger), and loopback clusters for tests and examples (LoopbackWorkers).
 */
module io.github.loadstar.hazelcast {
    requires transitive io.github.loadstar.core;
    requires transitive io.github.loadstar.algorithms;
    // an automatic module, named in the Hazelcast jar's manifest
    requires transitive com.hazelcast.core;
    requires org.slf4j;

    exports io.github.loadstar.hazelcast;
}
