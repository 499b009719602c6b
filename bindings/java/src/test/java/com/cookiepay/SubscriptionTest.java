package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Subscriptions without the window: billkeygen (billing key, first charge, schedule), the checks
 * made before anything is sent, declines, recurring charges and the end of a subscription.
 */
class SubscriptionTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    /** Everything an exception shows, where card data must never be. */
    static String everything(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        String out = e.getMessage() + "\n" + e + "\n" + trace;
        if (e instanceof CookiePayException) {
            CookiePayException c = (CookiePayException) e;
            out += "\n" + c.getRawJson() + "\n" + c.getError();
        }
        return out;
    }

    static void assertNoCardData(String shown, Map<String, Object> request) {
        assertFalse(shown.contains((String) request.get("CARDNO")), "card number shown: " + shown);
        assertFalse(shown.contains((String) request.get("CARDAUTH")), "CARDAUTH shown: " + shown);
        for (String field : new String[] {"CARDPWD", "EXPIREDT", "CARDAUTH"}) {
            assertFalse(shown.contains("\"" + field + "\":\"" + request.get(field) + "\""), field + " shown: " + shown);
        }
    }

    @Test
    void signUpChargesOnceAndSchedules() {
        CookiePayClient client = fx.client();
        Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_OK, 9_900, 12);
        client.token(); // a cached TOKEN is there: the money call must not use it
        long before = fx.sandbox().count("billkeygen");
        long tokens = fx.sandbox().count("token");

        CookiePayResult signUp = client.billkeygen(request);

        assertEquals(before + 1, fx.sandbox().count("billkeygen"));
        assertEquals(tokens + 1, fx.sandbox().count("token"), "a money call fetches a fresh TOKEN for itself");
        assertEquals(Boolean.TRUE, signUp.get("charged"));
        assertEquals(Boolean.TRUE, signUp.get("scheduled"));
        assertEquals("0000", signUp.getString("RESULTCODE"));
        assertEquals(20, signUp.getString("BILLKEY").length());
        assertNotNull(signUp.getString("RESERVE_ID"));
        assertEquals(request.get("ORDERNO"), signUp.getString("ORDERNO"));
        assertEquals("9900", signUp.getString("AMOUNT"));
        assertEquals("메모 ✓ 😀", signUp.getString("ETC1"), "text with an emoji comes back whole");
        assertNotNull(signUp.getString("RESERVE_NEXT_PAY_DATE"));
        assertNoCardData(signUp.toString() + signUp.getRawJson(), request);

        // The shop confirms the first charge by its TID before granting anything.
        String tid = signUp.getString("TID");
        assertEquals(tid, client.verify(tid, (String) request.get("ORDERNO"), 9_900L).getString("TID"));
        List<Map<String, Object>> found = client.paysearch(tid).getList("payments");
        assertEquals(1, found.size(), String.valueOf(found));
        assertEquals(tid, found.get(0).get("TID"));
        assertEquals("9900", String.valueOf(found.get(0).get("AMOUNT")));
    }

    @Test
    void signUpWithoutAScheduleSaysScheduledNull() {
        CookiePayResult signUp = fx.client().billkeygen(Sandbox.signUp("5555555555554444", 4_000, 0));
        assertEquals(Boolean.TRUE, signUp.get("charged"));
        assertTrue(signUp.getData().containsKey("scheduled"), signUp.getRawJson());
        assertNull(signUp.get("scheduled"));
        assertEquals(20, signUp.getString("BILLKEY").length());
    }

    @Test
    void chargedButNotScheduledIsStillASuccess() {
        // The sandbox registers no schedule with a first installment beyond the last one; the
        // card is charged all the same.
        Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_OK, 5_000, 2);
        request.put("START_PAY_CNT", "3");
        long before = fx.sandbox().count("billkeygen");
        CookiePayResult signUp = fx.client().billkeygen(request);
        assertEquals(before + 1, fx.sandbox().count("billkeygen"), "sent once, and the shop must not send it again");
        assertEquals(Boolean.TRUE, signUp.get("charged"));
        assertEquals(Boolean.FALSE, signUp.get("scheduled"), signUp.getRawJson());
        assertNotNull(signUp.getString("TID"));
        assertNotNull(signUp.getString("BILLKEY"));
        assertFalse("0000".equals(signUp.getString("RESERVE_RESULTCODE")), signUp.getString("RESERVE_RESULTCODE"));
        assertNotNull(signUp.getString("RESERVE_RESULTMSG"));
    }

    @Test
    void badCardFieldsAreNamedAndNothingIsSent() {
        Map<String, Object> request = Sandbox.signUp("4111111111111112", 9_900, 12); // Luhn fails
        request.put("EXPIREDT", "1912");   // December 2019: past
        request.put("CARDAUTH", "97531");  // neither 6 nor 10 digits
        request.put("CARDPWD", "864");     // not 2 digits
        long before = fx.sandbox().totalRequests();

        CookiePayValidationException e = assertThrows(CookiePayValidationException.class, () -> fx.client().billkeygen(request));

        List<String> fields = new ArrayList<String>();
        for (Map<String, Object> f : e.getFields()) {
            fields.add(String.valueOf(f.get("field")));
            assertNotNull(f.get("rule"));
            assertNotNull(f.get("message"));
        }
        for (String want : new String[] {"CARDNO", "EXPIREDT", "CARDAUTH", "CARDPWD"}) {
            assertTrue(fields.contains(want), want + " not in " + fields);
        }
        assertEquals(before, fx.sandbox().totalRequests(), "no request at all, not even for a TOKEN");
        String shown = everything(e);
        assertNoCardData(shown, request);
        assertFalse(shown.contains("\"1912\"") || shown.contains("\"864\""), shown);
    }

    @Test
    void everyBadCardFieldAloneIsCaught() {
        String[][] cases = {{"CARDNO", "4111111111111112"}, {"EXPIREDT", "1912"}, {"CARDAUTH", "97531"}, {"CARDPWD", "864"}};
        for (String[] bad : cases) {
            Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_OK, 1_000, 0);
            request.put(bad[0], bad[1]);
            long before = fx.sandbox().totalRequests();
            CookiePayValidationException e = assertThrows(CookiePayValidationException.class, () -> fx.client().billkeygen(request), bad[0]);
            assertEquals(1, e.getFields().size(), e.getRawJson());
            assertEquals(bad[0], e.getFields().get(0).get("field"));
            assertEquals(before, fx.sandbox().totalRequests(), bad[0] + ": nothing may be sent");
        }
        // A 10-digit business number is a valid CARDAUTH.
        Map<String, Object> business = Sandbox.signUp(Sandbox.CARD_OK, 1_000, 0);
        business.put("CARDAUTH", "1234567890");
        assertEquals(Boolean.TRUE, fx.client().billkeygen(business).get("charged"));
    }

    @Test
    void aDeclinedCardIsAnApiErrorWithoutCardData() {
        Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_LIMIT, 9_900, 12);
        long before = fx.sandbox().count("billkeygen");
        CookiePayApiException e = assertThrows(CookiePayApiException.class, () -> fx.client().billkeygen(request));
        assertEquals("api", e.getKind());
        assertEquals("C001", e.getCode());
        assertEquals(before + 1, fx.sandbox().count("billkeygen"), "a decline is not retried");
        assertNoCardData(everything(e), request);
    }

    @Test
    void recurringChargeNowThenEndTheSubscription() {
        CookiePayClient client = fx.client();
        CookiePayResult signUp = client.billkeygen(Sandbox.signUp(Sandbox.CARD_OK, 7_700, 12));
        String reserveId = signUp.getString("RESERVE_ID");
        String billkey = signUp.getString("BILLKEY");

        long before = fx.sandbox().count("recurring_charge");
        CookiePayResult charge = client.recurringCharge(reserveId, billkey);
        assertEquals(before + 1, fx.sandbox().count("recurring_charge"));
        assertEquals("0000", charge.getString("RESULTCODE"));
        assertTrue(charge.getString("ORDERNO").startsWith("SRS"), charge.getString("ORDERNO"));
        assertEquals("7700", charge.getString("AMOUNT"));
        assertNotNull(charge.getString("PAY_CNT"));
        assertNotNull(charge.getString("NEXT_PAY_DATE"));
        assertEquals(charge.getString("ACCEPT_NO"), charge.getString("ACCEPTNO"), "both spellings");
        assertFalse(charge.getString("TID").equals(signUp.getString("TID")));

        // Ending: schedule, then key. A second cancel is fine (E103 → already_cancelled).
        CookiePayResult cancelled = client.scheduleCancel(reserveId);
        assertEquals(Boolean.FALSE, cancelled.get("already_cancelled"), cancelled.getRawJson());
        CookiePayResult again = client.scheduleCancel(reserveId);
        assertEquals(Boolean.TRUE, again.get("already_cancelled"), again.getRawJson());
        assertTrue(again.getString("cancelled_at").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"), again.getString("cancelled_at"));

        CookiePayApiException stopped = assertThrows(CookiePayApiException.class, () -> client.recurringCharge(reserveId, billkey));
        assertEquals("E103", stopped.getCode());

        assertNotNull(client.billkeyDelete(billkey).getData());
    }

    @Test
    void aDeletedKeyDeclinesWithoutCardData() {
        CookiePayClient client = fx.client();
        Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_OK, 6_600, 12);
        CookiePayResult signUp = client.billkeygen(request);
        assertEquals("0000", client.billkeyDelete(signUp.getString("BILLKEY")).getString("RESULTCODE"));
        CookiePayApiException e = assertThrows(CookiePayApiException.class,
                () -> client.recurringCharge(signUp.getString("RESERVE_ID"), signUp.getString("BILLKEY")));
        assertEquals("C008", e.getCode(), e.getRawJson());
        assertEquals("inner", e.getLayer());
        assertNoCardData(everything(e), request);
    }

    @Test
    void receiptUrlNeedsNoNetwork() throws Exception {
        long before = fx.sandbox().totalRequests();
        String url = fx.client().receiptUrl("SBX26112700000000001");
        assertEquals(before, fx.sandbox().totalRequests());
        String prefix = fx.sandbox().url + "/api/receipt?tid=";
        assertTrue(url.startsWith(prefix), url);
        String tid = new String(Base64.getDecoder().decode(java.net.URLDecoder.decode(url.substring(prefix.length()), "UTF-8")), StandardCharsets.UTF_8);
        assertEquals("SBX26112700000000001", tid);
    }

    @Test
    void paysearchFindsNothingAsAnEmptyList() {
        assertEquals(0, fx.client().paysearch("SBX00000000000000000").getList("payments").size());
        assertEquals(0, fx.client().paysearch(java.time.LocalDate.of(2001, 1, 1), java.time.LocalDate.of(2001, 1, 31)).getList("payments").size());
    }

    @Test
    void paysearchByDateFindsTodaysCharges() {
        CookiePayResult signUp = fx.client().billkeygen(Sandbox.signUp(Sandbox.CARD_OK, 3_300, 0));
        java.time.LocalDate today = fx.sandbox().today();
        List<String> tids = new ArrayList<String>();
        for (Map<String, Object> p : fx.client().paysearch(today.minusDays(1), today.plusDays(1)).getList("payments")) {
            tids.add(String.valueOf(p.get("TID")));
        }
        assertTrue(tids.contains(signUp.getString("TID")), tids.toString());
        assertEquals(tids.size(), fx.client().paysearch(today.minusDays(1).toString(), today.plusDays(1).toString()).getList("payments").size());
    }

    @Test
    void theEscapeHatchPostsAnyPathOnceWithTheCredentialsAsked() {
        CookiePayResult signUp = fx.client().billkeygen(Sandbox.signUp(Sandbox.CARD_OK, 2_200, 0));
        Map<String, Object> body = new LinkedHashMap<String, Object>();
        body.put("tid", signUp.getString("TID"));
        long before = fx.sandbox().count("paycert");
        CookiePayResult answer = fx.client().request("/api/paycert", body, "token");
        assertEquals(before + 1, fx.sandbox().count("paycert"));
        assertEquals(200L, answer.get("status"));
        Map<String, Object> paycert = Json.asMap(answer.get("body"));
        assertEquals(signUp.getString("TID"), paycert.get("TID"));

        // Without the TOKEN the gateway refuses: the answer is returned as it is, not raised.
        CookiePayResult refused = fx.client().request("/api/paycert", body);
        assertFalse("0000".equals(Json.asMap(refused.get("body")).get("RESULTCODE")), refused.getRawJson());
    }
}
