package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/**
 * The built jar's manifest (surefire execution {@code jar-manifest}, after the package phase, with
 * -Dtest.jar naming the jar): Enable-Native-Access lets an executable jar built on ours load the
 * library without JDK 24+'s warnings, and Automatic-Module-Name gives the jar a stable module name
 * on the module path.
 */
class JarManifestTest {
    @Test
    void theManifestEnablesNativeAccessAndNamesTheModule() throws Exception {
        String path = System.getProperty("test.jar", "").trim();
        if (path.isEmpty() || !new File(path).isFile()) {
            fail("JarManifestTest reads the built jar: run it with mvn verify (bindings/java/test.sh does); -Dtest.jar='" + path + "'");
        }
        try (JarFile jar = new JarFile(path)) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("ALL-UNNAMED", main.getValue("Enable-Native-Access"));
            assertEquals("com.cookiepay", main.getValue("Automatic-Module-Name"));
            assertTrue(jar.getEntry("native/linux-x86_64/libcookiepay.so") != null, "the jar packs the library");
        }
    }
}
