package com.cookiepay;

import java.util.Map;

/** Kind {@code invalid_argument}: a null or unreadable argument, or a JSON value of the wrong type. */
public class CookiePayInvalidArgumentException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayInvalidArgumentException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }
}
