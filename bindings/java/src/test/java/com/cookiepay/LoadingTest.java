package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Where the library is loaded from, each case in a fresh child JVM: the copy packed in the jar
 * (extracted, then deleted), the system property, the environment variable, and what two class
 * loaders do (Tomcat's one-class-loader rule).
 */
class LoadingTest {
    private static final String LIB = new File(System.getProperty("test.native.lib", "../../target/release/libcookiepay.so")).getAbsolutePath();

    /** Output and stderr of a child JVM running ChildProbe. */
    private static final class Child {
        final String out;
        final String err;
        final int exit;

        Child(String out, String err, int exit) {
            this.out = out;
            this.err = err;
            this.exit = exit;
        }
    }

    private static Child probe(String mode, String libEnv, String... jvmArgs) throws Exception {
        Path tmp = Files.createTempDirectory("cookiepay-loading");
        try {
            List<String> command = new ArrayList<String>();
            command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
            command.add("-Xcheck:jni");
            command.add("-Djava.io.tmpdir=" + tmp);
            command.addAll(Arrays.asList(jvmArgs));
            command.add("-cp");
            command.add(location(ChildProbe.class) + File.pathSeparator + location(Native.class));
            command.add(ChildProbe.class.getName());
            command.add(mode);
            ProcessBuilder builder = new ProcessBuilder(command);
            Map<String, String> env = builder.environment();
            env.remove(Native.LIBRARY_ENV);
            if (libEnv != null) {
                env.put(Native.LIBRARY_ENV, libEnv);
            }
            File out = tmp.resolve("out.txt").toFile();
            File err = tmp.resolve("err.txt").toFile();
            Process process = builder.redirectOutput(out).redirectError(err).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM hung");
            return new Child(read(out), read(err), process.exitValue());
        } finally {
            for (File f : tmp.toFile().listFiles()) {
                f.delete();
            }
            tmp.toFile().delete();
        }
    }

    private static String location(Class<?> type) throws Exception {
        return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    private static String read(File f) throws IOException {
        return new String(Files.readAllBytes(f.toPath()), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void byDefaultThePackedCopyIsExtractedLoadedAndDeleted() throws Exception {
        Child child = probe("where", null);
        assertEquals(0, child.exit, child.err);
        assertTrue(child.out.contains("loaded-from=jar:/native/linux-x86_64/libcookiepay.so"), child.out);
        assertTrue(child.out.contains("version=" + CookiePayClient.version()), child.out);
        assertTrue(child.out.contains("temp-files-left=0"), child.out);
        // -Xcheck:jni prints on stdout, the JVM's other warnings on stderr.
        assertFalse(child.out.contains("WARNING") || child.err.contains("WARNING"), child.out + child.err);
    }

    @Test
    void theSystemPropertyPointsAtAnInstalledCopy() throws Exception {
        Child child = probe("where", null, "-D" + Native.LIBRARY_PROPERTY + "=" + LIB);
        assertTrue(child.out.contains("loaded-from=" + LIB), child.out + child.err);
    }

    @Test
    void theEnvironmentVariablePointsAtAnInstalledCopy() throws Exception {
        Child child = probe("where", LIB);
        assertTrue(child.out.contains("loaded-from=" + LIB), child.out + child.err);
    }

    @Test
    void thePropertyWinsOverTheEnvironment() throws Exception {
        Child child = probe("where", "/nonexistent/libcookiepay.so", "-D" + Native.LIBRARY_PROPERTY + "=" + LIB);
        assertTrue(child.out.contains("loaded-from=" + LIB), child.out + child.err);
    }

    @Test
    void aWrongPathSaysWhereItCameFrom() throws Exception {
        Child child = probe("where", "/nonexistent/libcookiepay.so");
        assertTrue(child.out.contains("link-error=cookiepay: cannot load /nonexistent/libcookiepay.so"), child.out + child.err);
        assertTrue(child.out.contains(Native.LIBRARY_ENV), child.out);
    }

    @Test
    void aPanicInAChildJvmIsCaughtAndItsMessageStaysQuiet() throws Exception {
        Child child = probe("panic", null);
        assertEquals(0, child.exit, child.err);
        assertTrue(child.out.contains("caught=CookiePayInternalException"), child.out);
        assertTrue(child.out.contains("alive-after-panic="), child.out);
        assertTrue(child.err.contains("cookiepay: internal error at"), child.err);
        assertFalse(child.err.contains("deliberate"), "the panic's own message must not be printed: " + child.err);
        assertFalse(child.out.contains("WARNING in native method"), child.out);
    }

    @Test
    void oneInstalledCopyServesOneClassLoaderOnly() throws Exception {
        // Tomcat's rule: the jar belongs in the shared lib/. With a fixed path, a second web
        // application's class loader cannot load the same library and is told why.
        Child shared = probe("two-loaders", LIB);
        assertTrue(shared.out.contains("app1=" + CookiePayClient.version()), shared.out + shared.err);
        assertTrue(shared.out.contains("app2-error="), shared.out);
        assertTrue(shared.out.contains("shared lib/"), shared.out);
        // The packed copy is extracted per class loader, so each application gets its own.
        Child packed = probe("two-loaders", null);
        assertTrue(packed.out.contains("app1=") && packed.out.contains("app2="), packed.out + packed.err);
    }

    @Test
    void thePlatformNameMatchesThePackedFolder() {
        assertEquals("linux-x86_64", Native.platform());
    }
}
