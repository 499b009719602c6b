package com.cookiepay;

import java.util.Map;

/** Kind {@code network}: no usable connection to CookiePay. */
public class CookiePayNetworkException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayNetworkException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }

    /** {@code dns}, {@code connect} (often a firewall), {@code tls} (often an inspecting proxy) or {@code read}. */
    public String getPhase() {
        return text("phase");
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
