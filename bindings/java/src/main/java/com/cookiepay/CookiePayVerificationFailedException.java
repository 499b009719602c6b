package com.cookiepay;

import java.util.List;
import java.util.Map;

/** Kind {@code verification_failed}: the payment differs from the stored order, or was cancelled.
 * Do not ship the order. */
public class CookiePayVerificationFailedException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayVerificationFailedException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }

    /** One map per differing field: {@code field}, {@code expected}, {@code actual}. */
    public List<Map<String, Object>> getMismatches() {
        return CookiePayValidationException.maps(getError().get("mismatches"));
    }

    /** The payment as paycert reported it. */
    public Map<String, Object> getPayment() {
        return Json.asMap(getError().get("payment"));
    }
}
