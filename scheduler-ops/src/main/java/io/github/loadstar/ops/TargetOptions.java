package io.github.loadstar.ops;

import picocli.CommandLine.Option;

/** The options that say which scheduler a command operates; mixed into every such command. */
final class TargetOptions {
    @Option(names = "--pid", paramLabel = "PID", description = "A local JVM's process id (attached to as jcmd does).")
    String pid;

    @Option(names = "--jmx", paramLabel = "URL", description = "A JMX service URL, e.g. service:jmx:rmi:///jndi/rmi://host:9010/jmxrmi.")
    String jmx;

    @Option(names = "--app", paramLabel = "NAME", description = "A local JVM by part of its main class or jar, or by a scheduler's name.")
    String app;

    @Option(names = "--scheduler", paramLabel = "NAME", description = "The scheduler, when the JVM has several.")
    String scheduler;

    @Option(names = "--verbose", description = "Print the stack trace of a failure.")
    boolean verbose;

    Target target() {
        return new Target(pid, jmx, app, scheduler);
    }
}
