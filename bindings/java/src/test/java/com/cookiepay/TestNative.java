package com.cookiepay;

/**
 * The test-only native export, kept off the production surface ({@link Native}): the core exports
 * {@code Java_com_cookiepay_TestNative_selfTestPanic} only when built with the cargo feature
 * {@code test-exports}. JNI finds it in the library {@link Native} loaded, which must therefore be
 * that build (-Dcookiepay.library.path, see PanicTest and test.sh); against the production
 * library the call throws UnsatisfiedLinkError.
 */
final class TestNative {
    static {
        Native.loadedFrom(); // load the library first: JNI looks the symbol up in it
    }

    private TestNative() {}

    /** Panics inside the native boundary → the {@code internal} error envelope. */
    static native String selfTestPanic();
}
