package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One exception class per error kind, with its fields, and no secret in any of them. */
class ErrorsTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture().resetBeforeEach();
    private static Sandbox.Paid paid;

    @BeforeAll
    static void pay() {
        paid = fx.sandbox().pay(fx.client(), 1_000);
    }

    /** Everything an exception shows: what must never carry a secret. */
    private static String everything(CookiePayException e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return e.getMessage() + "\n" + e + "\n" + trace + "\n" + e.getRawJson() + "\n" + e.getError();
    }

    private static void assertKind(String kind, CookiePayException e) {
        assertEquals(kind, e.getKind());
        assertEquals(kind, e.getError().get("kind"));
        assertTrue(e.getRawJson().startsWith("{\"ok\":false,\"error\":{"), e.getRawJson());
        assertNotNull(e.getMessage());
        assertFalse(everything(e).contains(Sandbox.API_KEY));
    }

    @Test
    void invalidArgument() {
        CookiePayInvalidArgumentException e = assertThrows(CookiePayInvalidArgumentException.class,
                () -> CookiePayClient.parseReturn((byte[]) null));
        assertKind("invalid_argument", e);
        assertTrue(e.getMessage().contains("NULL"), e.getMessage());

        // A request that is not a JSON object.
        assertKind("invalid_argument", assertThrows(CookiePayInvalidArgumentException.class, () -> fx.client().ready(null)));
        // A lone surrogate is no text: rejected, not silently replaced.
        assertKind("invalid_argument", assertThrows(CookiePayInvalidArgumentException.class, () -> fx.client().paycert("A\ud800")));
    }

    /**
     * Issue 11 item 2: the post comes from the buyer's browser, so it cannot vote on its own success.
     * The same crafted posts, with the same messages, as the PHP and C# suites: every byte goes to the
     * core, which refuses a NUL (it used to be accepted here).
     */
    @Test
    void aReturnPostCannotSetItsOwnSuccess() throws Exception {
        String[][] crafted = {
            {"RESULTCODE=9999&success=false", "the return post carries a field named success: not a CookiePay return post"},
            {"RESULTCODE=9999&success=1&encrypted=0", "the return post carries a field named encrypted: not a CookiePay return post"},
            {"RESULTCODE=0000&TID=T1\u0000&ENC_DATA=x", "the return body contains a NUL byte"},
            {"RESULTCODE=0000\u0000", "the return body contains a NUL byte"},
        };
        for (String[] post : crafted) {
            CookiePayInvalidArgumentException e = assertThrows(CookiePayInvalidArgumentException.class,
                    () -> CookiePayClient.parseReturn(post[0]), post[0]);
            assertKind("invalid_argument", e);
            assertEquals(post[1], e.getMessage());
            e = assertThrows(CookiePayInvalidArgumentException.class,
                    () -> CookiePayClient.parseReturn(post[0].getBytes("UTF-8")), post[0]);
            assertEquals(post[1], e.getMessage());
        }

        // A decline computes the JSON boolean false, not a string.
        CookiePayResult declined = CookiePayClient.parseReturn("RESULTCODE=9999&RESULTMSG=x");
        assertEquals(Boolean.FALSE, declined.get("success"));
        assertEquals(Boolean.FALSE, declined.get("encrypted"));
        assertEquals("9999", declined.getString("RESULTCODE"));
    }

    @Test
    void validationListsEveryField() {
        Map<String, Object> order = new LinkedHashMap<String, Object>();
        order.put("AMOUNT", 0);
        order.put("ETC2", "line\nbreak");
        CookiePayValidationException e = assertThrows(CookiePayValidationException.class, () -> fx.client().ready(order));
        assertKind("validation", e);
        List<String> fields = new ArrayList<String>();
        for (Map<String, Object> f : e.getFields()) {
            fields.add((String) f.get("field"));
            assertNotNull(f.get("rule"));
            assertNotNull(f.get("message"));
        }
        for (String want : new String[] {"ORDERNO", "PRODUCTNAME", "AMOUNT", "BUYERNAME", "RETURNURL", "ETC2"}) {
            assertTrue(fields.contains(want), want + " not in " + fields);
        }
        assertEquals(0, fx.sandbox().count("ready"), "nothing may be sent when validation fails");

        assertKind("validation", assertThrows(CookiePayValidationException.class, () -> fx.client().paycert(null)));
        assertKind("validation", assertThrows(CookiePayValidationException.class, () -> fx.client().decrypt("")));
    }

    @Test
    void configProblemsAreValidationWithoutTheKey() {
        Map<String, Object> config = new LinkedHashMap<String, Object>();
        config.put("env", "live");
        config.put("base_url", "http://insecure.example");
        config.put("api_key", "has space " + Sandbox.API_KEY);
        config.put("timeout_ms", -1);
        CookiePayValidationException e = assertThrows(CookiePayValidationException.class, () -> new CookiePayClient(config));
        assertKind("validation", e);
        assertFalse(everything(e).contains("has space"));
        List<String> fields = new ArrayList<String>();
        for (Map<String, Object> f : e.getFields()) {
            fields.add(f.get("field") + ":" + f.get("rule"));
        }
        assertTrue(fields.containsAll(Arrays.asList("base_url:https", "api_id:required", "api_key:format", "timeout_ms:range")), fields.toString());
        assertThrows(NullPointerException.class, () -> new CookiePayClient(null));
    }

    @Test
    void apiErrorsCarryCodeAndResponse() {
        CookiePayApiException e = assertThrows(CookiePayApiException.class, () -> fx.client().paycert("NO_SUCH_TID_000000"));
        assertKind("api", e);
        assertNotNull(e.getCode());
        assertNotNull(e.getApiMessage());
        assertEquals(e.getCode(), e.getResponse().get("RESULTCODE"));
        assertNull(e.getLayer());
    }

    @Test
    void wrongCredentialsAreAnApiErrorWithoutTheKey() {
        Map<String, Object> config = fx.sandbox().config();
        String wrongKey = "wrongkey_" + Sandbox.API_KEY.substring(9);
        config.put("api_key", wrongKey);
        try (CookiePayClient wrong = new CookiePayClient(config)) {
            CookiePayApiException e = assertThrows(CookiePayApiException.class, wrong::token);
            assertKind("api", e);
            assertFalse(everything(e).contains(wrongKey));
        }
    }

    @Test
    void aDeclinedCardFailsAtThePaymentLayerWithoutTheCardNumber() {
        CookiePayResult window = fx.client().ready(Sandbox.order(2_000));
        String body = fx.sandbox().payInWindow(window.getString("html"), Sandbox.CARD_LIMIT);
        CookiePayResult posted = CookiePayClient.parseReturn(body);
        CookiePayApiException e = assertThrows(CookiePayApiException.class, () -> fx.client().decrypt(posted.getString("ENC_DATA")));
        assertKind("api", e);
        assertEquals("inner", e.getLayer());
        assertFalse(everything(e).contains(Sandbox.CARD_LIMIT));
        assertFalse(everything(e).contains("900101"), "birth date");

        CookiePayApiException outer = assertThrows(CookiePayApiException.class, () -> fx.client().decrypt("bm90IG91ciBkYXRh"));
        assertEquals("outer", outer.getLayer());
    }

    @Test
    void verificationFailedListsMismatchesAndThePayment() {
        CookiePayVerificationFailedException e = assertThrows(CookiePayVerificationFailedException.class,
                () -> fx.client().verify(paid.tid, paid.orderNo, 500L));
        assertKind("verification_failed", e);
        assertEquals(1, e.getMismatches().size());
        Map<String, Object> mismatch = e.getMismatches().get(0);
        assertEquals("AMOUNT", mismatch.get("field"));
        assertEquals(paid.tid, e.getPayment().get("TID"));

        e = assertThrows(CookiePayVerificationFailedException.class, () -> fx.client().verify(paid.tid, "OTHER", "50000"));
        assertEquals(2, e.getMismatches().size());
    }

    @Test
    void networkErrorsSayWhichPhase() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> config = fx.sandbox().config();
        config.put("base_url", "http://127.0.0.1:" + port);
        config.put("max_retries", 0);
        try (CookiePayClient closed = new CookiePayClient(config)) {
            CookiePayNetworkException e = assertThrows(CookiePayNetworkException.class, closed::token);
            assertKind("network", e);
            assertEquals("connect", e.getPhase());
            assertEquals("not_applied", e.getOutcome());
        }
        fx.sandbox().fault("ready", "reset", 1);
        CookiePayNetworkException e = assertThrows(CookiePayNetworkException.class, () -> fx.client().ready(Sandbox.order(1000)));
        assertEquals("read", e.getPhase());
        assertEquals("unknown", e.getOutcome(), "the window may have been opened");
    }

    @Test
    void timeouts() {
        Map<String, Object> config = fx.sandbox().config();
        config.put("timeout_ms", 400);
        try (CookiePayClient impatient = new CookiePayClient(config)) {
            impatient.token();
            fx.sandbox().fault("paycert", "delay", 1, "delay_ms", 2000);
            CookiePayTimeoutException e = assertThrows(CookiePayTimeoutException.class, () -> impatient.paycert(paid.tid));
            assertKind("timeout", e);
            assertEquals("not_applied", e.getOutcome());
            fx.sandbox().fault("ready", "delay", 1, "delay_ms", 2000);
            e = assertThrows(CookiePayTimeoutException.class, () -> impatient.ready(Sandbox.order(1000)));
            assertEquals("unknown", e.getOutcome());
        }
    }

    @Test
    void httpErrorsCarryStatusAndExcerpt() {
        String token = fx.client().token().getString("TOKEN");
        fx.sandbox().fault("paycert", "http_500", 5);
        CookiePayHttpException e = assertThrows(CookiePayHttpException.class, () -> fx.client().paycert(paid.tid));
        assertKind("http", e);
        assertEquals(500, e.getStatus());
        assertNotNull(e.getExcerpt());
        assertFalse(everything(e).contains(token), "the TOKEN must not leak into errors");
        assertEquals(3, fx.sandbox().count("paycert"), "two retries");

        fx.sandbox().fault("paycert", "wrong_content_type", 1);
        e = assertThrows(CookiePayHttpException.class, () -> fx.client().paycert(paid.tid));
        assertTrue(e.getExcerpt().toLowerCase().contains("<html"), e.getExcerpt());
        assertNotNull(e.getContentType());
    }

    @Test
    void decodeErrors() {
        fx.client().token();
        fx.sandbox().fault("paycert", "invalid_json", 1);
        CookiePayDecodeException e = assertThrows(CookiePayDecodeException.class, () -> fx.client().paycert(paid.tid));
        assertKind("decode", e);
        assertFalse(e.getExcerpt().isEmpty());
    }

    @Test
    void everyKindIsACookiePayException() {
        Class<?>[] kinds = {CookiePayInvalidArgumentException.class, CookiePayValidationException.class, CookiePayApiException.class,
            CookiePayVerificationFailedException.class, CookiePayNetworkException.class, CookiePayTimeoutException.class,
            CookiePayHttpException.class, CookiePayDecodeException.class, CookiePayInternalException.class};
        for (Class<?> kind : kinds) {
            assertTrue(CookiePayException.class.isAssignableFrom(kind), kind.getName());
        }
        assertTrue(RuntimeException.class.isAssignableFrom(CookiePayException.class), "unchecked");
        CookiePayException unknown = assertThrows(CookiePayException.class,
                () -> CookiePayClient.unwrap("{\"ok\":false,\"error\":{\"kind\":\"future_kind\",\"message\":\"m\"}}"));
        assertEquals(CookiePayException.class, unknown.getClass());
        assertEquals("future_kind", unknown.getKind());
        CookiePayInternalException garbage = assertThrows(CookiePayInternalException.class, () -> CookiePayClient.unwrap("not json"));
        assertEquals("internal", garbage.getKind());
        assertThrows(CookiePayInternalException.class, () -> CookiePayClient.unwrap(null));
    }

    @Test
    void exceptionsSurviveSerialization() throws Exception {
        CookiePayApiException e = assertThrows(CookiePayApiException.class, () -> fx.client().paycert("NO_SUCH_TID_000000"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            CookiePayApiException back = (CookiePayApiException) in.readObject();
            assertEquals(e.getCode(), back.getCode());
            assertEquals(e.getRawJson(), back.getRawJson());
            assertEquals("api", back.getKind());
        }
    }
}
