package io.jrunc.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/** Writes Java values as compact JSON. */
final class JsonWriter {
    private JsonWriter() {}

    static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case CharSequence s -> string(s, out);
            case Boolean b -> out.append(b);
            case Long l -> out.append(l);
            case Integer i -> out.append(i);
            case Short s -> out.append(s);
            case Byte b -> out.append(b);
            case BigInteger b -> out.append(b);
            case BigDecimal d -> out.append(d);
            case Double d -> floating(d, out);
            case Float f -> floating(f.doubleValue(), out);
            case Optional<?> o -> write(o.orElse(null), out);
            case Map<?, ?> map -> object(map, out);
            case Iterable<?> items -> array(items.iterator(), out);
            case Object[] items -> array(java.util.Arrays.asList(items).iterator(), out);
            default -> throw new JsonException("cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    private static void floating(double d, StringBuilder out) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new JsonException("cannot write " + d + " as JSON");
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(d);
        }
    }

    private static void object(Map<?, ?> map, StringBuilder out) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new JsonException("object keys must be strings, found " + e.getKey());
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            string(key, out);
            out.append(':');
            write(e.getValue(), out);
        }
        out.append('}');
    }

    private static void array(Iterator<?> items, StringBuilder out) {
        out.append('[');
        boolean first = true;
        while (items.hasNext()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            write(items.next(), out);
        }
        out.append(']');
    }

    private static void string(CharSequence s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // U+2028/2029 are valid JSON but break JavaScript readers; Go escapes them too.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
