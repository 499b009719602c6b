package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * The money calls (billkeygen, recurringCharge, cancel, request) reach CookiePay exactly once,
 * whatever goes wrong on the way back: a connection reset, a 500, no answer in time, a cut-off
 * answer. Three faults are queued each time, so a retry would be counted; where the request may
 * have been processed the outcome is "unknown", and paysearch settles it.
 */
class MoneyFaultsTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture().resetBeforeEach();

    private static final int TIMEOUT_MS = 400;
    private static final int DELAY_MS = 1_200;
    private static CookiePayClient impatient;

    @BeforeAll
    static void impatientClient() {
        Map<String, Object> config = fx.sandbox().config();
        config.put("timeout_ms", TIMEOUT_MS);
        impatient = new CookiePayClient(config);
    }

    @AfterAll
    static void closeIt() {
        impatient.close();
    }

    /** Queue the fault, make the call once, check the kind and that it was sent exactly once. */
    private static CookiePayException once(String endpoint, String fault, Executable call) throws InterruptedException {
        if (fault.equals("delay")) {
            fx.sandbox().fault(endpoint, fault, 3, "delay_ms", DELAY_MS);
        } else {
            fx.sandbox().fault(endpoint, fault, 3);
        }
        long before = fx.sandbox().count(endpoint);
        CookiePayException e = assertThrows(CookiePayException.class, call, fault);
        if (fault.equals("delay")) {
            Thread.sleep(DELAY_MS); // let the delayed request finish at the sandbox before counting
        }
        assertEquals(before + 1, fx.sandbox().count(endpoint), endpoint + " under " + fault + " must be sent exactly once: " + e.getRawJson());
        switch (fault) {
            case "reset":
                assertEquals("network", e.getKind(), e.getRawJson());
                assertTrue(e.isOutcomeUnknown(), e.getRawJson());
                break;
            case "http_500":
                assertEquals("http", e.getKind(), e.getRawJson());
                assertEquals(500, ((CookiePayHttpException) e).getStatus());
                assertTrue(e.isOutcomeUnknown(), "a 500 after sending may hide a charge: " + e.getRawJson());
                break;
            case "delay":
                assertEquals("timeout", e.getKind(), e.getRawJson());
                assertTrue(e.isOutcomeUnknown(), e.getRawJson());
                break;
            case "truncate":
                assertTrue(e.getKind().equals("network") || e.getKind().equals("decode"), e.getRawJson());
                assertTrue(e.isOutcomeUnknown(), "a cut-off answer means CookiePay did process it: " + e.getRawJson());
                break;
            default:
                throw new IllegalArgumentException(fault);
        }
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"reset", "http_500", "delay", "truncate"})
    void billkeygen(String fault) throws Exception {
        Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_OK, 5_500, 12);
        once("billkeygen", fault, () -> impatient.billkeygen(request));
        if (fault.equals("truncate")) {
            // Settle the unknown outcome instead of charging again: the charge is there.
            LocalDate today = fx.sandbox().today();
            List<Map<String, Object>> found = fx.client().paysearch(today.minusDays(1), today.plusDays(1)).getList("payments");
            boolean charged = false;
            for (Map<String, Object> p : found) {
                charged |= request.get("ORDERNO").equals(p.get("ORDERNO"));
            }
            assertTrue(charged, "paysearch shows the charge the cut-off answer was about: " + found);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reset", "http_500", "delay", "truncate"})
    void recurringCharge(String fault) throws Exception {
        CookiePayResult signUp = fx.client().billkeygen(Sandbox.signUp(Sandbox.CARD_OK, 5_600, 12));
        once("recurring_charge", fault, () -> impatient.recurringCharge(signUp.getString("RESERVE_ID"), signUp.getString("BILLKEY")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reset", "http_500", "delay", "truncate"})
    void cancel(String fault) throws Exception {
        String tid = fx.client().billkeygen(Sandbox.signUp(Sandbox.CARD_OK, 5_700, 0)).getString("TID");
        once("cancel", fault, () -> impatient.cancel(tid, "고객취소", 1_000L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reset", "http_500", "delay", "truncate"})
    void request(String fault) throws Exception {
        String tid = fx.client().billkeygen(Sandbox.signUp(Sandbox.CARD_OK, 5_800, 0)).getString("TID");
        Map<String, Object> body = new LinkedHashMap<String, Object>();
        body.put("tid", tid);
        body.put("reason", "고객취소");
        if (fault.equals("http_500")) {
            // The escape hatch interprets nothing: any HTTP answer, a 500 too, is its result.
            fx.sandbox().fault("cancel", fault, 3);
            long before = fx.sandbox().count("cancel");
            CookiePayResult answer = impatient.request("/api/cancel", body, "api_key", "token");
            assertEquals(500L, answer.get("status"), answer.getRawJson());
            assertTrue(String.valueOf(answer.get("body")).contains("500"), answer.getRawJson());
            assertEquals(before + 1, fx.sandbox().count("cancel"), "sent exactly once");
            return;
        }
        once("cancel", fault, () -> impatient.request("/api/cancel", body, "api_key", "token"));
    }
}
