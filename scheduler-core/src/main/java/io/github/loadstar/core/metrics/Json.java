package io.github.loadstar.core.metrics;

/** Writes JSON members and strings for the snapshot and the report (RFC 8259; non-finite numbers as null). */
final class Json {
    private Json() {
    }

    static StringBuilder field(StringBuilder s, String name, long value) {
        return s.append('"').append(name).append("\":").append(value);
    }

    static StringBuilder field(StringBuilder s, String name, double value) {
        s.append('"').append(name).append("\":");
        return Double.isFinite(value) ? s.append(value) : s.append("null");
    }

    static StringBuilder field(StringBuilder s, String name, String value) {
        s.append('"').append(name).append("\":");
        return quote(s, value);
    }

    /** {@code map} as a JSON object of numbers, in the map's order; names quoted and escaped, non-finite values as null. */
    static StringBuilder numbers(StringBuilder s, java.util.Map<String, Double> map) {
        s.append('{');
        int k = 0;
        for (java.util.Map.Entry<String, Double> e : map.entrySet()) {
            quote(s.append(k++ == 0 ? "" : ","), e.getKey()).append(':');
            double v = e.getValue();
            if (Double.isFinite(v)) {
                s.append(v);
            } else {
                s.append("null");
            }
        }
        return s.append('}');
    }

    static StringBuilder quote(StringBuilder s, String value) {
        if (value == null) {
            return s.append("null");
        }
        s.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"': s.append("\\\""); break;
                case '\\': s.append("\\\\"); break;
                case '\n': s.append("\\n"); break;
                case '\r': s.append("\\r"); break;
                case '\t': s.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
            }
        }
        return s.append('"');
    }
}
