package com.cookiepay;

import java.util.Map;

/** Kind {@code api}: CookiePay answered a non-success code. */
public class CookiePayApiException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayApiException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }

    /** CookiePay's result code. */
    public String getCode() {
        return text("code");
    }

    /** CookiePay's own message. */
    public String getApiMessage() {
        return text("api_message");
    }

    /** The whole answer CookiePay sent. */
    public Map<String, Object> getResponse() {
        return Json.asMap(getError().get("response"));
    }

    /**
     * What to do about this code, when the library knows (e.g. cancel's {@code 9029}: the payment is
     * settled, refund it with 입금후 취소); null otherwise.
     */
    public String getHint() {
        return text("hint");
    }

    /**
     * For decrypt: {@code outer} (the decryption call failed) or {@code inner} (the payment itself,
     * e.g. declined); null for other calls.
     */
    public String getLayer() {
        return text("layer");
    }
}
