package com.cookiepay;

import java.util.Map;

/** Kind {@code timeout}: no answer within {@code timeout_ms}. */
public class CookiePayTimeoutException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayTimeoutException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }

    /**
     * {@code unknown} when the call may have taken effect — the message ends with what settles it
     * for that call; never simply repeat it — else {@code not_applied}.
     */
    @Override
    public String getOutcome() {
        return text("outcome");
    }
}
