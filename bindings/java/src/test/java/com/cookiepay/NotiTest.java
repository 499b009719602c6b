package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** parseNoti: the three kinds, text that must survive, bodies that are not Notis, and real Notis. */
class NotiTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    /** A 결제승인 Noti as the manual's table has it. */
    private static Map<String, Object> paymentNoti(String tid) {
        Map<String, Object> n = new LinkedHashMap<String, Object>();
        n.put("PAY_METHOD", "CARD");
        n.put("API_ID", Sandbox.API_ID);
        n.put("ORDERNO", "N-" + tid);
        n.put("AMOUNT", "9900");
        n.put("TID", tid);
        n.put("BUYEREMAIL", "buyer@example.com");
        n.put("BUYERNAME", "홍길동");
        n.put("USERID", "guest");
        n.put("PRODUCTCODE", "SUB1");
        n.put("PRODUCTNAME", "쿠키 정기구독 🍪");
        n.put("ACCEPT_DATE", "20261127093000");
        n.put("ACCEPT_NO", "12345678");
        n.put("CARDCODE", "CCLG");
        n.put("CARDNAME", "신한카드");
        n.put("CARDNO", "411111******1111");
        n.put("QUOTA", "00");
        n.put("RESULTCODE", "0000");
        n.put("RESULTMSG", "성공");
        return n;
    }

    /** A recurring-charge Noti as the vendor's plugin logged one (strings, some nulls). */
    private static Map<String, Object> recurringNoti(String tid) {
        Map<String, Object> n = paymentNoti(tid);
        n.put("CP_ID", "cp");
        n.put("ORDERNO", "SRS20261127093000123456");
        n.put("VENDOR_ORDER_NO", null);
        n.put("ETC7", null);
        n.put("BILLKEY", "abcdefghij0123456789");
        n.put("GENDATE", "2026-11-27 09:30:00");
        n.put("RESERVE_ID", "r0123456789abcdefghijklmnopq");
        n.put("RESERVE_ORDERNO", "SUB-1");
        n.put("PAY_CNT", "2");
        n.put("LAST_PAY_CNT", "12");
        n.put("TRY_CNT", "1");
        n.put("NEXT_PAY_DATE", "2026-12-27");
        return n;
    }

    @Test
    void aPaymentNoti() {
        String body = Json.write(paymentNoti("SBX26112700000000011"));
        CookiePayResult noti = CookiePayClient.parseNoti(body);
        assertEquals("payment", noti.getString("kind"));
        assertEquals("SBX26112700000000011", noti.getString("TID"));
        assertEquals("9900", noti.getString("AMOUNT"));
        String key = noti.getString("dedup_key");
        assertNotNull(key);
        assertFalse(key.isEmpty());
        // The same body again (a Noti repeats) has the same key; another payment another key.
        assertEquals(key, CookiePayClient.parseNoti(body).getString("dedup_key"));
        assertNotEquals(key, CookiePayClient.parseNoti(Json.write(paymentNoti("SBX26112700000000012"))).getString("dedup_key"));
    }

    @Test
    void aRecurringNoti() {
        CookiePayResult noti = CookiePayClient.parseNoti(Json.write(recurringNoti("SBX26112700000000021")));
        assertEquals("recurring", noti.getString("kind"));
        assertEquals("2", noti.getString("PAY_CNT"));
        assertEquals("r0123456789abcdefghijklmnopq", noti.getString("RESERVE_ID"));
        assertTrue(noti.getData().containsKey("VENDOR_ORDER_NO"), "null fields are kept");
        assertNotNull(noti.getString("dedup_key"));
    }

    @Test
    void aCancelNotiAndADeclinedCycle() {
        Map<String, Object> cancel = paymentNoti("SBX26112700000000041");
        cancel.put("CANCELDATE", "20261127100000");
        cancel.put("CANCELMSG", "고객취소");
        cancel.put("CANCEL_AMT", "3000");
        CookiePayResult noti = CookiePayClient.parseNoti(Json.write(cancel));
        assertEquals("cancel", noti.getString("kind"));
        assertEquals("3000", noti.getString("CANCEL_AMT"));
        // Two partial cancels of one payment are two events.
        cancel.put("CANCELDATE", "20261127110000");
        assertNotEquals(noti.getString("dedup_key"), CookiePayClient.parseNoti(Json.write(cancel)).getString("dedup_key"));

        // A declined cycle has no TID: still one key per schedule, cycle and attempt.
        Map<String, Object> declined = recurringNoti("");
        declined.put("RESULTCODE", "C001");
        declined.put("PAY_CNT", "3");
        CookiePayResult first = CookiePayClient.parseNoti(Json.write(declined));
        assertEquals("recurring", first.getString("kind"));
        declined.put("TRY_CNT", "2");
        assertNotEquals(first.getString("dedup_key"), CookiePayClient.parseNoti(Json.write(declined)).getString("dedup_key"));
    }

    @Test
    void hangulAndANonBmpCharacterSurviveAsBytesAsTextAndEscaped() {
        Map<String, Object> n = paymentNoti("SBX26112700000000031");
        n.put("ETC1", "메모 ✓ 😀 \u20a9");
        String text = Json.write(n);
        CookiePayResult fromBytes = CookiePayClient.parseNoti(text.getBytes(StandardCharsets.UTF_8));
        assertEquals("쿠키 정기구독 🍪", fromBytes.getString("PRODUCTNAME"));
        assertEquals("메모 ✓ 😀 \u20a9", fromBytes.getString("ETC1"));
        assertEquals(fromBytes.getData(), CookiePayClient.parseNoti(text).getData());
        // The same emoji written as a JSON surrogate-pair escape.
        String escaped = text.replace("😀", "\\ud83d\\ude00");
        assertEquals("메모 ✓ 😀 \u20a9", CookiePayClient.parseNoti(escaped).getString("ETC1"));
    }

    @Test
    void bodiesThatAreNotNotisAreRefused() {
        assertThrows(CookiePayInvalidArgumentException.class, () -> CookiePayClient.parseNoti((byte[]) null));
        assertThrows(CookiePayInvalidArgumentException.class, () -> CookiePayClient.parseNoti("API_ID=x&TID=y"));
        assertThrows(CookiePayInvalidArgumentException.class, () -> CookiePayClient.parseNoti("[1,2]"));
        assertThrows(CookiePayInvalidArgumentException.class, () -> CookiePayClient.parseNoti(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}));
        // A body may not choose its own kind or key.
        assertThrows(CookiePayInvalidArgumentException.class, () -> CookiePayClient.parseNoti("{\"TID\":\"T\",\"kind\":\"payment\"}"));
    }

    @Test
    void aForgedNotiParsesButDoesNotVerify() {
        // parseNoti only reads: anyone can post this. verify (paycert) is what a shop trusts.
        CookiePayResult forged = CookiePayClient.parseNoti(Json.write(paymentNoti("SBX99999999999999999")));
        assertEquals("payment", forged.getString("kind"));
        assertThrows(CookiePayApiException.class, () -> fx.client().verify(forged.getString("TID"), forged.getString("ORDERNO"), 9_900L));
    }

    @Test
    void realNotisFromTheSandboxOfEveryKind() throws Exception {
        try (NotiInbox inbox = new NotiInbox()) {
            fx.sandbox().notiUrl(inbox.url());
            Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_OK, 4_400, 3);
            CookiePayResult signUp = fx.client().billkeygen(request);
            fx.sandbox().advanceDays(40); // the first scheduled charge
            String tid = signUp.getString("TID");
            fx.client().cancel(tid, "고객취소");

            Map<String, List<CookiePayResult>> byKind = new LinkedHashMap<String, List<CookiePayResult>>();
            for (byte[] body : inbox.drain(1_500)) {
                CookiePayResult noti = CookiePayClient.parseNoti(body);
                String kind = noti.getString("kind");
                if (!byKind.containsKey(kind)) {
                    byKind.put(kind, new ArrayList<CookiePayResult>());
                }
                byKind.get(kind).add(noti);
                assertNotNull(noti.getString("dedup_key"), noti.getRawJson());
            }
            assertTrue(byKind.containsKey("recurring"), byKind.keySet().toString());
            assertTrue(byKind.containsKey("cancel"), byKind.keySet().toString());

            // The sign-up's own charge is notified too (PAY_CNT 1, cancelled below); take cycle 2.
            CookiePayResult recurring = null;
            for (CookiePayResult noti : byKind.get("recurring")) {
                if ("2".equals(noti.getString("PAY_CNT"))) {
                    recurring = noti;
                }
            }
            assertNotNull(recurring, "no Noti for the scheduled cycle 2");
            assertTrue(recurring.getString("ORDERNO").startsWith("SRS"), recurring.getString("ORDERNO"));
            assertEquals(signUp.getString("RESERVE_ID"), recurring.getString("RESERVE_ID"));
            assertEquals("4400", recurring.getString("AMOUNT"));
            assertEquals("쿠키 정기구독 🍪", recurring.getString("PRODUCTNAME"), "the emoji survives the Noti");
            // What a shop does before marking the cycle paid: confirm with paycert.
            assertEquals(recurring.getString("TID"),
                    fx.client().verify(recurring.getString("TID"), recurring.getString("ORDERNO"), 4_400L).getString("TID"));

            CookiePayResult cancel = byKind.get("cancel").get(0);
            assertEquals(tid, cancel.getString("TID"));
            Map<String, CookiePayResult> keys = new LinkedHashMap<String, CookiePayResult>();
            for (List<CookiePayResult> notis : byKind.values()) {
                for (CookiePayResult noti : notis) {
                    assertEquals(null, keys.put(noti.getString("dedup_key"), noti), "two different Notis, one dedup_key");
                }
            }
        }
    }
}
