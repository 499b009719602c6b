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
        List<String> args = new ArrayList<String>(inheritedJvmArgs());
        args.addAll(Arrays.asList(jvmArgs));
        return runOn(System.getProperty("java.home"), mode, libEnv, args.toArray(new String[0]));
    }

    /**
     * The suite's own native-access flag (test.child.jvm.args: the JDK 25 run's
     * --enable-native-access=ALL-UNNAMED), so a child JVM runs as the suite does.
     */
    static List<String> inheritedJvmArgs() {
        String args = System.getProperty("test.child.jvm.args", "").trim();
        return args.isEmpty() ? new ArrayList<String>() : Arrays.asList(args.split("\\s+"));
    }

    /** As {@link #run}, on the JDK at {@code javaHome} and with exactly the JVM arguments given. */
    static Result runOn(String javaHome, String mode, String libEnv, String... jvmArgs) throws Exception {
        List<String> launch = new ArrayList<String>(Arrays.asList(jvmArgs));
        launch.add("-cp");
        launch.add(location(ChildProbe.class) + File.pathSeparator + location(Native.class));
        launch.add(ChildProbe.class.getName());
        launch.add(mode);
        return start(javaHome, libEnv, launch);
    }

    /** {@code java -jar jar mode} on the JDK at {@code javaHome}: a jar whose Main-Class is this class. */
    static Result runJar(String javaHome, File jar, String mode) throws Exception {
        return start(javaHome, null, Arrays.asList("-jar", jar.getPath(), mode));
    }

    private static Result start(String javaHome, String libEnv, List<String> launch) throws Exception {
        Path tmp = Files.createTempDirectory("cookiepay-child");
        try {
            List<String> command = new ArrayList<String>();
            command.add(new File(javaHome, "bin/java").getPath());
            command.add("-Xcheck:jni");
            command.add("-Djava.io.tmpdir=" + tmp);
            command.addAll(launch);
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
                throw new AssertionError("child JVM " + launch + " hung");
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

    /** Extracted copies of the library still in this JVM's java.io.tmpdir. */
    private static void printTempFilesLeft() {
        File[] left = new File(System.getProperty("java.io.tmpdir")).listFiles((dir, name) -> name.startsWith("cookiepay-"));
        System.out.println("temp-files-left=" + (left == null ? 0 : left.length));
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        try {
            switch (mode) {
                case "where":
                    System.out.println("loaded-from=" + Native.loadedFrom());
                    System.out.println("version=" + CookiePayClient.version());
                    printTempFilesLeft();
                    break;
                case "client":
                    // Every public entry point, twice: a JVM that denies native access must get the
                    // same CookiePayLibraryException each time, not a NoClassDefFoundError later.
                    for (int attempt = 1; attempt <= 2; attempt++) {
                        try {
                            Map<String, Object> config = new java.util.HashMap<String, Object>();
                            config.put("base_url", "http://127.0.0.1:9");
                            config.put("api_id", "probe");
                            config.put("api_key", "probe-key");
                            new CookiePayClient(config).close();
                            System.out.println("client" + attempt + "=created");
                        } catch (CookiePayLibraryException e) {
                            System.out.println("client" + attempt + "-library-error=" + e.getMessage());
                            System.out.println("client" + attempt + "-kind=" + e.getKind() + " cause=" + e.getCause().getClass().getName());
                        }
                        try {
                            System.out.println("version" + attempt + "=" + CookiePayClient.version());
                        } catch (CookiePayLibraryException e) {
                            System.out.println("version" + attempt + "-library-error=" + e.getMessage());
                        }
                        try {
                            System.out.println("parse-return" + attempt + "=" + CookiePayClient.parseReturn("RESULTCODE=0000").getString("RESULTCODE"));
                        } catch (CookiePayLibraryException e) {
                            System.out.println("parse-return" + attempt + "-library-error=" + e.getMessage());
                        }
                        try {
                            System.out.println("parse-noti" + attempt + "=" + CookiePayClient.parseNoti("{\"TID\":\"T1\"}").getString("kind"));
                        } catch (CookiePayLibraryException e) {
                            System.out.println("parse-noti" + attempt + "-library-error=" + e.getMessage());
                        }
                    }
                    printTempFilesLeft();
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
        } catch (Throwable e) {
            // Anything else (an ExceptionInInitializerError, a raw IllegalCallerException) is named.
            System.out.println("other-error=" + e);
            throw e;
        }
    }
}
