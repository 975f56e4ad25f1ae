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
