package com.cookiepay;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Locale;

/**
 * The JNI declarations (implemented in the Rust core's src/jni.rs) and the loading of
 * libcookiepay (libcookiepay.so, cookiepay.dll). Loaded once per class loader, i.e. once per JVM when the jar sits in the
 * server's shared lib/ (see README: a native library belongs to one class loader).
 *
 * <p>Where the library comes from, first match wins:
 * <ol>
 *   <li>the system property {@value #LIBRARY_PROPERTY} (an absolute path to libcookiepay.so);</li>
 *   <li>the environment variable {@value #LIBRARY_ENV};</li>
 *   <li>the copy packed in this jar for the running platform ({@code native/<platform>/} named by
 *       {@link System#mapLibraryName}, see {@link #platform()}), extracted to a temporary folder.</li>
 * </ol>
 */
final class Native {
    static final String LIBRARY_PROPERTY = "cookiepay.library.path";
    static final String LIBRARY_ENV = "COOKIEPAY_LIB";

    /*
     * Operation numbers of call(handle, op, json), shared with src/jni.rs. A Rust test of the core
     * reads this file and compares these constants and the native declarations below with the
     * exports of src/jni.rs, so keep them simple: each constant and each native declaration whole
     * on one line of its own, values as decimal literals, and no such declaration in a comment.
     */
    static final int OP_TOKEN = 0;
    static final int OP_READY = 1;
    static final int OP_DECRYPT = 2;
    static final int OP_PAYCERT = 3;
    static final int OP_VERIFY = 4;
    static final int OP_BILLKEYGEN = 5;
    static final int OP_RECURRING_CHARGE = 6;
    static final int OP_SCHEDULE_CANCEL = 7;
    static final int OP_BILLKEY_DELETE = 8;
    static final int OP_CANCEL = 9;
    static final int OP_PAYSEARCH = 10;
    static final int OP_RECEIPT_URL = 11;
    static final int OP_REQUEST = 12;
    static final int OP_CONFIRM_NOTI = 13;

    private static final String LOADED_FROM;
    /**
     * The JVM's refusal to load the library (JDK 24+ under --illegal-native-access=deny), or null.
     * Kept instead of thrown from this initializer, where it would become an
     * ExceptionInInitializerError and then a NoClassDefFoundError: {@link #ensureUsable()} turns it
     * into a CookiePayLibraryException on every call.
     */
    private static final RuntimeException NATIVE_ACCESS_DENIED;

    static {
        String from = null;
        RuntimeException denied = null;
        try {
            from = load();
        } catch (RuntimeException e) {
            if (!isNativeAccessDenied(e)) {
                throw e;
            }
            denied = e;
        }
        LOADED_FROM = from;
        NATIVE_ACCESS_DENIED = denied;
    }

    private Native() {}

    /** A client handle, or 0 with the error envelope stored in errorOut[0]. */
    static native long clientNew(String configJson, String[] errorOut);

    /** clientNew whose exchanges leave records (no body, no secret) for takeRecords. */
    static native long clientNewObserved(String configJson, String[] errorOut);

    /** The records left on this thread since the last take: a JSON array. */
    static native String takeRecords();

    /** Releases a handle; 0 is ignored. Never while a call on it runs. */
    static native void clientFree(long handle);

    /** One operation: the JSON envelope. A 0 handle throws IllegalStateException. */
    static native String call(long handle, int op, String requestJson);

    /** The raw body posted to RETURNURL → the JSON envelope. */
    static native String parseReturn(byte[] formBody);

    /** The raw JSON body CookiePay posts to the 통지 URL → the JSON envelope. No client. */
    static native String parseNoti(byte[] body);

    static native String version();

    /** cookiepay_abi_version(): the C ABI this library implements; must be ABI_VERSION. */
    static native int abiVersion();

    /** The C ABI these classes were written for (COOKIEPAY_ABI_VERSION in include/cookiepay.h). */
    static final int ABI_VERSION = 1;

    // The test-only export (a deliberate panic) is not here: the production library does not have
    // it. The tests declare it in src/test/java/com/cookiepay/TestNative.java and run it against a
    // library built with the core's cargo feature test-exports.

    /** Where the library was loaded from: a path, or "jar:" plus the resource name. */
    static String loadedFrom() {
        ensureUsable();
        return LOADED_FROM;
    }

    /**
     * Loads the library if this is the first use; the public entry points call it before their first
     * native call.
     *
     * @throws CookiePayLibraryException the JVM denies native access to this jar
     */
    static void ensureUsable() {
        if (NATIVE_ACCESS_DENIED != null) {
            throw new CookiePayLibraryException("cookiepay: this JVM denies native access, so libcookiepay cannot be loaded ("
                    + NATIVE_ACCESS_DENIED.getMessage() + "). Start the JVM with --enable-native-access=ALL-UNNAMED"
                    + " (Tomcat: CATALINA_OPTS in bin/setenv.sh; an executable jar: the manifest's Enable-Native-Access: ALL-UNNAMED;"
                    + " with this jar on the module path: --enable-native-access=com.cookiepay)", NATIVE_ACCESS_DENIED);
        }
    }

    /**
     * JDK 24+ (JEP 472): System.load by code without native access throws IllegalCallerException
     * under --illegal-native-access=deny. Matched by name: the class is Java 9+ and this jar Java 8.
     */
    private static boolean isNativeAccessDenied(RuntimeException e) {
        return e.getClass().getName().equals("java.lang.IllegalCallerException");
    }

    private static String load() {
        String explicit = firstNonEmpty(System.getProperty(LIBRARY_PROPERTY), System.getenv(LIBRARY_ENV));
        if (explicit != null) {
            String path = new File(explicit).getAbsolutePath();
            try {
                System.load(path);
            } catch (UnsatisfiedLinkError e) {
                String hint = String.valueOf(e.getMessage()).contains("another classloader")
                        ? "; a native library belongs to one class loader: put the cookiepay jar in the server's shared lib/, not in each WEB-INF/lib"
                        : "";
                throw linkError("cannot load " + path + " (from -D" + LIBRARY_PROPERTY + " or " + LIBRARY_ENV + ")" + hint, e);
            }
            checkLibrary(path);
            return path;
        }
        String fileName = System.mapLibraryName("cookiepay");
        String resource = "/native/" + platform() + "/" + fileName;
        InputStream in = Native.class.getResourceAsStream(resource);
        if (in == null) {
            throw linkError("this jar has no native library for " + platform() + " (" + resource
                    + "); build libcookiepay for it and set -D" + LIBRARY_PROPERTY + "=/path/to/" + fileName, null);
        }
        File file = null;
        try {
            // One folder per extraction, the file under its own name: Windows resolves a DLL by name.
            File dir = Files.createTempDirectory("cookiepay-" + platform() + "-").toFile();
            dir.deleteOnExit();
            file = new File(dir, fileName);
            file.deleteOnExit();
            try (OutputStream out = Files.newOutputStream(file.toPath())) {
                copy(in, out);
            }
            System.load(file.getAbsolutePath());
        } catch (RuntimeException e) {
            // Native access denied: nothing was loaded, so leave no copy behind either.
            if (file != null && file.delete()) {
                file.getParentFile().delete();
            }
            throw e;
        } catch (IOException | UnsatisfiedLinkError e) {
            throw linkError("cannot extract or load the packed library to " + (file == null ? "java.io.tmpdir" : file)
                    + " (is java.io.tmpdir writable and not mounted noexec? or set -D" + LIBRARY_PROPERTY + ")", e);
        } finally {
            closeQuietly(in);
        }
        // Linux keeps the mapping of a deleted file: nothing is left behind, even after a crash.
        // (Windows refuses while the DLL is loaded; deleteOnExit then tries again.)
        if (file.delete()) {
            file.getParentFile().delete();
        }
        checkLibrary("jar:" + resource);
        return "jar:" + resource;
    }

    /**
     * Refuse a library of another ABI (an old libcookiepay.so named by the property or the environment
     * under a newer jar), as the C bindings do with cookiepay_abi_version(): a native method it lacks,
     * or implements differently, would fail only when called. Within a Maven build the release is
     * compared too, because the JNI glue must come from the same release as these classes.
     */
    private static void checkLibrary(String from) {
        int abi;
        try {
            abi = abiVersion();
        } catch (UnsatisfiedLinkError e) {
            throw linkError("the library loaded from " + from + " has no Java_com_cookiepay_Native_abiVersion:"
                    + " it is not a libcookiepay for this jar (ABI " + ABI_VERSION + "), or older than it", e);
        }
        if (abi != ABI_VERSION) {
            throw linkError("the library loaded from " + from + " implements cookiepay ABI " + abi + ", but this jar needs ABI "
                    + ABI_VERSION + ". Use the library packed in the jar (unset -D" + LIBRARY_PROPERTY + " and "
                    + LIBRARY_ENV + ") or a jar of the library's release", null);
        }
        String expected = expectedRelease();
        if (expected == null) {
            return;
        }
        String actual = version();
        if (!expected.equals(actual)) {
            throw linkError("the library loaded from " + from + " is libcookiepay " + actual + ", but this jar is "
                    + expected + ": its JNI glue must come from the same release. Use the library packed in the jar"
                    + " (unset -D" + LIBRARY_PROPERTY + " and " + LIBRARY_ENV + ") or the jar of release " + actual, null);
        }
    }

    /** The release these classes were built for (cookiepay-build.properties), or null outside a Maven build. */
    private static String expectedRelease() {
        InputStream in = Native.class.getResourceAsStream("cookiepay-build.properties");
        if (in == null) {
            return null;
        }
        try {
            java.util.Properties properties = new java.util.Properties();
            properties.load(in);
            String version = properties.getProperty("version", "").trim();
            return version.isEmpty() || version.startsWith("${") ? null : version;
        } catch (IOException e) {
            return null;
        } finally {
            closeQuietly(in);
        }
    }

    /**
     * The folder name of the packed library: linux-x86_64, linux-x86_64-musl (Alpine), linux-aarch64,
     * windows-x86_64, windows-x86, macos-aarch64, ...
     */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.startsWith("windows") ? "windows"
                : os.startsWith("mac") ? "macos" : os.replace(' ', '_');
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64"
                : arch.equals("x86") || arch.equals("i386") || arch.equals("i486") || arch.equals("i586") || arch.equals("i686") ? "x86"
                : arch;
        return osName + "-" + archName + (osName.equals("linux") && isMusl() ? "-musl" : "");
    }

    /** Is this JVM linked against musl (Alpine)? Its own memory map names the C library it runs on. */
    private static boolean isMusl() {
        try {
            for (String line : Files.readAllLines(new File("/proc/self/maps").toPath(), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                if (line.contains("ld-musl-") || line.contains("libc.musl-")) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return new File("/lib/ld-musl-" + (System.getProperty("os.arch", "").equals("aarch64") ? "aarch64" : "x86_64") + ".so.1").exists()
                    && !new File("/lib64/ld-linux-x86-64.so.2").exists() && !new File("/lib/ld-linux-aarch64.so.1").exists();
        }
    }

    private static String firstNonEmpty(String a, String b) {
        if (a != null && !a.trim().isEmpty()) {
            return a.trim();
        }
        if (b != null && !b.trim().isEmpty()) {
            return b.trim();
        }
        return null;
    }

    private static UnsatisfiedLinkError linkError(String message, Throwable cause) {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("cookiepay: " + message);
        if (cause != null) {
            error.initCause(cause);
        }
        return error;
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            out.write(buffer, 0, n);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Nothing was written through it.
        }
    }
}
