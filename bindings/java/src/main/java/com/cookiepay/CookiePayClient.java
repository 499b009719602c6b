package com.cookiepay;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A CookiePay client for one credential pair (연동 id and key). Create one per application and
 * share it: any number of threads may call it at once (the native client pools connections and
 * shares one TOKEN). Close it when the application stops; calls running at that moment finish
 * first, later calls throw {@link IllegalStateException}.
 *
 * <p>Every method returns a {@link CookiePayResult} or throws a {@link CookiePayException} subclass
 * for the error's kind. Config keys, request fields and answers are those of the repository
 * README's C API: this class only carries them across.
 *
 * <pre>{@code
 * Map<String, Object> config = new HashMap<>();
 * config.put("env", "sandbox");
 * config.put("api_id", "...");
 * config.put("api_key", "...");
 * try (CookiePayClient client = new CookiePayClient(config)) {
 *     CookiePayResult window = client.ready(order);   // window.getString("html") → the browser
 * }
 * }</pre>
 */
public final class CookiePayClient implements AutoCloseable {
    private static final String BINDING = "java/" + System.getProperty("java.version");

    /** Calls share the read lock; close takes the write lock, so it never frees a handle in use. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long handle; // guarded by lock; 0 once closed

    /**
     * Create a client from the config of the repository README ({@code env} or {@code base_url},
     * {@code api_id}, {@code api_key}, timeouts, {@code ca_cert_pem}, …). {@code binding} is set to
     * {@code java/<java.version>} unless given. Nothing connects yet.
     *
     * @throws CookiePayValidationException listing every bad config key
     */
    public CookiePayClient(Map<String, ?> config) {
        if (config == null) {
            throw new NullPointerException("config");
        }
        Map<String, Object> full = new LinkedHashMap<String, Object>(config);
        if (!full.containsKey("binding")) {
            full.put("binding", BINDING);
        }
        String[] error = new String[1];
        long created = Native.clientNew(Json.write(full), error);
        if (created == 0) {
            throw failure(error[0]);
        }
        handle = created;
    }

    /** A TOKEN, cached until shortly before it expires: {@code TOKEN}, {@code expires_at}, {@code cached}. */
    public CookiePayResult token() {
        return token(false);
    }

    /** A TOKEN; {@code forceRefresh} asks CookiePay for a new one. */
    public CookiePayResult token(boolean forceRefresh) {
        Map<String, Object> request = new LinkedHashMap<String, Object>();
        if (forceRefresh) {
            request.put("force_refresh", Boolean.TRUE);
        }
        return call(Native.OP_TOKEN, request);
    }

    /**
     * Open the payment window for an order (the manual's fields: ORDERNO, PRODUCTNAME, AMOUNT,
     * BUYERNAME, RETURNURL, …) → {@code html}, {@code ORDERNO}, {@code AMOUNT}. Validated first, sent
     * exactly once (never retried).
     */
    public CookiePayResult ready(Map<String, ?> order) {
        return call(Native.OP_READY, order);
    }

    /** Decrypt the ENC_DATA of a return post → the payment ({@code TID}, {@code BILLKEY}, {@code AMOUNT}, …). */
    public CookiePayResult decrypt(String encData) {
        return call(Native.OP_DECRYPT, Collections.singletonMap("ENC_DATA", encData));
    }

    /** Look a payment up by its TID → the paycert fields. */
    public CookiePayResult paycert(String tid) {
        return call(Native.OP_PAYCERT, Collections.singletonMap("tid", tid));
    }

    /**
     * The tamper check (결제정보 검증): paycert, then compare with the stored order.
     *
     * @throws CookiePayVerificationFailedException when a field differs or the payment was cancelled
     */
    public CookiePayResult verify(String tid, String expectedOrderNo, long expectedAmount) {
        return verify(tid, expected(expectedOrderNo, Long.valueOf(expectedAmount)));
    }

    /** As {@link #verify(String, String, long)}, with the amount as stored (digits). */
    public CookiePayResult verify(String tid, String expectedOrderNo, String expectedAmount) {
        return verify(tid, expected(expectedOrderNo, expectedAmount));
    }

    /** As {@link #verify(String, String, long)}, comparing every key of {@code expected}. */
    public CookiePayResult verify(String tid, Map<String, ?> expected) {
        Map<String, Object> request = new LinkedHashMap<String, Object>();
        request.put("tid", tid);
        request.put("expected", expected);
        return call(Native.OP_VERIFY, request);
    }

    private static Map<String, Object> expected(String orderNo, Object amount) {
        Map<String, Object> expected = new LinkedHashMap<String, Object>();
        expected.put("ORDERNO", orderNo);
        expected.put("AMOUNT", amount);
        return expected;
    }

    /**
     * Parse the raw {@code application/x-www-form-urlencoded} body posted to RETURNURL →
     * {@code encrypted}, {@code success}, {@code API_ID}, {@code RESULTCODE}, {@code RESULTMSG},
     * {@code ENC_DATA}. Pass the body exactly as received ({@code request.getInputStream()}), not
     * {@code getParameter}, which decodes with the container's charset. No network, no client.
     */
    public static CookiePayResult parseReturn(byte[] rawBody) {
        return unwrap(Native.parseReturn(rawBody));
    }

    /** As {@link #parseReturn(byte[])}, for a body already read as text (encoded back as UTF-8). */
    public static CookiePayResult parseReturn(String rawBody) {
        return parseReturn(rawBody == null ? null : rawBody.getBytes(StandardCharsets.UTF_8));
    }

    /** The native library's version, e.g. {@code 0.1.0}. */
    public static String version() {
        return Native.version();
    }

    /** Release the native client. Waits for calls in progress; closing twice does nothing. */
    @Override
    public void close() {
        Lock write = lock.writeLock();
        write.lock();
        try {
            if (handle != 0) {
                Native.clientFree(handle);
                handle = 0;
            }
        } finally {
            write.unlock();
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        Lock read = lock.readLock();
        read.lock();
        try {
            return handle == 0;
        } finally {
            read.unlock();
        }
    }

    @Override
    public String toString() {
        return isClosed() ? "CookiePayClient[closed]" : "CookiePayClient[open]";
    }

    private CookiePayResult call(int op, Map<String, ?> request) {
        String requestJson = request == null ? "null" : Json.write(request);
        String envelope;
        Lock read = lock.readLock();
        read.lock();
        try {
            if (handle == 0) {
                throw new IllegalStateException("this CookiePayClient is closed");
            }
            envelope = Native.call(handle, op, requestJson);
        } finally {
            read.unlock();
        }
        return unwrap(envelope);
    }

    /** The data of a success envelope, or the exception of an error envelope. */
    static CookiePayResult unwrap(String envelope) {
        Map<String, Object> parsed = parseEnvelope(envelope);
        if (Boolean.TRUE.equals(parsed.get("ok"))) {
            return new CookiePayResult(Json.asMap(parsed.get("data")), envelope);
        }
        throw CookiePayException.of(Json.asMap(parsed.get("error")), envelope);
    }

    private static CookiePayException failure(String envelope) {
        return CookiePayException.of(Json.asMap(parseEnvelope(envelope).get("error")), envelope);
    }

    private static Map<String, Object> parseEnvelope(String envelope) {
        Object parsed;
        try {
            parsed = envelope == null ? null : Json.parse(envelope);
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        if (!(parsed instanceof Map)) {
            // The library always answers an envelope; anything else is a bug on this side.
            Map<String, Object> error = new LinkedHashMap<String, Object>();
            error.put("kind", "internal");
            error.put("message", "the native library returned no envelope");
            Map<String, Object> wrapped = new LinkedHashMap<String, Object>();
            wrapped.put("ok", Boolean.FALSE);
            wrapped.put("error", error);
            return wrapped;
        }
        return Json.asMap(parsed);
    }
}
