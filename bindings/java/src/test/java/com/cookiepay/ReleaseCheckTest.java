package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check at load (Native.checkLibrary): a library of another ABI, one whose JNI glue is of another
 * release, or one with no JNI glue at all, is refused with a message naming both; each case in a child
 * JVM that loads a stand-in library built here with gcc.
 */
class ReleaseCheckTest {
    // JUnit's own folder (not named cookiepay-*: LoadingTest counts those left in java.io.tmpdir).
    @TempDir
    Path dir;

    private File fakeLibrary(String name, String source) throws Exception {
        Path c = dir.resolve(name + ".c");
        Files.write(c, source.getBytes(StandardCharsets.UTF_8));
        File lib = dir.resolve(name + ".so").toFile();
        String javaHome = System.getProperty("java.home");
        File include = new File(javaHome, "include").isDirectory() ? new File(javaHome, "include") : new File(new File(javaHome).getParentFile(), "include");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-I" + include, "-I" + new File(include, "linux"),
                "-o", lib.getAbsolutePath(), c.toString()).redirectErrorStream(true).start();
        String out = new String(readAll(gcc.getInputStream()), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), out);
        return lib;
    }

    private static byte[] readAll(java.io.InputStream in) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String abiExport(int abi) {
        return "JNIEXPORT jint JNICALL Java_com_cookiepay_Native_abiVersion(JNIEnv *env, jclass c) {\n"
                + "    (void)env; (void)c; return " + abi + ";\n}\n";
    }

    @Test
    void aLibraryOfAnotherAbiIsRefused() throws Exception {
        File lib = fakeLibrary("other-abi", "#include <jni.h>\n" + abiExport(Native.ABI_VERSION + 1));
        ChildProbe.Result child = ChildProbe.run("where", null, "-D" + Native.LIBRARY_PROPERTY + "=" + lib.getAbsolutePath());
        assertTrue(child.out.contains("link-error=cookiepay: the library loaded from " + lib.getAbsolutePath()
                + " implements cookiepay ABI " + (Native.ABI_VERSION + 1) + ", but this jar needs ABI " + Native.ABI_VERSION),
                child.out + child.err);
    }

    @Test
    void aLibraryOfAnotherReleaseIsRefused() throws Exception {
        File lib = fakeLibrary("other-release", "#include <jni.h>\n" + abiExport(Native.ABI_VERSION)
                + "JNIEXPORT jstring JNICALL Java_com_cookiepay_Native_version(JNIEnv *env, jclass c) {\n"
                + "    (void)c; return (*env)->NewStringUTF(env, \"9.9.9\");\n}\n");
        ChildProbe.Result child = ChildProbe.run("where", null, "-D" + Native.LIBRARY_PROPERTY + "=" + lib.getAbsolutePath());
        assertTrue(child.out.contains("link-error=cookiepay: the library loaded from " + lib.getAbsolutePath()
                + " is libcookiepay 9.9.9, but this jar is " + CookiePayClient.version()), child.out + child.err);
    }

    @Test
    void aLibraryWithoutTheJniGlueIsRefused() throws Exception {
        File lib = fakeLibrary("no-glue", "const char *cookiepay_version(void) { return \"0.0.1\"; }\n");
        ChildProbe.Result child = ChildProbe.run("where", null, "-D" + Native.LIBRARY_PROPERTY + "=" + lib.getAbsolutePath());
        assertTrue(child.out.contains("has no Java_com_cookiepay_Native_abiVersion"), child.out + child.err);
    }
}
