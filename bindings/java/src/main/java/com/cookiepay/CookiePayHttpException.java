package com.cookiepay;

import java.util.Map;

/** Kind {@code http}: an unexpected HTTP status or body (a 500, a proxy's HTML page). */
public class CookiePayHttpException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayHttpException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }

    /** The HTTP status, e.g. 500. */
    public int getStatus() {
        Object status = getError().get("status");
        return status instanceof Number ? ((Number) status).intValue() : 0;
    }

    /** The Content-Type of the answer, or null. */
    public String getContentType() {
        return text("content_type");
    }

    /** The start of the body. */
    public String getExcerpt() {
        return text("excerpt");
    }
}
