package com.cookiepay;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM (under -Xcheck:jni), so each case starts with a fresh, unloaded library:
 * {@link #run} starts one from a test (LoadingTest, PanicTest); {@link #main} is what it runs.
 */
public final class ChildProbe {
    private ChildProbe() {}

    /** Output, stderr and exit status of a child JVM. */
    static final class Result {
        final String out;
        final String err;
        final int exit;

        Result(String out, String err, int exit) {
            this.out = out;
            this.err = err;
            this.exit = exit;
        }
    }

    /**
     * A child JVM running {@code main(mode)} with this test run's classes, a private
     * java.io.tmpdir, COOKIEPAY_LIB set to {@code libEnv} (or unset) and the extra JVM arguments.
     */
    static Result run(String mode, String libEnv, String... jvmArgs) throws Exception {
        Path tmp = Files.createTempDirectory("cookiepay-child");
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
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child JVM (" + mode + ") hung");
            }
            return new Result(read(out), read(err), process.exitValue());
        } finally {
            File[] files = tmp.toFile().listFiles();
            for (File f : files == null ? new File[0] : files) {
                f.delete();
            }
            tmp.toFile().delete();
        }
    }

    private static String location(Class<?> type) throws Exception {
        return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    private static String read(File f) throws IOException {
        return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        try {
            switch (mode) {
                case "where":
                    System.out.println("loaded-from=" + Native.loadedFrom());
                    System.out.println("version=" + CookiePayClient.version());
                    File[] left = new File(System.getProperty("java.io.tmpdir")).listFiles((dir, name) -> name.startsWith("cookiepay-"));
                    System.out.println("temp-files-left=" + (left == null ? 0 : left.length));
                    break;
                case "panic":
                    // Needs the test-exports library (-Dcookiepay.library.path=…).
                    try {
                        CookiePayClient.unwrap(TestNative.selfTestPanic());
                    } catch (CookiePayException e) {
                        System.out.println("caught=" + e.getClass().getSimpleName());
                    }
                    System.out.println("alive-after-panic=" + CookiePayClient.version());
                    break;
                case "two-loaders":
                    // Like two web applications on one Tomcat, each with the jar in WEB-INF/lib.
                    URL classes = Native.class.getProtectionDomain().getCodeSource().getLocation();
                    for (int app = 1; app <= 2; app++) {
                        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getSystemClassLoader().getParent())) {
                            Object version = Class.forName("com.cookiepay.CookiePayClient", true, loader).getMethod("version").invoke(null);
                            System.out.println("app" + app + "=" + version);
                        } catch (InvocationTargetException e) {
                            System.out.println("app" + app + "-error=" + e.getCause());
                        }
                    }
                    break;
                default:
                    throw new IllegalArgumentException(mode);
            }
        } catch (UnsatisfiedLinkError e) {
            System.out.println("link-error=" + e.getMessage());
        }
    }
}
