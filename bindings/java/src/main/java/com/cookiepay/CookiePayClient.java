package com.cookiepay;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
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
 * <p>The authenticated window flow: {@link #ready}, {@link #parseReturn}, {@link #decrypt},
 * {@link #verify}. Subscriptions without the window: {@link #billkeygen} (billing key, first
 * charge, schedule), {@link #recurringCharge}, {@link #scheduleCancel}, {@link #billkeyDelete};
 * refunds: {@link #cancel}; lookups: {@link #paycert}, {@link #paysearch}, {@link #receiptUrl};
 * the 통지 (Noti) body: {@link #confirmNoti} (CookiePay's facts), {@link #parseNoti} (the
 * claims); anything else: {@link #request}. The money calls (billkeygen, recurringCharge,
 * cancel, request) are sent exactly once, never retried.
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
    private final ExchangeLog logger; // null: no "logger" in the config

    /**
     * Create a client from the config of the repository README ({@code env} or {@code base_url},
     * {@code api_id}, {@code api_key}, timeouts, {@code ca_cert_pem}, …). {@code binding} is set to
     * {@code java/<java.version>} unless given. {@code logger}: a {@link java.util.logging.Logger} or a
     * {@code Consumer<Map<String, Object>>} that gets one record per HTTP exchange (see
     * {@link ExchangeLog}). Nothing connects yet.
     *
     * @throws CookiePayValidationException listing every bad config key
     * @throws CookiePayLibraryException the JVM denies native access (JDK 24+): the message names the flag
     */
    public CookiePayClient(Map<String, ?> config) {
        if (config == null) {
            throw new NullPointerException("config");
        }
        Map<String, Object> full = new LinkedHashMap<String, Object>(config);
        if (!full.containsKey("binding")) {
            full.put("binding", BINDING);
        }
        // The logger stays on this side: the core config is JSON.
        logger = ExchangeLog.of(full.remove("logger"));
        Native.ensureUsable();
        String[] error = new String[1];
        long created = logger == null
                ? Native.clientNew(Json.write(full), error)
                : Native.clientNewObserved(Json.write(full), error);
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

    // ---- subscriptions (정기결제): billing key, schedule, charges ----

    /**
     * Issue a billing key with a first charge (비인증 정기결제, {@code /Subscribe/billkeygen}), and
     * optionally register a recurring schedule in the same call.
     *
     * <p>{@code request} holds the order fields as for {@link #ready} but without RETURNURL
     * ({@code ORDERNO}, {@code PRODUCTNAME}, {@code AMOUNT}, {@code BUYERNAME}, optional
     * {@code BUYEREMAIL}, {@code BUYERID}, {@code BUYERADDRESS}, {@code BUYERPHONE},
     * {@code PRODUCTCODE}, {@code ETC1}–{@code ETC5}), the card ({@code CARDNO}, {@code EXPIREDT} as
     * YYMM, {@code CARDAUTH}: 6-digit birth date or 10-digit business number, {@code CARDPWD}: the
     * first 2 digits of the PIN, {@code QUOTA}: {@code "00"} for 일시불) and, for a schedule,
     * {@code RECURRENCE_PAY} {@code "Y"}, {@code RECURRENCE_TYPE} ({@code "M"}/{@code "W"}),
     * {@code PAY_DAY}, {@code START_PAY_CNT}, {@code LAST_PAY_CNT}. {@code API_ID} is filled in.
     *
     * <p>The card fields are checked before anything is sent (Luhn, EXPIREDT not past, CARDAUTH 6
     * or 10 digits, CARDPWD 2 digits): a {@link CookiePayValidationException} names every bad field
     * and nothing, not even a TOKEN request, reaches the network. Card data never appears in an
     * exception or a result's {@code toString()}.
     *
     * <p>The answer has every field CookiePay sent ({@code BILLKEY}, {@code TID}, {@code GENDATE},
     * {@code RESERVE_ID}, {@code RESERVE_*}, …) plus {@code charged} ({@code true}) and
     * {@code scheduled}: {@code true}, {@code null} when no schedule was asked for, or
     * {@code false} when the card <em>was charged</em> but the schedule could not be registered
     * ({@code RESERVE_RESULTCODE}/{@code RESERVE_RESULTMSG} say why). Then do not call this again
     * for the same sign-up: the buyer has paid; register the schedule another way or charge with
     * {@link #recurringCharge} later.
     *
     * <p>A money call: sent exactly once, never retried. A failure with outcome {@code unknown}
     * ({@link CookiePayException#isOutcomeUnknown()}: a timeout, a lost connection, a 5xx or
     * unreadable answer) means the card may have been charged: settle it with {@link #paysearch(LocalDate, LocalDate)} (or your ORDERNO in the
     * payments) before trying again.
     *
     * @throws CookiePayApiException a declined card ({@code getCode()}, e.g. {@code C001})
     * @throws CookiePayValidationException bad order or card fields, nothing sent
     */
    public CookiePayResult billkeygen(Map<String, ?> request) {
        return call(Native.OP_BILLKEYGEN, request);
    }

    /**
     * Charge a registered schedule now ({@code /Subscribe/recurrence_request_payment}): e.g. to
     * retry a cycle whose scheduled charge was declined. → the decrypted payment: {@code RESULTCODE},
     * {@code TID}, {@code ORDERNO} (made by CookiePay, {@code SRS…}), {@code AMOUNT},
     * {@code PAY_CNT}, {@code NEXT_PAY_DATE}, … (aliased names under both spellings).
     *
     * <p>A money call: sent exactly once, never retried; outcome {@code unknown} on a timeout or a
     * lost connection means: look the charge up with {@link #paysearch} before charging again.
     *
     * @throws CookiePayApiException declined ({@code getLayer()} {@code inner}, {@code getCode()}
     *         the card company's code), or {@code E103} when the schedule was cancelled
     */
    public CookiePayResult recurringCharge(String reserveId, String billkey) {
        Map<String, Object> request = new LinkedHashMap<String, Object>();
        request.put("RESERVE_ID", reserveId);
        request.put("BILLKEY", billkey);
        return call(Native.OP_RECURRING_CHARGE, request);
    }

    /**
     * Stop a recurring schedule ({@code /Subscribe/recurrence_schedule_cancel}). Cancelling one
     * that is already cancelled is not an error: CookiePay's {@code E103} answer comes back as
     * success with {@code already_cancelled} {@code true} and {@code cancelled_at}
     * ({@code "YYYY-MM-DD HH:MM:SS"}, or null). To end a subscription completely, also delete the
     * billing key ({@link #billkeyDelete}). Sent once (never retried): on outcome {@code unknown}
     * send it again — {@code already_cancelled} says whether the lost one had cancelled it.
     */
    public CookiePayResult scheduleCancel(String reserveId) {
        return call(Native.OP_SCHEDULE_CANCEL, Collections.singletonMap("RESERVE_ID", reserveId));
    }

    /**
     * Delete (폐기) a billing key ({@code /Subscribe/billingkeycancel}) → CookiePay's fields. Its
     * schedules are not cancelled by this (call {@link #scheduleCancel} first). Deleting a key
     * that is already deleted is a {@link CookiePayApiException} (the sandbox's code: {@code E064})
     * whose hint says it was disposed of before this call. Sent once (never retried): on outcome
     * {@code unknown} check the key in CookiePay's dashboard (no public answer tells).
     */
    public CookiePayResult billkeyDelete(String billkey) {
        return call(Native.OP_BILLKEY_DELETE, Collections.singletonMap("BILLKEY", billkey));
    }

    // ---- refunds, lookups ----

    /**
     * Cancel (refund) a whole payment. As {@link #cancel(String, String, Long, String, String, String)}.
     */
    public CookiePayResult cancel(String tid, String reason) {
        return cancel(tid, reason, null, null, null, null);
    }

    /**
     * Cancel a payment, partly when {@code amount} is given (null: the whole payment). As
     * {@link #cancel(String, String, Long, String, String, String)}.
     */
    public CookiePayResult cancel(String tid, String reason, Long amount) {
        return cancel(tid, reason, amount, null, null, null);
    }

    /**
     * Cancel (refund) a payment ({@code /api/cancel}) → {@code cancel_tid}, {@code cancel_code},
     * {@code cancel_msg}, {@code cancel_date}, {@code cancel_amt} and {@code already_cancelled}:
     * a payment CookiePay reports as already cancelled ("이미 취소", "원거래 기취소") is a success
     * with {@code already_cancelled} {@code true}, so running a whole refund twice is harmless — a
     * partial one is not.
     *
     * <p>A money call: sent exactly once, never retried; outcome {@code unknown} on a timeout or a
     * lost connection: the message says what settles it — a whole refund, {@link #paycert}
     * ({@code CANCELDATE} is set when it went through); a partial one, CookiePay's dashboard (no
     * lookup shows it). Never resend it blindly.
     *
     * @param amount the amount to refund (a partial cancel), or null for the whole payment
     * @param bank refund account for a virtual-account payment, or null (likewise the next two)
     * @throws CookiePayApiException e.g. code {@code 9029}: the payment has been settled, refund it
     *         with CookiePay's 입금후 취소 instead
     */
    public CookiePayResult cancel(String tid, String reason, Long amount, String bank, String accountNo, String accountName) {
        Map<String, Object> request = new LinkedHashMap<String, Object>();
        request.put("tid", tid);
        request.put("reason", reason);
        putIfGiven(request, "amount", amount);
        putIfGiven(request, "bank", bank);
        putIfGiven(request, "account_no", accountNo);
        putIfGiven(request, "account_name", accountName);
        return call(Native.OP_CANCEL, request);
    }

    /**
     * The payments with this TID ({@code /api/paysearch}) → {@code payments}, a list of maps
     * (read it with {@link CookiePayResult#getList}). Nothing found is an empty list, not an error.
     * The way to settle an outcome {@code unknown} of a money call.
     */
    public CookiePayResult paysearch(String tid) {
        return call(Native.OP_PAYSEARCH, Collections.singletonMap("tid", tid));
    }

    /** The payments from {@code from} to {@code to}, both included → {@code payments} (maybe empty). */
    public CookiePayResult paysearch(LocalDate from, LocalDate to) {
        return paysearch(from == null ? null : from.toString(), to == null ? null : to.toString());
    }

    /** As {@link #paysearch(LocalDate, LocalDate)}, with the dates as {@code YYYY-MM-DD} text. */
    public CookiePayResult paysearch(String from, String to) {
        Map<String, Object> request = new LinkedHashMap<String, Object>();
        request.put("from", from);
        request.put("to", to);
        return call(Native.OP_PAYSEARCH, request);
    }

    /** The address of a payment's receipt (영수증) page, for the buyer's browser. No network. */
    public String receiptUrl(String tid) {
        return call(Native.OP_RECEIPT_URL, Collections.singletonMap("tid", tid)).getString("url");
    }

    /**
     * The escape hatch: POST {@code body} as JSON to any CookiePay {@code path} (e.g.
     * {@code "/api/get_cancel_bank_account"}) with the credentials named in {@code auth}
     * ({@code "api_key"} for the ApiKey header, {@code "token"} for a TOKEN header; none named, none
     * sent) → {@code status} (the HTTP status) and {@code body} (the parsed JSON, or the text).
     * Nothing is interpreted: an HTTP 500 comes back as {@code status} 500, and CookiePay's result
     * codes are for you to check. Never retried, as it may move money; a timeout or a lost
     * connection throws with outcome {@code unknown}, and after a path that moves money a 5xx
     * status means the same: settle before sending it again.
     */
    public CookiePayResult request(String path, Map<String, ?> body, String... auth) {
        Map<String, Object> request = new LinkedHashMap<String, Object>();
        request.put("path", path);
        request.put("auth", auth == null ? new String[0] : auth);
        request.put("body", body == null ? Collections.emptyMap() : body);
        return call(Native.OP_REQUEST, request);
    }

    /**
     * Parse the raw JSON body CookiePay POSTs to the shop's 통지 URL (Noti) → its fields plus
     * {@code kind} ({@code payment}, {@code recurring} or {@code cancel}) and {@code dedup_key}:
     * Notis repeat and race with your own calls, so process each {@code dedup_key} once (e.g. a
     * unique column). Pass the body exactly as received ({@code request.getInputStream()}). No
     * network, no client.
     *
     * <p><b>A Noti is not authenticated</b>: anyone can post one, and every field here is the
     * poster's claim. Act on {@link #confirmNoti(byte[])}, which returns CookiePay's answer instead.
     *
     * @throws CookiePayInvalidArgumentException a body that is not a Noti: not a JSON object, not
     *         UTF-8, over 64 KiB, or carrying a {@code kind}/{@code dedup_key} field of its own
     */
    public static CookiePayResult parseNoti(byte[] rawBody) {
        Native.ensureUsable();
        return unwrap(Native.parseNoti(rawBody));
    }

    /** As {@link #parseNoti(byte[])}, for a body already read as text (encoded back as UTF-8). */
    public static CookiePayResult parseNoti(String rawBody) {
        return parseNoti(rawBody == null ? null : rawBody.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Turn a Noti into CookiePay's facts (one read, retried like {@link #paycert}): the Noti's
     * {@code TID} is looked up with paycert and only paycert's answer comes back — never a field of
     * the body, so a forged {@code AMOUNT} or {@code ORDERNO} cannot reach the shop — plus
     * {@code kind} ({@code payment}, or {@code cancel} when paycert shows the payment cancelled) and
     * {@code dedup_key} ({@code payment:<TID>} or {@code cancel:<TID>:<CANCELDATE>}), both computed
     * from paycert's fields. Claim the {@code dedup_key} after this returns, not before.
     *
     * @param rawBody the Noti's body exactly as received ({@code request.getInputStream()})
     * @throws CookiePayNotiNotConfirmedException CookiePay does not back it ({@code getReason()}:
     *         {@code no_tid}, {@code invalid_tid}, {@code unknown_tid}, {@code mismatch},
     *         {@code not_cancelled}): act on nothing in it
     * @throws CookiePayNetworkException or an api (no TOKEN), timeout, http or decode error:
     *         paycert could not be asked, the Noti is neither confirmed nor refuted (answer so that
     *         it is sent again)
     */
    public CookiePayResult confirmNoti(String rawBody) {
        return call(Native.OP_CONFIRM_NOTI, Collections.singletonMap("body", rawBody));
    }

    /** As {@link #confirmNoti(String)}, for the raw bytes; bytes that are not UTF-8 are refused. */
    public CookiePayResult confirmNoti(byte[] rawBody) {
        if (rawBody == null) {
            return confirmNoti((String) null);
        }
        try {
            return confirmNoti(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(rawBody)).toString());
        } catch (CharacterCodingException e) {
            Map<String, Object> error = new LinkedHashMap<String, Object>();
            error.put("kind", "invalid_argument");
            error.put("message", "the Noti body is not valid UTF-8");
            Map<String, Object> envelope = new LinkedHashMap<String, Object>();
            envelope.put("ok", Boolean.FALSE);
            envelope.put("error", error);
            throw CookiePayException.of(error, Json.write(envelope));
        }
    }

    private static void putIfGiven(Map<String, Object> request, String key, Object value) {
        if (value != null) {
            request.put(key, value);
        }
    }

    /**
     * Parse the raw {@code application/x-www-form-urlencoded} body posted to RETURNURL →
     * {@code encrypted}, {@code success}, {@code API_ID}, {@code RESULTCODE}, {@code RESULTMSG},
     * {@code ENC_DATA}. Pass the body exactly as received ({@code request.getInputStream()}), not
     * {@code getParameter}, which decodes with the container's charset. No network, no client.
     *
     * <p>The post comes from the buyer's browser: {@code success} (a Boolean, RESULTCODE 0000) proves
     * nothing. Only what {@link #decrypt} and {@link #paycert}/{@link #verify} return may change an
     * order. A post that names {@code success} or {@code encrypted} itself, a NUL byte and a body over
     * 64 KiB are refused with {@link CookiePayInvalidArgumentException}, as in every binding.
     */
    public static CookiePayResult parseReturn(byte[] rawBody) {
        Native.ensureUsable();
        return unwrap(Native.parseReturn(rawBody));
    }

    /** As {@link #parseReturn(byte[])}, for a body already read as text (encoded back as UTF-8). */
    public static CookiePayResult parseReturn(String rawBody) {
        return parseReturn(rawBody == null ? null : rawBody.getBytes(StandardCharsets.UTF_8));
    }

    /** The native library's version, e.g. {@code 0.1.0}. */
    public static String version() {
        Native.ensureUsable();
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
            if (logger != null) {
                // This call's records, taken on its own thread; always, so none waits for a later call.
                logger.deliver(Native.takeRecords());
            }
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
