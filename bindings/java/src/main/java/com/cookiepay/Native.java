package com.cookiepay;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Locale;

/**
 * The JNI declarations (implemented in the Rust core's src/jni.rs) and the loading of
 * libcookiepay.so. Loaded once per class loader, i.e. once per JVM when the jar sits in the
 * server's shared lib/ (see README: a native library belongs to one class loader).
 *
 * <p>Where the library comes from, first match wins:
 * <ol>
 *   <li>the system property {@value #LIBRARY_PROPERTY} (an absolute path to libcookiepay.so);</li>
 *   <li>the environment variable {@value #LIBRARY_ENV};</li>
 *   <li>the copy packed in this jar for the running platform, extracted to a temporary file.</li>
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

    private static final String LOADED_FROM = load();

    private Native() {}

    /** A client handle, or 0 with the error envelope stored in errorOut[0]. */
    static native long clientNew(String configJson, String[] errorOut);

    /** Releases a handle; 0 is ignored. Never while a call on it runs. */
    static native void clientFree(long handle);

    /** One operation: the JSON envelope. A 0 handle throws IllegalStateException. */
    static native String call(long handle, int op, String requestJson);

    /** The raw body posted to RETURNURL → the JSON envelope. */
    static native String parseReturn(byte[] formBody);

    /** The raw JSON body CookiePay posts to the 통지 URL → the JSON envelope. No client. */
    static native String parseNoti(byte[] body);

    static native String version();

    // The test-only export (a deliberate panic) is not here: the production library does not have
    // it. The tests declare it in src/test/java/com/cookiepay/TestNative.java and run it against a
    // library built with the core's cargo feature test-exports.

    /** Where the library was loaded from: a path, or "jar:" plus the resource name. */
    static String loadedFrom() {
        return LOADED_FROM;
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
            return path;
        }
        String resource = "/native/" + platform() + "/libcookiepay.so";
        InputStream in = Native.class.getResourceAsStream(resource);
        if (in == null) {
            throw linkError("this jar has no native library for " + platform() + " (" + resource
                    + "); build libcookiepay for it and set -D" + LIBRARY_PROPERTY + "=/path/to/libcookiepay.so", null);
        }
        File file = null;
        try {
            file = File.createTempFile("cookiepay-", ".so");
            file.deleteOnExit();
            try (OutputStream out = Files.newOutputStream(file.toPath())) {
                copy(in, out);
            }
            System.load(file.getAbsolutePath());
        } catch (IOException | UnsatisfiedLinkError e) {
            throw linkError("cannot extract or load the packed library to " + (file == null ? "java.io.tmpdir" : file)
                    + " (is java.io.tmpdir writable and not mounted noexec? or set -D" + LIBRARY_PROPERTY + ")", e);
        } finally {
            closeQuietly(in);
        }
        // Linux keeps the mapping of a deleted file: nothing is left behind, even after a crash.
        if (!file.delete()) {
            file.deleteOnExit();
        }
        return "jar:" + resource;
    }

    /** The folder name of the packed library, e.g. linux-x86_64. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.startsWith("windows") ? "windows"
                : os.startsWith("mac") ? "macos" : os.replace(' ', '_');
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return osName + "-" + archName;
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
