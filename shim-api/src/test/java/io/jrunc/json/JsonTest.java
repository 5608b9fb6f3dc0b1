package io.jrunc.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Map<String, Object> doc = Json.parseObject("""
                 { "s": "a\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00", "i": -42, "z": -0, "f": 1.5e3,
                   "big": 18446744073709551615, "max": 9223372036854775807, "t": true, "n": null,
                   "a": [1, [], {}], "o": {"k": false} }
                """);
        assertEquals("a\"b\\c/\né😀", doc.get("s"));
        assertEquals(-42L, doc.get("i"));
        assertEquals(0L, doc.get("z"));
        assertEquals(1500.0, doc.get("f"));
        assertEquals(new BigInteger("18446744073709551615"), doc.get("big"));
        assertEquals(Long.MAX_VALUE, doc.get("max"));
        assertEquals(true, doc.get("t"));
        assertTrue(doc.containsKey("n"));
        assertNull(doc.get("n"));
        assertEquals(List.of(1L, List.of(), Map.of()), doc.get("a"));
        assertEquals(Map.of("k", false), doc.get("o"));
        assertEquals(List.of("s", "i", "z", "f", "big", "max", "t", "n", "a", "o"), new ArrayList<>(doc.keySet()));
    }

    @Test
    void accessorsTolerateMissingAndMistypedMembers() {
        Map<String, Object> doc = Json.parseObject("{\"pid\": 12, \"status\": \"running\", \"ok\": true, \"o\": {\"x\": 1}, \"l\": [2]}");
        assertEquals(Optional.of(12L), Json.integer(doc, "pid"));
        assertEquals(Optional.of("running"), Json.string(doc, "status"));
        assertEquals(Optional.empty(), Json.string(doc, "pid"));
        assertEquals(Optional.of(true), Json.bool(doc, "ok"));
        assertEquals(Map.of("x", 1L), Json.object(doc, "o"));
        assertEquals(Map.of(), Json.object(doc, "missing"));
        assertEquals(List.of(2L), Json.array(doc, "l"));
        assertEquals(List.of(), Json.array(doc, "o"));
    }

    @Test
    void repeatedKeysKeepTheLastValueLikeGo() {
        assertEquals(Map.of("a", 2L), Json.parse("{\"a\":1,\"a\":2}"));
    }

    @Test
    void rejectsWhatIsNotJson() {
        for (String bad : new String[] {"", "  ", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "nul",
                "\"abc", "\"a\tb\"", "\"\\x\"", "\"\\u12\"", "{a:1}", "[1] 2", "{\"a\" 1}", "[1 2]", "+1", ".5"}) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
        }
        JsonException deep = assertThrows(JsonException.class, () -> Json.parse("[".repeat(10_000)));
        assertTrue(deep.getMessage().contains("nesting deeper than"), deep.getMessage());
        assertThrows(JsonException.class, () -> Json.parseObject("[]"));
    }

    @Test
    void writesCompactEscapedJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("s", "q\"b\\n\n\t\u0001\u2028é");
        doc.put("n", null);
        doc.put("l", List.of(1, 2L, 2.5, 3.0, true));
        doc.put("a", new Object[] {"x"});
        doc.put("o", Optional.empty());
        doc.put("big", new BigInteger("18446744073709551615"));
        assertEquals("{\"s\":\"q\\\"b\\\\n\\n\\t\\u0001\\u2028é\",\"n\":null,\"l\":[1,2,2.5,3,true],\"a\":[\"x\"],"
                + "\"o\":null,\"big\":18446744073709551615}", Json.write(doc));
    }

    @Test
    void writtenJsonParsesBackEqual() {
        Object doc = Json.parse("{\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"process\":{\"args\":[\"sh\",\"-c\","
                + "\"echo \\\"hi\\\"\"],\"user\":{\"uid\":0,\"gid\":4294967295}},\"linux\":{\"resources\":"
                + "{\"memory\":{\"limit\":-1}}},\"x\":[null,1.25,\"\\u0000\"]}");
        assertEquals(doc, Json.parse(Json.write(doc)));
        assertEquals(doc, Json.parse(Json.writeBytes(doc)));
    }

    @Test
    void refusesValuesJsonCannotHold() {
        assertThrows(JsonException.class, () -> Json.write(Double.NaN));
        assertThrows(JsonException.class, () -> Json.write(Map.of(1, "x")));
        assertThrows(JsonException.class, () -> Json.write(new Object()));
        assertEquals("[1,\"a\"]", Json.write(Arrays.asList(1, "a")));
    }
}
