package com.cookiepay;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;

/** Runs in a child JVM for LoadingTest, so each case starts with a fresh, unloaded library. */
public final class ChildProbe {
    private ChildProbe() {}

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
                    try {
                        CookiePayClient.unwrap(Native.selfTestPanic());
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
