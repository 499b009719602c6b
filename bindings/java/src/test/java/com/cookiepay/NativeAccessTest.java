package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDK 24+ restricts native access (JEP 472): loading a JNI library from the class path prints
 * "WARNING: A restricted method in java.lang.System has been called" lines into the host's log, and
 * under --illegal-native-access=deny (the announced future default) it is refused. Each case runs in
 * a child JVM of its own on a JDK 24+: the suite's own JVM when test.sh runs it on JDK 25, else the
 * JDK named by -Dtest.jdk25.home (test.sh sets it in the JDK 17 run too).
 */
class NativeAccessTest {
    private static final String FLAG = "--enable-native-access=ALL-UNNAMED";
    private static final String RESTRICTED_WARNING = "WARNING: A restricted method in java.lang.System has been called";

    private static String javaHome;

    @BeforeAll
    static void aJdkWithRestrictedNativeAccess() throws Exception {
        String configured = System.getProperty("test.jdk25.home", "").trim();
        javaHome = configured.isEmpty() ? System.getProperty("java.home") : configured;
        int feature = featureVersion(javaHome);
        if (feature < 24) {
            fail("NativeAccessTest needs a JDK 24 or later (found " + feature + " at " + javaHome + "): run it on one, or set"
                    + " -Dcookiepay.test.jdk25.home=/usr/lib/jvm/temurin-25-jdk-amd64 (bindings/java/test.sh does)");
        }
    }

    /** The JDK's major version, from its {@code release} file (JAVA_VERSION="25.0.3"). */
    private static int featureVersion(String home) throws Exception {
        Properties release = new Properties();
        try (InputStream in = new FileInputStream(new File(home, "release"))) {
            release.load(in);
        }
        String version = release.getProperty("JAVA_VERSION", "\"0\"").replace("\"", "");
        String major = version.startsWith("1.") ? version.substring(2) : version;
        return Integer.parseInt(major.split("[.+-]")[0]);
    }

    @Test
    void deniedNativeAccessIsALibraryExceptionNamingTheFlag() throws Exception {
        ChildProbe.Result child = ChildProbe.runOn(javaHome, "client", null, "--illegal-native-access=deny");
        String all = child.out + child.err;
        assertEquals(0, child.exit, all);
        assertFalse(all.contains("other-error="), all);
        // The first call and every later one, through each public entry point: never an
        // ExceptionInInitializerError or NoClassDefFoundError.
        for (String call : new String[] {"client1", "version1", "parse-return1", "parse-noti1", "client2", "version2", "parse-return2", "parse-noti2"}) {
            String line = lineStarting(child.out, call + "-library-error=");
            assertTrue(line.contains(FLAG), call + ": " + all);
            assertTrue(line.contains("CATALINA_OPTS"), call + ": " + all);
        }
        assertTrue(child.out.contains("client1-kind=library cause=java.lang.IllegalCallerException"), all);
        assertTrue(child.out.contains("client2-kind=library cause=java.lang.IllegalCallerException"), all);
        // The copy extracted for the refused load is not left in java.io.tmpdir.
        assertTrue(child.out.contains("temp-files-left=0"), all);
    }

    @Test
    void withTheFlagTheJvmPrintsNoRestrictedMethodWarning() throws Exception {
        ChildProbe.Result child = ChildProbe.runOn(javaHome, "client", null, FLAG);
        String all = child.out + child.err;
        assertEquals(0, child.exit, all);
        assertTrue(child.out.contains("client1=created") && child.out.contains("client2=created"), all);
        assertTrue(child.out.contains("version1=" + CookiePayClient.version()), all);
        assertFalse(all.contains("WARNING"), all);
    }

    @Test
    void withoutTheFlagThatJdkWarnsSoTheCheckAboveCanFail() throws Exception {
        // Why the flag is needed (and proof that the test above would see the warning): the
        // default mode of JDK 24+ loads the library but warns.
        ChildProbe.Result child = ChildProbe.runOn(javaHome, "client", null);
        assertEquals(0, child.exit, child.out + child.err);
        assertTrue(child.out.contains("client1=created"), child.out + child.err);
        assertTrue(child.err.contains(RESTRICTED_WARNING), child.out + child.err);
        assertTrue(child.err.contains(FLAG), child.err);
    }

    @Test
    void anExecutableJarsManifestEnablesNativeAccess(@TempDir Path dir) throws Exception {
        // The README's advice for `java -jar app.jar`: Enable-Native-Access in that jar's manifest
        // (JDK 24+ reads it from the jar it starts only), here for the classes on its Class-Path.
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, ChildProbe.class.getName());
        main.put(Attributes.Name.CLASS_PATH, codeSource(ChildProbe.class) + " " + codeSource(Native.class));
        main.putValue("Enable-Native-Access", "ALL-UNNAMED");
        File jar = dir.resolve("app.jar").toFile();
        new JarOutputStream(new FileOutputStream(jar), manifest).close();
        ChildProbe.Result child = ChildProbe.runJar(javaHome, jar, "client");
        String all = child.out + child.err;
        assertEquals(0, child.exit, all);
        assertTrue(child.out.contains("client1=created"), all);
        assertFalse(all.contains("WARNING"), all);
    }

    /** A class's folder or jar as a URL (file:/…/classes/), as a manifest's Class-Path takes it. */
    private static String codeSource(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation().toString();
    }

    private static String lineStarting(String text, String prefix) {
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        fail("no line " + prefix + " in:\n" + text);
        return null;
    }
}
