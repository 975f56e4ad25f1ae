package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** A command that operates one scheduler: connects to it, runs, disconnects; exit code 0 on success. */
abstract class SchedulerCommand implements Callable<Integer> {
    @Mixin
    TargetOptions target;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        try (SchedulerClient client = target.target().connect()) {
            return run(client, spec.commandLine().getOut());
        }
    }

    /** Runs the command against {@code client}, printing to {@code out}; returns the exit code. */
    abstract int run(SchedulerClient client, PrintWriter out) throws Exception;

    static void printJson(PrintWriter out, Object value) {
        out.println(SchedulerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    static double d(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    static long l(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? 0 : v.asLong();
    }

    static String s(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asString();
    }
}
