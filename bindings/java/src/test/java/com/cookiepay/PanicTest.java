package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Rust panic inside the native boundary becomes a CookiePayInternalException and the JVM carries
 * on. Needs the library built with the core's cargo feature {@code test-exports} (the only one
 * exporting the deliberate panic): surefire runs this class alone in its own JVM (execution
 * {@code test-exports} in pom.xml) with -Dcookiepay.library.path set from
 * -Dcookiepay.test.exports.lib, which test.sh takes from COOKIEPAY_TEST_EXPORTS_LIB.
 */
class PanicTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    private static String library;

    @BeforeAll
    static void theTestExportsLibraryIsTheOneLoaded() {
        library = System.getProperty(Native.LIBRARY_PROPERTY, "").trim();
        if (library.isEmpty() || !new File(library).isFile()) {
            fail("PanicTest needs the library built with --features test-exports: set COOKIEPAY_TEST_EXPORTS_LIB for test.sh "
                    + "(or -Dcookiepay.test.exports.lib for mvn); got -D" + Native.LIBRARY_PROPERTY + "='" + library + "'");
        }
        assertEquals(new File(library).getAbsolutePath(), Native.loadedFrom());
        try {
            TestNative.selfTestPanic();
        } catch (UnsatisfiedLinkError e) {
            fail(library + " has no test exports: build it with `cargo build --release -p cookiepay --features test-exports`", e);
        }
    }

    private static String everything(CookiePayException e) {
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        return e.getMessage() + "\n" + trace + "\n" + e.getRawJson();
    }

    @Test
    void aPanicBecomesAnInternalErrorWithoutItsMessage() {
        for (int i = 0; i < 3; i++) {
            String envelope = TestNative.selfTestPanic();
            assertTrue(envelope.contains("\"kind\":\"internal\""), envelope);
            CookiePayInternalException e = assertThrows(CookiePayInternalException.class, () -> CookiePayClient.unwrap(TestNative.selfTestPanic()));
            assertEquals("internal", e.getKind());
            assertNotNull(e.getMessage());
            assertFalse(everything(e).contains("deliberate"), "the panic message stays inside the library");
        }
    }

    @Test
    void theJvmAndTheLibraryCarryOnAfterAPanic() {
        assertThrows(CookiePayInternalException.class, () -> CookiePayClient.unwrap(TestNative.selfTestPanic()));
        Sandbox.Paid paid = fx.sandbox().pay(fx.client(), 1_000);
        assertEquals(paid.tid, fx.client().paycert(paid.tid).getString("TID"));
        try (CookiePayClient other = fx.sandbox().client()) {
            assertNotNull(other.token().getString("TOKEN"));
        }
    }

    @Test
    void aPanicInAChildJvmIsCaughtAndItsMessageStaysQuiet() throws Exception {
        ChildProbe.Result child = ChildProbe.run("panic", null, "-D" + Native.LIBRARY_PROPERTY + "=" + library);
        assertEquals(0, child.exit, child.err);
        assertTrue(child.out.contains("caught=CookiePayInternalException"), child.out + child.err);
        assertTrue(child.out.contains("alive-after-panic="), child.out);
        assertTrue(child.err.contains("cookiepay: internal error at"), child.err);
        assertFalse(child.err.contains("deliberate"), "the panic's own message must not be printed: " + child.err);
        assertFalse(child.out.contains("WARNING in native method"), child.out);
    }
}
