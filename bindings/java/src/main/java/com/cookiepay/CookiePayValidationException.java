package com.cookiepay;

import java.util.List;
import java.util.Map;

/** Kind {@code validation}: the input breaks the manual's rules; every problem is listed at once. */
public class CookiePayValidationException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayValidationException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }

    /** One map per problem: {@code field}, {@code rule}, {@code message}. */
    public List<Map<String, Object>> getFields() {
        return maps(getError().get("fields"));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<Map<String, Object>> maps(Object value) {
        return (List) Json.asList(value);
    }
}
