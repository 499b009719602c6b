package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The config's "logger": one record per HTTP exchange, never a secret (issue 22, item 5). */
class LoggerTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    @Test
    void everyExchangeIsRecordedWithoutASecret() {
        List<Map<String, Object>> records = Collections.synchronizedList(new ArrayList<Map<String, Object>>());
        Map<String, Object> config = fx.sandbox().config();
        config.put("logger", (Consumer<Map<String, Object>>) records::add);
        Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_OK, 7_700, 12);
        String billkey;
        String token;
        try (CookiePayClient client = new CookiePayClient(config)) {
            CookiePayResult signUp = client.billkeygen(request);
            billkey = signUp.getString("BILLKEY");
            client.recurringCharge(signUp.getString("RESERVE_ID"), billkey);
            token = client.token().getString("TOKEN");
        }
        assertNotNull(billkey);
        assertNotNull(token);

        // recurring_charge makes three exchanges (TOKEN, charge, decrypt of its answer): the charge's own.
        Map<String, Object> charge = only(records, "recurring_charge", "/Subscribe/recurrence_request_payment");
        assertEquals("POST", charge.get("method"));
        assertTrue(((String) charge.get("path")).startsWith("/"), charge.toString());
        assertEquals(200, ((Number) charge.get("status")).intValue());
        assertEquals(1, ((Number) charge.get("attempt")).intValue());
        assertEquals("answered", charge.get("outcome"));
        assertTrue(((Number) charge.get("duration_ms")).longValue() >= 0);
        assertFalse(records.stream().noneMatch(r -> "billkeygen".equals(r.get("operation"))), records.toString());

        String all = records.toString();
        for (String secret : new String[] {(String) config.get("api_key"), token, billkey,
                (String) request.get("CARDNO"), (String) request.get("CARDAUTH")}) {
            assertFalse(all.contains(secret), "a record shows a secret: " + all);
        }
        assertFalse(all.contains("CARD"), all);
    }

    @Test
    void aJavaUtilLoggingLoggerGetsFineRecordsAndAThrowingListenerBreaksNothing() {
        Logger jul = Logger.getLogger("com.cookiepay.test.LoggerTest");
        List<LogRecord> seen = Collections.synchronizedList(new ArrayList<LogRecord>());
        Handler handler = new Handler() {
            @Override public void publish(LogRecord record) { seen.add(record); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        jul.setUseParentHandlers(false);
        jul.setLevel(Level.ALL);
        jul.addHandler(handler);
        Map<String, Object> config = fx.sandbox().config();
        config.put("logger", jul);
        try (CookiePayClient client = new CookiePayClient(config)) {
            client.token(true);
        } finally {
            jul.removeHandler(handler);
        }
        assertEquals(1, seen.size(), seen.toString());
        assertEquals(Level.FINE, seen.get(0).getLevel());
        assertTrue(seen.get(0).getMessage().startsWith("cookiepay token POST "), seen.get(0).getMessage());

        Map<String, Object> throwing = fx.sandbox().config();
        throwing.put("logger", (Consumer<Map<String, Object>>) r -> { throw new IllegalStateException("logger down"); });
        try (CookiePayClient client = new CookiePayClient(throwing)) {
            assertNotNull(client.token(true).getString("TOKEN"));
        }
    }

    @Test
    void eachThreadGetsTheRecordsOfItsOwnCalls() throws Exception {
        List<String> wrongThread = Collections.synchronizedList(new ArrayList<String>());
        java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
        ThreadLocal<Integer> mine = ThreadLocal.withInitial(() -> 0);
        Map<String, Object> config = fx.sandbox().config();
        config.put("logger", (Consumer<Map<String, Object>>) r -> {
            delivered.incrementAndGet();
            mine.set(mine.get() + 1);
        });
        int threads = 6;
        int calls = 5;
        try (CookiePayClient client = new CookiePayClient(config)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            List<java.util.concurrent.Future<?>> done = new ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    mine.set(0);
                    for (int i = 0; i < calls; i++) {
                        client.token(true);
                        // One exchange per forced TOKEN: delivered here, on this thread, before it returns.
                        if (mine.get() != i + 1) {
                            wrongThread.add(Thread.currentThread().getName() + " saw " + mine.get() + " after " + (i + 1));
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
        }
        assertEquals(threads * calls, delivered.get());
        assertTrue(wrongThread.isEmpty(), wrongThread.toString());
    }

    @Test
    void aLoggerOfAnotherTypeIsRefused() {
        Map<String, Object> config = fx.sandbox().config();
        config.put("logger", "stdout");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CookiePayClient(config));
        assertTrue(e.getMessage().contains("logger"), e.getMessage());
    }

    private static Map<String, Object> only(List<Map<String, Object>> records, String operation, String path) {
        List<Map<String, Object>> found = new ArrayList<Map<String, Object>>();
        synchronized (records) {
            for (Map<String, Object> r : records) {
                if (operation.equals(r.get("operation")) && path.equals(r.get("path"))) {
                    found.add(r);
                }
            }
        }
        assertEquals(1, found.size(), "one record per exchange: " + records);
        return found.get(0);
    }
}
