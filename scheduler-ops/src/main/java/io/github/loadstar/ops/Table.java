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
