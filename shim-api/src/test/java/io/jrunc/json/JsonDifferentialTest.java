package io.jrunc.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Our JSON reader and writer against Jackson on generated documents: both read every valid document to
 * the same tree, Jackson reads back exactly what we write, and both refuse the same broken documents.
 * The seed is printed so that a failure can be replayed ({@code -Djrunc.json.seed=N}).
 */
class JsonDifferentialTest {
    private static final int DOCUMENTS = 3_000;
    private static final ObjectMapper JACKSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final String ALPHABET = "ab Z09_-/.:\"\\\b\f\n\r\t\u0001\u001f\u007f\u00e9\u20ac\u2028\ud83d\ude00";

    private final long seed = Long.getLong("jrunc.json.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @Test
    void validDocumentsReadTheSameAndWhatWeWriteJacksonReadsBack() throws Exception {
        System.out.println("JsonDifferentialTest seed " + seed);
        for (int i = 0; i < DOCUMENTS; i++) {
            JsonNode expected = randomValue(0);
            String text = JACKSON.writeValueAsString(expected);
            Object ours = parseOurs(text, i);
            assertEquals(canonical(expected), canonical(ours), "document " + i + " (seed " + seed + "): " + text);
            String written = Json.write(ours);
            assertEquals(canonical(expected), canonical(JACKSON.readTree(written)),
                    "our writing of document " + i + " (seed " + seed + "): " + written);
        }
    }

    @Test
    void brokenDocumentsAreRefusedByBoth() throws Exception {
        System.out.println("JsonDifferentialTest seed " + seed);
        List<String> broken = new ArrayList<>(List.of("", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'x'",
                "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"\\x\"", "\"\\u12\"", "\"unterminated", "[1 2]",
                "{\"a\":1}}", "[]]", "\"\u0001\"", "NaN", "Infinity", "{\"a\":1} x"));
        for (int i = 0; i < DOCUMENTS; i++) {
            broken.add(mutate(JACKSON.writeValueAsString(randomValue(0))));
        }
        int refused = 0;
        for (String text : broken) {
            boolean jacksonRefuses = refusesJackson(text);
            boolean weRefuse = refusesOurs(text);
            assertEquals(jacksonRefuses, weRefuse, "Jackson " + (jacksonRefuses ? "refuses" : "accepts")
                    + " what we " + (weRefuse ? "refuse" : "accept") + " (seed " + seed + "): " + text);
            refused += weRefuse ? 1 : 0;
        }
        System.out.println("broken documents refused by both: " + refused + " of " + broken.size());
    }

    private static Object parseOurs(String text, int index) {
        try {
            return Json.parse(text);
        } catch (JsonException e) {
            return fail("document " + index + " refused: " + e.getMessage() + ": " + text);
        }
    }

    private static boolean refusesJackson(String text) {
        try {
            JACKSON.readTree(text);
            return text.isBlank(); // Jackson reads "" as a missing node; a document must hold a value
        } catch (JsonProcessingException e) {
            return true;
        } catch (NumberFormatException e) {
            return false; // valid syntax, a number beyond what Jackson converts (e.g. an exponent of 20 digits)
        }
    }

    private static boolean refusesOurs(String text) {
        try {
            Json.parse(text);
            return false;
        } catch (JsonException e) {
            return true;
        }
    }

    /** One edit that usually breaks a document: drop, duplicate or replace a character, or cut it short. */
    private String mutate(String text) {
        if (text.isEmpty()) {
            return "{";
        }
        int at = random.nextInt(text.length());
        String noise = String.valueOf("{}[]\",:.-e0\\ t".charAt(random.nextInt(14)));
        return switch (random.nextInt(4)) {
            case 0 -> text.substring(0, at) + text.substring(at + 1);
            case 1 -> text.substring(0, at) + noise + text.substring(at);
            case 2 -> text.substring(0, at) + noise + text.substring(at + 1);
            default -> text.substring(0, at);
        };
    }

    private JsonNode randomValue(int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = random.nextInt(depth > 4 ? 6 : 8);
        return switch (kind) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(random.nextBoolean());
            case 2 -> f.numberNode(random.nextLong() >> random.nextInt(64));
            case 3 -> f.numberNode(new BigInteger(70 + random.nextInt(40), random).negate());
            case 4 -> f.numberNode(BigDecimal.valueOf(random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6)));
            case 5 -> f.textNode(randomString());
            case 6 -> {
                var array = f.arrayNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    array.add(randomValue(depth + 1));
                }
                yield array;
            }
            default -> {
                var object = f.objectNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    object.set(randomString(), randomValue(depth + 1));
                }
                yield object;
            }
        };
    }

    private String randomString() {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            int at = random.nextInt(ALPHABET.length());
            char c = ALPHABET.charAt(at);
            if (Character.isHighSurrogate(c)) {
                s.append(c).append(ALPHABET.charAt(at + 1)); // keep the pair whole
            } else if (!Character.isLowSurrogate(c)) {
                s.append(c);
            }
        }
        return s.toString();
    }

    /** A comparable tree: maps keep key order, every number becomes a BigDecimal without trailing zeros. */
    private static Object canonical(Object value) {
        return switch (value) {
            case null -> null;
            case JsonNode node -> canonicalNode(node);
            case Map<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(k, canonical(v)));
                yield out;
            }
            case List<?> list -> list.stream().map(JsonDifferentialTest::canonical).toList();
            case Long l -> BigDecimal.valueOf(l).stripTrailingZeros();
            case Integer i -> BigDecimal.valueOf(i).stripTrailingZeros();
            case BigInteger b -> new BigDecimal(b).stripTrailingZeros();
            case Double d -> new BigDecimal(d.toString()).stripTrailingZeros();
            case BigDecimal d -> d.stripTrailingZeros();
            default -> value;
        };
    }

    private static Object canonicalNode(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.decimalValue().stripTrailingZeros();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>();
            node.forEach(e -> out.add(canonicalNode(e)));
            return out;
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.put(e.getKey(), canonicalNode(e.getValue()));
        }
        return out;
    }
}
