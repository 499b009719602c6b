package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;

import org.junit.jupiter.api.Test;

/**
 * Where the library is loaded from, each case in a fresh child JVM: the copy packed in the jar
 * (extracted, then deleted), the system property, the environment variable, and what two class
 * loaders do (Tomcat's one-class-loader rule).
 */
class LoadingTest {
    private static final String LIB = new File(System.getProperty("test.native.lib", "../../target/release/libcookiepay.so")).getAbsolutePath();

    @Test
    void byDefaultThePackedCopyIsExtractedLoadedAndDeleted() throws Exception {
        ChildProbe.Result child = ChildProbe.run("where", null);
        assertEquals(0, child.exit, child.err);
        assertTrue(child.out.contains("loaded-from=jar:/native/linux-x86_64/libcookiepay.so"), child.out);
        assertTrue(child.out.contains("version=" + CookiePayClient.version()), child.out);
        assertTrue(child.out.contains("temp-files-left=0"), child.out);
        // -Xcheck:jni prints on stdout, the JVM's other warnings on stderr.
        assertFalse(child.out.contains("WARNING") || child.err.contains("WARNING"), child.out + child.err);
    }

    @Test
    void theSystemPropertyPointsAtAnInstalledCopy() throws Exception {
        ChildProbe.Result child = ChildProbe.run("where", null, "-D" + Native.LIBRARY_PROPERTY + "=" + LIB);
        assertTrue(child.out.contains("loaded-from=" + LIB), child.out + child.err);
    }

    @Test
    void theEnvironmentVariablePointsAtAnInstalledCopy() throws Exception {
        ChildProbe.Result child = ChildProbe.run("where", LIB);
        assertTrue(child.out.contains("loaded-from=" + LIB), child.out + child.err);
    }

    @Test
    void thePropertyWinsOverTheEnvironment() throws Exception {
        ChildProbe.Result child = ChildProbe.run("where", "/nonexistent/libcookiepay.so", "-D" + Native.LIBRARY_PROPERTY + "=" + LIB);
        assertTrue(child.out.contains("loaded-from=" + LIB), child.out + child.err);
    }

    @Test
    void aWrongPathSaysWhereItCameFrom() throws Exception {
        ChildProbe.Result child = ChildProbe.run("where", "/nonexistent/libcookiepay.so");
        assertTrue(child.out.contains("link-error=cookiepay: cannot load /nonexistent/libcookiepay.so"), child.out + child.err);
        assertTrue(child.out.contains(Native.LIBRARY_ENV), child.out);
    }

    @Test
    void oneInstalledCopyServesOneClassLoaderOnly() throws Exception {
        // Tomcat's rule: the jar belongs in the shared lib/. With a fixed path, a second web
        // application's class loader cannot load the same library and is told why.
        ChildProbe.Result shared = ChildProbe.run("two-loaders", LIB);
        assertTrue(shared.out.contains("app1=" + CookiePayClient.version()), shared.out + shared.err);
        assertTrue(shared.out.contains("app2-error="), shared.out);
        assertTrue(shared.out.contains("shared lib/"), shared.out);
        // The packed copy is extracted per class loader, so each application gets its own.
        ChildProbe.Result packed = ChildProbe.run("two-loaders", null);
        assertTrue(packed.out.contains("app1=") && packed.out.contains("app2="), packed.out + packed.err);
    }

    @Test
    void thePlatformNameMatchesThePackedFolder() {
        assertEquals("linux-x86_64", Native.platform());
    }
}
