package io.github.loadstar.ops;

import picocli.CommandLine.Help.Ansi;

/** A finding's severity for a person: red for CRITICAL, yellow for WARNING — on a terminal only (picocli's Ansi.AUTO). */
final class Severity {
    private Severity() {
    }

    static String coloured(String severity) {
        switch (severity) {
            case "CRITICAL":
                return Ansi.AUTO.string("@|bold,red CRITICAL|@");
            case "WARNING":
                return Ansi.AUTO.string("@|yellow WARNING|@");
            default:
                return severity;
        }
    }
}
