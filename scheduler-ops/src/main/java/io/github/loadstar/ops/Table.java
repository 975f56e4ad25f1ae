package io.github.loadstar.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for a terminal: a header, left-aligned text and right-aligned numbers, two
 * spaces between columns, and the last column cut with "…" so that a line fits {@code width}
 * characters (80 by default).
 */
final class Table {
    private final String[] headers;
    private final boolean[] numeric;
    private final List<String[]> rows = new ArrayList<>();

    /** Columns named {@code headers}; a header starting with '>' marks a right-aligned (numeric) column. */
    Table(String... headers) {
        this.headers = new String[headers.length];
        this.numeric = new boolean[headers.length];
        for (int k = 0; k < headers.length; k++) {
            numeric[k] = headers[k].startsWith(">");
            this.headers[k] = numeric[k] ? headers[k].substring(1) : headers[k];
        }
    }

    Table row(Object... cells) {
        String[] r = new String[headers.length];
        for (int k = 0; k < r.length; k++) {
            r[k] = k < cells.length && cells[k] != null ? cells[k].toString() : "";
        }
        rows.add(r);
        return this;
    }

    String render(int width) {
        int[] w = new int[headers.length];
        for (int k = 0; k < w.length; k++) {
            w[k] = headers[k].length();
            for (String[] r : rows) {
                w[k] = Math.max(w[k], r[k].length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, w, width);
        for (String[] r : rows) {
            line(out, r, w, width);
        }
        return out.toString();
    }

    String render() {
        return render(80);
    }

    private void line(StringBuilder out, String[] cells, int[] w, int width) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < cells.length; k++) {
            if (k > 0) {
                s.append("  ");
            }
            String c = cells[k];
            boolean last = k == cells.length - 1;
            if (numeric[k]) {
                s.append(" ".repeat(w[k] - c.length())).append(c);
            } else {
                s.append(c);
                if (!last) {
                    s.append(" ".repeat(w[k] - c.length()));
                }
            }
        }
        String text = s.toString();
        if (text.length() > width) {
            text = text.substring(0, width - 1) + "…";
        }
        out.append(text.stripTrailing()).append(System.lineSeparator());
    }

    /**
     * {@code text} broken at spaces into lines of at most {@code width} characters, the first
     * starting with {@code first} and the others with {@code indent} (a word longer than a line
     * stays whole).
     */
    static String wrap(String text, int width, String first, String indent) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(first);
        int start = first.length();
        for (String word : text.split(" ")) {
            if (line.length() > start && line.length() + 1 + word.length() > width) {
                out.append(line.toString().stripTrailing()).append(System.lineSeparator());
                line = new StringBuilder(indent);
                start = indent.length();
            }
            if (line.length() > start) {
                line.append(' ');
            }
            line.append(word);
        }
        return out.append(line.toString().stripTrailing()).append(System.lineSeparator()).toString();
    }

    private static final java.util.regex.Pattern LABELLED = java.util.regex.Pattern.compile("^(\\s*\\S.*?\\s{2,})(\\S.*)$");

    /**
     * Multi-line text made to fit {@code width} columns: a longer line is wrapped at spaces, its
     * continuation lines aligned under its value when it is a "label  value" line, else indented
     * four more than it.
     */
    static String fit(String text, int width) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\\R", -1)) {
            if (line.length() <= width) {
                out.append(line).append(System.lineSeparator());
                continue;
            }
            java.util.regex.Matcher m = LABELLED.matcher(line);
            String label;
            String rest;
            if (m.matches() && m.group(1).length() < width / 2) {
                label = m.group(1);
                rest = m.group(2);
            } else {
                int lead = line.length() - line.stripLeading().length();
                label = line.substring(0, lead);
                rest = line.substring(lead);
            }
            String indent = " ".repeat(m.matches() && label.length() < width / 2 ? label.length() : label.length() + 4);
            out.append(wrap(rest, width, label, indent));
        }
        return out.substring(0, out.length() - System.lineSeparator().length());     // split kept the last break's empty tail
    }

    /** A finding's or decision's evidence (a JSON object of numbers) as "name value, name value". */
    static String evidence(tools.jackson.databind.JsonNode evidence) {
        StringBuilder text = new StringBuilder();
        for (java.util.Map.Entry<String, tools.jackson.databind.JsonNode> x : evidence.properties()) {
            text.append(text.length() == 0 ? "" : ", ").append(x.getKey()).append(' ')
                    .append(x.getValue().isNull() ? "-" : num(x.getValue().asDouble(), 3));
        }
        return text.toString();
    }

    /** A number for a table: integers as they are, others to {@code digits} decimals. */
    static String num(double v, int digits) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && digits == 0) {
            return Long.toString((long) v);
        }
        return String.format(java.util.Locale.ROOT, "%." + digits + "f", v);
    }

    /** A duration in nanoseconds for a table: ns, µs, ms or s. */
    static String nanos(double ns) {
        if (Double.isNaN(ns)) {
            return "-";
        }
        if (ns < 1e3) {
            return num(ns, 0) + "ns";
        }
        if (ns < 1e6) {
            return num(ns / 1e3, 1) + "µs";
        }
        if (ns < 1e9) {
            return num(ns / 1e6, 1) + "ms";
        }
        return num(ns / 1e9, 2) + "s";
    }
}
