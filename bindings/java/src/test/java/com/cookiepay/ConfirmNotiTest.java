package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * confirmNoti against the sandbox: the sandbox's own Notis (read from what it sent), replayed as
 * they are or forged. Only paycert's answer ever comes back.
 */
class ConfirmNotiTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture().resetBeforeEach();

    @BeforeEach
    void notisToNowhere() {
        // Nobody listens there: the sandbox still keeps what it sent (/_sandbox/notis).
        fx.sandbox().notiUrl("http://127.0.0.1:1/noti");
    }

    @AfterEach
    void notisOff() {
        fx.sandbox().notiUrl(null);
    }

    /** The body of the one Noti the sandbox sent as {@code kind} about {@code tid}. */
    private static Map<String, Object> sentNoti(String kind, String tid) {
        List<Map<String, Object>> found = new ArrayList<Map<String, Object>>();
        for (Object item : Json.asList(fx.sandbox().control("notis", null).get("notis"))) {
            Map<String, Object> noti = Json.asMap(item);
            Map<String, Object> body = Json.asMap(noti.get("body"));
            if (kind.equals(noti.get("kind")) && tid.equals(body.get("TID"))) {
                found.add(new LinkedHashMap<String, Object>(body));
            }
        }
        assertEquals(1, found.size(), kind + " Notis of " + tid);
        return found.get(0);
    }

    private static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        Map<String, Object> copy = new LinkedHashMap<String, Object>(body);
        copy.put(field, value);
        return copy;
    }

    private static CookiePayNotiNotConfirmedException refused(Map<String, Object> body, String reason) {
        CookiePayNotiNotConfirmedException e = assertThrows(CookiePayNotiNotConfirmedException.class,
                () -> fx.client().confirmNoti(Json.write(body)));
        assertEquals(reason, e.getReason(), e.getRawJson());
        assertEquals("noti_not_confirmed", e.getKind());
        return e;
    }

    @Test
    void aGenuinePaymentNotiComesBackAsPaycertsAnswer() {
        CookiePayClient client = fx.client();
        String tid = fx.sandbox().pay(client, 2500).tid;
        Map<String, Object> body = sentNoti("payment", tid);

        CookiePayResult confirmed = client.confirmNoti(Json.write(body).getBytes(StandardCharsets.UTF_8));

        assertEquals("payment", confirmed.getString("kind"));
        assertEquals("payment:" + tid, confirmed.getString("dedup_key"));
        Map<String, Object> expected = new LinkedHashMap<String, Object>(client.paycert(tid).getData());
        expected.put("kind", "payment");
        expected.put("dedup_key", "payment:" + tid);
        assertEquals(expected, confirmed.getData());
        for (String onlyInBody : new String[] {"ETC1", "QUOTA", "CARDNO", "API_ID"}) {
            assertTrue(body.containsKey(onlyInBody), "the sandbox's Noti has " + onlyInBody);
            assertFalse(confirmed.getData().containsKey(onlyInBody), onlyInBody + " came from the body");
        }
    }

    @Test
    void aForgedAmountOrOrderNumberIsRefused() {
        Sandbox.Paid paid = fx.sandbox().pay(fx.client(), 2500);
        Map<String, Object> genuine = sentNoti("payment", paid.tid);

        CookiePayNotiNotConfirmedException e = refused(with(genuine, "AMOUNT", "25"), "mismatch");
        assertEquals(1, e.getMismatches().size());
        assertEquals("AMOUNT", e.getMismatches().get(0).get("field"));
        assertEquals("25", e.getMismatches().get(0).get("expected"));
        assertEquals("2500", e.getMismatches().get(0).get("actual"));

        e = refused(with(genuine, "ORDERNO", "SOMEONE-ELSES"), "mismatch");
        assertEquals("ORDERNO", e.getMismatches().get(0).get("field"));
        assertEquals(paid.orderNo, e.getMismatches().get(0).get("actual"));

        // Naming only the TID confirms: to CookiePay's amount, not a claimed one.
        assertEquals("2500", fx.client().confirmNoti("{\"TID\":\"" + paid.tid + "\"}").getString("AMOUNT"));
    }

    @Test
    void unknownOrMissingTidsAreNotConfirmed() {
        Map<String, Object> unknown = new LinkedHashMap<String, Object>();
        unknown.put("TID", "SBX-NO-SUCH-TID");
        unknown.put("ORDERNO", "A1");
        unknown.put("AMOUNT", "1000");
        CookiePayNotiNotConfirmedException e = refused(unknown, "unknown_tid");
        assertNotNull(e.getCode());
        assertFalse(e.getCode().isEmpty());
        assertNotEquals("0000", e.getCode());
        // A declined recurring charge's Noti has no TID: nothing in it can be confirmed.
        Map<String, Object> declined = new LinkedHashMap<String, Object>();
        declined.put("RESERVE_ID", "r1");
        declined.put("PAY_CNT", "9");
        declined.put("TID", "");
        declined.put("RESULTCODE", "C001");
        refused(declined, "no_tid");
        assertThrows(CookiePayValidationException.class, () -> fx.client().confirmNoti((String) null));
        assertThrows(CookiePayInvalidArgumentException.class, () -> fx.client().confirmNoti(new byte[] {0x7B, (byte) 0xFF, 0x7D}));
    }

    @Test
    void kindCancelOnlyWhenPaycertShowsTheCancellation() {
        CookiePayClient client = fx.client();
        String tid = fx.sandbox().pay(client, 3000).tid;
        Map<String, Object> approval = sentNoti("payment", tid);

        refused(with(with(approval, "CANCELDATE", "20260101120000"), "CANCELMSG", "취소"), "not_cancelled");

        client.cancel(tid, "환불");
        CookiePayResult cancelled = client.confirmNoti(Json.write(sentNoti("cancel", tid)));
        assertEquals("cancel", cancelled.getString("kind"));
        assertEquals("cancel:" + tid + ":" + client.paycert(tid).getString("CANCELDATE"), cancelled.getString("dedup_key"));
        assertFalse(cancelled.getData().containsKey("CANCEL_AMT"), "CANCEL_AMT came from the body");
        // The approval's Noti, delivered late, is what CookiePay now shows: a cancelled payment.
        Set<String> keys = new HashSet<String>();
        keys.add(cancelled.getString("dedup_key"));
        keys.add(client.confirmNoti(Json.write(approval)).getString("dedup_key"));
        assertEquals(1, keys.size(), keys.toString());
    }
}
