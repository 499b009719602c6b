package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A year of a monthly subscription on the sandbox clock, as a shop's Noti handler lives it: each
 * cycle's Noti parsed, de-duplicated and confirmed with verify before it counts as paid; the one
 * cycle the dunning card declines charged again with recurringCharge; then the end.
 */
class YearOfChargesTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    private static final long AMOUNT = 9_900;

    @Test
    void twelveMonthlyChargesWithOneDeclineRecovered() throws Exception {
        CookiePayClient client = fx.client();
        try (NotiInbox inbox = new NotiInbox()) {
            fx.sandbox().notiUrl(inbox.url());
            Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_DUNNING, AMOUNT, 12);
            CookiePayResult signUp = client.billkeygen(request);
            assertEquals(Boolean.TRUE, signUp.get("scheduled"), signUp.getRawJson());
            String reserveId = signUp.getString("RESERVE_ID");
            String billkey = signUp.getString("BILLKEY");

            Set<String> seen = new LinkedHashSet<String>();      // dedup_keys processed
            Set<String> paidTids = new LinkedHashSet<String>();  // confirmed charges of this subscription
            paidTids.add(signUp.getString("TID"));                // the caller records its own charge
            List<String> declines = new ArrayList<String>();
            int retries = 0;
            int scheduledRuns = 0;
            int scheduledDeclines = 0;

            // A week at a time: no step can cross two pay days.
            for (int week = 0; week < 56; week++) {
                for (Object run : Json.asList(fx.sandbox().advanceDays(7).get("charged"))) {
                    scheduledRuns++;
                    if (!"0000".equals(Json.asMap(run).get("RESULTCODE"))) {
                        scheduledDeclines++;
                    }
                }
                for (byte[] body : inbox.drain(week == 55 ? 1_000 : 150)) {
                    CookiePayResult noti = CookiePayClient.parseNoti(body);
                    assertEquals("recurring", noti.getString("kind"), noti.getRawJson());
                    assertEquals(reserveId, noti.getString("RESERVE_ID"), noti.getRawJson());
                    if (!seen.add(noti.getString("dedup_key"))) {
                        continue; // a repeated Noti: processed already
                    }
                    String tid = noti.getString("TID");
                    if (!"0000".equals(noti.getString("RESULTCODE"))) {
                        declines.add(noti.getString("RESULTCODE"));
                        assertEquals("", tid, "a declined cycle has no TID");
                        // Dunning: charge the unpaid cycle again now (the card works again).
                        CookiePayResult retry = client.recurringCharge(reserveId, billkey);
                        retries++;
                        assertEquals("0000", retry.getString("RESULTCODE"), retry.getRawJson());
                        assertEquals(noti.getString("PAY_CNT"), retry.getString("PAY_CNT"), "the retry pays the declined cycle");
                        assertEquals("2", retry.getString("TRY_CNT"));
                        assertTrue(paidTids.add(retry.getString("TID")));
                        continue;
                    }
                    if (paidTids.contains(tid)) {
                        continue; // the Noti of a charge this shop made and recorded itself
                    }
                    // Unauthenticated: confirm with paycert before counting the cycle as paid.
                    assertEquals(tid, client.verify(tid, noti.getString("ORDERNO"), AMOUNT).getString("TID"));
                    assertTrue(noti.getString("ORDERNO").startsWith("SRS"), noti.getString("ORDERNO"));
                    paidTids.add(tid);
                }
            }

            assertEquals(11, scheduledRuns, "cycles 2 to 12 ran on their dates");
            assertEquals(1, scheduledDeclines);
            assertEquals(1, declines.size(), "the dunning card declines exactly one cycle: " + declines);
            assertEquals("C001", declines.get(0));
            assertEquals(1, retries);
            assertEquals(12, paidTids.size(), "a year: twelve cycles paid, one of them by the retry: " + paidTids);
            assertEquals(13, seen.size(), "12 charges and 1 decline, each notified once: " + seen);

            // Nothing more is due; ending the subscription: schedule, then the key.
            fx.sandbox().advanceDays(62);
            for (byte[] body : inbox.drain(500)) {
                CookiePayResult noti = CookiePayClient.parseNoti(body);
                assertFalse("recurring".equals(noti.getString("kind")) && seen.add(noti.getString("dedup_key")),
                        "a charge after the last installment: " + noti.getRawJson());
            }
            CookiePayResult cancelled = client.scheduleCancel(reserveId);
            assertNotNull(cancelled.get("already_cancelled"));
            assertNotNull(client.billkeyDelete(billkey).getData());
        }
    }
}
