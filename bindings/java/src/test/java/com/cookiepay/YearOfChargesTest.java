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

            Set<String> seen = new LinkedHashSet<String>();     // dedup_keys processed
            Set<String> paidTids = new LinkedHashSet<String>();  // confirmed charges of this subscription
            paidTids.add(signUp.getString("TID"));
            List<String> declines = new ArrayList<String>();
            int retries = 0;

            // A week at a time: no step can cross two pay days.
            for (int week = 0; week < 56; week++) {
                fx.sandbox().advanceDays(7);
                for (byte[] body : inbox.drain(week == 55 ? 1_000 : 150)) {
                    CookiePayResult noti = CookiePayClient.parseNoti(body);
                    if (!seen.add(noti.getString("dedup_key"))) {
                        continue; // a repeated Noti: processed already
                    }
                    if (!"recurring".equals(noti.getString("kind"))) {
                        continue;
                    }
                    assertEquals(reserveId, noti.getString("RESERVE_ID"), noti.getRawJson());
                    if (!"0000".equals(noti.getString("RESULTCODE"))) {
                        declines.add(noti.getString("RESULTCODE"));
                        // Dunning: charge this cycle again now (the card works again).
                        CookiePayResult retry = client.recurringCharge(reserveId, billkey);
                        retries++;
                        assertEquals("0000", retry.getString("RESULTCODE"), retry.getRawJson());
                        assertTrue(paidTids.add(retry.getString("TID")));
                        continue;
                    }
                    // Unauthenticated: confirm with paycert before counting the cycle as paid.
                    String tid = noti.getString("TID");
                    assertEquals(tid, client.verify(tid, noti.getString("ORDERNO"), AMOUNT).getString("TID"));
                    assertTrue(noti.getString("ORDERNO").startsWith("SRS"), noti.getString("ORDERNO"));
                    assertTrue(paidTids.add(tid), "a second Noti for " + tid + " with a new dedup_key");
                }
            }

            assertEquals(1, declines.size(), "the dunning card declines exactly one cycle: " + declines);
            assertEquals("C001", declines.get(0));
            assertEquals(1, retries);
            assertEquals(12, paidTids.size(), "a year: the sign-up charge and eleven more, one of them the retry: " + paidTids);

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
