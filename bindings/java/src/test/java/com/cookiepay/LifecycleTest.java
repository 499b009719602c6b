package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Closing, using after close, and the native boundary's own guards. */
class LifecycleTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    @Test
    void theTestsRunUnderCheckJni() {
        assertTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xcheck:jni"),
                "surefire's argLine must keep -Xcheck:jni");
    }

    @Test
    void closeTwiceIsHarmlessAndUseAfterCloseThrows() {
        CookiePayClient client = fx.sandbox().client();
        client.token();
        assertFalse(client.isClosed());
        client.close();
        client.close();
        assertTrue(client.isClosed());
        assertEquals("CookiePayClient[closed]", client.toString());
        assertThrows(IllegalStateException.class, client::token);
        assertThrows(IllegalStateException.class, () -> client.ready(Sandbox.order(1000)));
        assertThrows(IllegalStateException.class, () -> client.decrypt("x"));
        assertThrows(IllegalStateException.class, () -> client.paycert("x"));
        assertThrows(IllegalStateException.class, () -> client.verify("x", "y", 1L));
        assertThrows(IllegalStateException.class, () -> client.billkeygen(Sandbox.signUp(Sandbox.CARD_OK, 1000, 0)));
        assertThrows(IllegalStateException.class, () -> client.recurringCharge("r", "b"));
        assertThrows(IllegalStateException.class, () -> client.scheduleCancel("r"));
        assertThrows(IllegalStateException.class, () -> client.billkeyDelete("b"));
        assertThrows(IllegalStateException.class, () -> client.cancel("x", "y"));
        assertThrows(IllegalStateException.class, () -> client.paysearch("x"));
        assertThrows(IllegalStateException.class, () -> client.receiptUrl("x"));
        assertThrows(IllegalStateException.class, () -> client.request("/api/paycert", null));
        // Static calls need no client.
        assertEquals("0000", CookiePayClient.parseReturn("RESULTCODE=0000").getString("RESULTCODE"));
        assertEquals("SBX1", CookiePayClient.parseNoti("{\"TID\":\"SBX1\",\"RESULTCODE\":\"0000\"}").getString("TID"));
    }

    @Test
    void tryWithResourcesCloses() {
        CookiePayClient outside;
        try (CookiePayClient client = fx.sandbox().client()) {
            outside = client;
            client.token();
        }
        assertTrue(outside.isClosed());
    }

    @Test
    void closeWaitsForCallsInFlight() throws Exception {
        CookiePayClient client = fx.sandbox().client();
        Sandbox.Paid paid = fx.sandbox().pay(client, 1_500);
        // Counts from other tests of this class would make the wait below return at once.
        fx.sandbox().reset();
        fx.sandbox().fault("paycert", "delay", 1, "delay_ms", 700);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<CookiePayResult> slow = pool.submit(() -> client.paycert(paid.tid));
            // Wait until the request is at the sandbox, then close underneath it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (fx.sandbox().count("paycert") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long closing = System.nanoTime();
            client.close();
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
            // The call holds the lock only around the native call, so the Future may complete a
            // moment after close returns; what matters is that close waited for the native call
            // (the sandbox holds the answer 700 ms after counting the request) and that the call
            // then finished normally on a handle that was not freed under it.
            assertTrue(waitedMs >= 300, "close returned after " + waitedMs + " ms, while the call was still at the sandbox");
            assertEquals(paid.tid, slow.get(10, TimeUnit.SECONDS).getString("TID"), "the running call finished normally");
            assertThrows(IllegalStateException.class, () -> client.paycert(paid.tid));
        } finally {
            pool.shutdownNow();
            fx.sandbox().reset();
        }
    }

    @Test
    void closingWhileManyThreadsCallIsSafe() throws Exception {
        CookiePayClient client = fx.sandbox().client();
        Sandbox.Paid paid = fx.sandbox().pay(client, 1_600);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch running = new CountDownLatch(threads);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<Future<?>>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                running.countDown();
                for (int i = 0; i < 1_000_000; i++) {
                    try {
                        if (i % 2 == 0) {
                            assertEquals(paid.tid, client.paycert(paid.tid).getString("TID"));
                        } else {
                            assertNotNull(client.token().getString("TOKEN"));
                        }
                        ok.incrementAndGet();
                    } catch (IllegalStateException e) {
                        closed.incrementAndGet();
                        return null;
                    }
                }
                return null;
            }));
        }
        running.await();
        Thread.sleep(200);
        client.close();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(ok.get() > 0, "calls ran before close");
        assertEquals(threads, closed.get(), "every thread saw IllegalStateException after close");
    }

    @Test
    void theNativeBoundaryRejectsBadHandlesAndOperations() {
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> Native.call(0, Native.OP_TOKEN, "{}"));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        Native.clientFree(0); // ignored

        String[] error = new String[1];
        long handle = Native.clientNew(Json.write(fx.sandbox().config()), error);
        assertNotEquals(0, handle);
        assertNull(error[0]);
        try {
            assertThrows(IllegalArgumentException.class, () -> Native.call(handle, 99, "{}"));
            assertThrows(IllegalArgumentException.class, () -> Native.call(handle, -1, "{}"));
            String nullRequest = Native.call(handle, Native.OP_TOKEN, null);
            assertTrue(nullRequest.contains("\"invalid_argument\""), nullRequest);
            assertTrue(Native.call(handle, Native.OP_TOKEN, "{\"force_refresh\":\"yes\"}").contains("\"invalid_argument\""));
            assertTrue(Native.call(handle, Native.OP_TOKEN, "not json").contains("\"invalid_argument\""));
        } finally {
            Native.clientFree(handle);
        }
    }

    @Test
    void clientNewReportsThroughErrorOut() {
        String[] error = new String[1];
        assertEquals(0, Native.clientNew("{", error));
        assertTrue(error[0].contains("\"invalid_argument\""), error[0]);
        assertEquals(0, Native.clientNew(null, error));
        assertTrue(error[0].contains("NULL"), error[0]);
        assertThrows(IllegalArgumentException.class, () -> Native.clientNew("{}", null));
    }

    @Test
    void aFailedJniCallInsideTheGlueBecomesAnException() {
        // Storing the error into an empty array fails inside the native method (the JVM raises
        // ArrayIndexOutOfBoundsException there): the glue must stop and raise, not crash or go on.
        RuntimeException e = assertThrows(RuntimeException.class, () -> Native.clientNew("{", new String[0]));
        assertTrue(e.getMessage().startsWith("cookiepay: a JNI call failed"), e.getMessage());
        // The thread is fine afterwards.
        assertEquals(CookiePayClient.version(), Native.version());
    }

    @Test
    void theProductionLibraryHasNoTestExports() {
        // The deliberate panic is exported only by a library built with --features test-exports
        // (PanicTest runs against that one). The library under test here is the one shops get.
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, TestNative::selfTestPanic);
        assertTrue(String.valueOf(e.getMessage()).contains("selfTestPanic"), e.getMessage());
    }
}
