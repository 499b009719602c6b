package com.cookiepay;

import java.util.List;
import java.util.Map;

/**
 * Kind {@code noti_not_confirmed} ({@link CookiePayClient#confirmNoti}): CookiePay's paycert does not
 * back the Noti — it names no TID (a declined recurring charge has none), CookiePay does not know the
 * TID, a field contradicts paycert, or it reports a cancellation paycert does not show. Act on
 * nothing in it.
 */
public class CookiePayNotiNotConfirmedException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayNotiNotConfirmedException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }

    /** {@code no_tid}, {@code invalid_tid}, {@code unknown_tid}, {@code mismatch} or {@code not_cancelled}. */
    public String getReason() {
        return text("reason");
    }

    /** One map per differing field: {@code field}, {@code expected} (the Noti's), {@code actual} (paycert's). */
    public List<Map<String, Object>> getMismatches() {
        return CookiePayValidationException.maps(getError().get("mismatches"));
    }

    /** paycert's result code when it did not confirm the TID ({@code unknown_tid}); else null. */
    public String getCode() {
        return text("code");
    }
}
