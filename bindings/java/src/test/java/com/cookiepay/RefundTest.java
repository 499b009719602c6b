package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** cancel: whole, partial, too much, twice, after settlement (9029); each sent exactly once. */
class RefundTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    private static String charge(long amount) {
        return fx.client().billkeygen(Sandbox.signUp(Sandbox.CARD_OK, amount, 0)).getString("TID");
    }

    @Test
    void aWholeRefundThenTheSameAgainIsAlreadyCancelled() {
        String tid = charge(12_000);
        long before = fx.sandbox().count("cancel");
        CookiePayResult refund = fx.client().cancel(tid, "고객취소 🙏");
        assertEquals(before + 1, fx.sandbox().count("cancel"));
        assertEquals(Boolean.FALSE, refund.get("already_cancelled"), refund.getRawJson());
        assertEquals("0000", refund.getString("cancel_code"));
        assertEquals("12000", refund.getString("cancel_amt"));
        assertNotNull(refund.getString("cancel_tid"));
        assertNotNull(refund.getString("cancel_date"));
        // paycert (and so verify) now sees the cancellation.
        assertNotNull(fx.client().paycert(tid).getString("CANCELDATE"));
        assertThrows(CookiePayVerificationFailedException.class, () -> fx.client().verify(tid, fx.client().paycert(tid).getString("ORDERNO"), 12_000L));

        CookiePayResult again = fx.client().cancel(tid, "고객취소");
        assertEquals(Boolean.TRUE, again.get("already_cancelled"), again.getRawJson());
        assertEquals(before + 2, fx.sandbox().count("cancel"));
    }

    @Test
    void partialRefundThenTooMuchThenTheRestThenAlreadyCancelled() {
        String tid = charge(10_000);
        CookiePayResult part = fx.client().cancel(tid, "부분취소", 3_000L);
        assertEquals(Boolean.FALSE, part.get("already_cancelled"), part.getRawJson());
        assertEquals("3000", part.getString("cancel_amt"));

        long before = fx.sandbox().count("cancel");
        CookiePayApiException tooMuch = assertThrows(CookiePayApiException.class, () -> fx.client().cancel(tid, "초과", 8_000L));
        assertEquals("api", tooMuch.getKind());
        assertNotNull(tooMuch.getCode());
        assertFalse("0000".equals(tooMuch.getCode()));
        assertEquals(before + 1, fx.sandbox().count("cancel"), "refused once, not retried");

        CookiePayResult rest = fx.client().cancel(tid, "잔액취소", 7_000L);
        assertEquals("7000", rest.getString("cancel_amt"), rest.getRawJson());
        assertEquals(Boolean.FALSE, rest.get("already_cancelled"));

        CookiePayResult done = fx.client().cancel(tid, "다시", null);
        assertEquals(Boolean.TRUE, done.get("already_cancelled"), done.getRawJson());
    }

    @Test
    void refundAccountFieldsAreAccepted() {
        String tid = charge(6_000);
        CookiePayResult refund = fx.client().cancel(tid, "가상계좌 환불", 1_000L, "088", "110-123-456789", "홍길동");
        assertEquals("1000", refund.getString("cancel_amt"), refund.getRawJson());
    }

    @Test
    void afterSettlementTheRefundIs9029() {
        String tid = charge(8_000);
        fx.sandbox().settle(tid);
        long before = fx.sandbox().count("cancel");
        CookiePayApiException e = assertThrows(CookiePayApiException.class, () -> fx.client().cancel(tid, "정산후 취소"));
        assertEquals("9029", e.getCode());
        assertTrue(e.getMessage().contains("입금후 취소"), e.getMessage());
        assertEquals(before + 1, fx.sandbox().count("cancel"));
    }

    @Test
    void badCancelRequestsAreValidationErrorsAndNothingIsSent() {
        long before = fx.sandbox().totalRequests();
        assertThrows(CookiePayValidationException.class, () -> fx.client().cancel(null, "x"));
        assertThrows(CookiePayValidationException.class, () -> fx.client().cancel("SBX1", "x", 0L));
        assertEquals(before, fx.sandbox().totalRequests());
    }
}
