package com.cookiepay;

import java.util.Map;

/** Kind {@code decode}: an unreadable answer (broken JSON, over 1 MiB, missing fields). */
public class CookiePayDecodeException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayDecodeException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }

    /** The start of the body. */
    public String getExcerpt() {
        return text("excerpt");
    }
}
