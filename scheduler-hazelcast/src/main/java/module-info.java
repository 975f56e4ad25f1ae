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
    // JDK modules Hazelcast uses, which an automatic module cannot declare: without them in the module
    // graph a member fails to start from the module path (javax.transaction.xa, javax.sql, JMX, socket
    // options). Hazelcast itself asks for --add-modules java.se; requiring it here does the same.
    requires java.se;
    requires jdk.net;
    requires jdk.management;

    exports io.github.loadstar.hazelcast;
}
