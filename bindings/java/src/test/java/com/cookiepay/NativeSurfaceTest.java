package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Native.java is read by a Rust test of the core (issue 15: one source of truth for the JNI
 * surface), which compares its op codes and native declarations, line by line, with src/jni.rs.
 * This side checks that the simple line format that test relies on says exactly what the compiled
 * class declares, and that the op codes are those of CONTRACT.md.
 */
class NativeSurfaceTest {
    private static final Pattern OP_LINE = Pattern.compile("^\\s*static final int (OP_[A-Z0-9_]+) = (\\d+);\\s*$");
    private static final Pattern NATIVE_LINE = Pattern.compile("^\\s*static native [A-Za-z0-9_\\[\\]]+ ([A-Za-z0-9_]+)\\([^)]*\\);\\s*$");

    private static List<String> source() throws Exception {
        return Files.readAllLines(Paths.get("src/main/java/com/cookiepay/Native.java"), StandardCharsets.UTF_8);
    }

    @Test
    void opCodesAreOnePerLineAndThoseOfTheContract() throws Exception {
        Map<String, Integer> written = new TreeMap<String, Integer>();
        for (String line : source()) {
            if (line.contains("static final int OP_")) {
                Matcher m = OP_LINE.matcher(line);
                assertTrue(m.matches(), "not in the one-constant-per-line form: " + line);
                assertEquals(null, written.put(m.group(1), Integer.valueOf(m.group(2))), "twice: " + line);
            }
        }
        Map<String, Integer> compiled = new TreeMap<String, Integer>();
        for (Field f : Native.class.getDeclaredFields()) {
            if (f.getName().startsWith("OP_")) {
                assertTrue(Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers()) && f.getType() == int.class, f.toString());
                f.setAccessible(true);
                compiled.put(f.getName(), f.getInt(null));
            }
        }
        assertEquals(compiled, written);
        Map<String, Integer> contract = new TreeMap<String, Integer>();
        String[] names = {"TOKEN", "READY", "DECRYPT", "PAYCERT", "VERIFY", "BILLKEYGEN", "RECURRING_CHARGE",
            "SCHEDULE_CANCEL", "BILLKEY_DELETE", "CANCEL", "PAYSEARCH", "RECEIPT_URL", "REQUEST", "CONFIRM_NOTI"};
        for (int i = 0; i < names.length; i++) {
            contract.put("OP_" + names[i], i);
        }
        assertEquals(contract, compiled);
    }

    @Test
    void nativeMethodsAreOnePerLineAndNoTestExportIsAmongThem() throws Exception {
        TreeSet<String> written = new TreeSet<String>();
        for (String line : source()) {
            if (line.contains("static native")) {
                Matcher m = NATIVE_LINE.matcher(line);
                assertTrue(m.matches(), "not in the one-declaration-per-line form: " + line);
                assertTrue(written.add(m.group(1)), "declared twice: " + line);
            }
        }
        TreeSet<String> compiled = new TreeSet<String>();
        for (Method method : Native.class.getDeclaredMethods()) {
            if (Modifier.isNative(method.getModifiers())) {
                assertTrue(Modifier.isStatic(method.getModifiers()), method.toString());
                compiled.add(method.getName());
            }
        }
        assertEquals(compiled, written);
        assertEquals(new TreeSet<String>(java.util.Arrays.asList("abiVersion", "call", "clientFree", "clientNew", "clientNewObserved", "parseNoti", "parseReturn", "takeRecords", "version")), compiled);
        assertFalse(compiled.contains("selfTestPanic"), "test exports live in TestNative");
    }
}
