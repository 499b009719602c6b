package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The binding's own JSON reader and writer: what the user's app would otherwise need a library for. */
class JsonTest {
    @Test
    void readsEveryKindOfValue() {
        Map<String, Object> m = Json.asMap(Json.parse(
                " {\"s\":\"x\",\"i\":-42,\"z\":0,\"big\":123456789012345678901234567890,\"max\":9223372036854775807,"
                        + "\"min\":-9223372036854775808,\"d\":1.5e3,\"neg\":-0.25,\"t\":true,\"f\":false,\"n\":null,"
                        + "\"a\":[1,[],{}],\"o\":{\"k\":\"v\"}} "));
        assertEquals("x", m.get("s"));
        assertEquals(-42L, m.get("i"));
        assertEquals(0L, m.get("z"));
        assertEquals(new BigInteger("123456789012345678901234567890"), m.get("big"));
        assertEquals(Long.MAX_VALUE, m.get("max"));
        assertEquals(Long.MIN_VALUE, m.get("min"));
        assertEquals(1500.0, m.get("d"));
        assertEquals(-0.25, m.get("neg"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n") && m.get("n") == null);
        assertEquals(Arrays.asList(1L, Collections.emptyList(), Collections.emptyMap()), m.get("a"));
        assertEquals(Collections.singletonMap("k", "v"), m.get("o"));
        // Field order is kept, as the core sends it.
        assertEquals(Arrays.asList("s", "i", "z", "big", "max", "min", "d", "neg", "t", "f", "n", "a", "o"),
                new ArrayList<String>(m.keySet()));
    }

    @Test
    void readsHangulEmojiAndEveryEscape() {
        assertEquals("쿠키 정기구독 🍪", Json.parse("\"쿠키 정기구독 🍪\""));
        assertEquals("🍪", Json.parse("\"\\ud83c\\udf6a\""));
        assertEquals("한", Json.parse("\"\\uD55C\""));
        assertEquals("\" \\ / \b \f \n \r \t \u0000 \u2028", Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u2028\""));
        assertEquals("a😀b", Json.parse("\"a\\uD83D\\uDE00b\""));
        assertEquals("", Json.parse("\"\""));
    }

    @Test
    void writesWhatItReads() {
        Map<String, Object> m = new LinkedHashMap<String, Object>();
        m.put("text", "쿠키 🍪 \"quoted\" back\\slash / tab\t nl\n cr\r \u0001 \u001f \u007f \u2028 é");
        m.put("long", Long.MIN_VALUE);
        m.put("int", 12_900);
        m.put("double", 0.5);
        m.put("bool", Boolean.TRUE);
        m.put("null", null);
        m.put("list", Arrays.asList("a", 1L, Collections.singletonMap("k", "값")));
        m.put("nested", Collections.singletonMap("deeper", Collections.singletonMap("deepest", Collections.emptyList())));
        String json = Json.write(m);
        assertEquals(m.toString(), Json.parse(json).toString());
        Map<String, Object> back = Json.asMap(Json.parse(json));
        assertEquals(m.get("text"), back.get("text"));
        assertEquals(12_900L, back.get("int"));
        assertEquals(m.get("list"), back.get("list"));
        assertEquals(m.get("nested"), back.get("nested"));
        // Control characters are escaped; other text, emoji included, is written as is.
        assertTrue(json.contains("\\u0001") && json.contains("\\u001f") && json.contains("\\t") && json.contains("\\n"), json);
        assertTrue(json.contains("쿠키 🍪"), json);
    }

    @Test
    void writesNumbersCharactersAndArrays() {
        assertEquals("[1,2,3,4,5,\"c\",12345678901234567890,1.50]", Json.write(new Object[] {
            (byte) 1, (short) 2, 3, 4L, new BigDecimal("5"), 'c', new BigInteger("12345678901234567890"), new BigDecimal("1.50")}));
        assertEquals("{\"7\":true}", Json.write(Collections.singletonMap(7, true)));
        assertEquals("null", Json.write(null));
    }

    @Test
    void loneSurrogatesAreEscapedNotMangled() {
        // Escaped, the core's JSON reader rejects them instead of a UTF-8 conversion replacing them.
        assertEquals("\"a\\ud800b\"", Json.write("a\ud800b"));
        assertEquals("\"\\udc00\"", Json.write("\udc00"));
        assertEquals("\"x\\ud83d\"", Json.write("x\ud83d"));
        assertEquals("\"😀\"", Json.write("\ud83d\ude00"));
    }

    @Test
    void refusesWhatJsonCannotSay() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        Map<String, Object> cycle = new LinkedHashMap<String, Object>();
        cycle.put("self", cycle);
        assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
    }

    @Test
    void rejectsMalformedText() {
        String[] bad = {
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "-", "1.", ".5", "1e", "+1",
            "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "tru", "nul", "True", "1 2", "{} x",
            "[\"a\"]]", "NaN", "'a'", "\"\\", "{\"a\":}",
        };
        for (String text : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text), text);
            assertTrue(e.getMessage().startsWith("malformed JSON at offset "), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Json.parse(null));
    }

    @Test
    void nestingIsBounded() {
        StringBuilder ok = new StringBuilder();
        StringBuilder tooDeep = new StringBuilder();
        for (int i = 0; i < Json.MAX_DEPTH; i++) {
            ok.append('[');
        }
        for (int i = 0; i < Json.MAX_DEPTH; i++) {
            ok.append(']');
        }
        Json.parse(ok.toString());
        for (int i = 0; i < 100_000; i++) {
            tooDeep.append('[');
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(tooDeep.toString()));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }

    @Test
    void typedAccessors() {
        assertEquals("12", Json.asText(12L));
        assertEquals("true", Json.asText(true));
        assertEquals(null, Json.asText(Collections.emptyMap()));
        assertEquals(Collections.emptyMap(), Json.asMap("not a map"));
        List<Object> list = Json.asList(Arrays.asList(1, 2));
        assertEquals(2, list.size());
        assertEquals(Collections.emptyList(), Json.asList(null));
    }
}
