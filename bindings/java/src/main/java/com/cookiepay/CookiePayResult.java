package com.cookiepay;

import java.util.Collections;
import java.util.Map;

/**
 * The answer of one call: {@link #getData()} is the {@code data} object of the envelope as a map
 * (values as CookiePay sent them, mostly strings), readable from a JSP as {@code ${result.data.TID}};
 * {@link #getRawJson()} is the envelope text, for logs and support tickets.
 */
public final class CookiePayResult {
    private final Map<String, Object> data;
    private final String rawJson;

    CookiePayResult(Map<String, Object> data, String rawJson) {
        this.data = Collections.unmodifiableMap(data);
        this.rawJson = rawJson;
    }

    /** The fields of the answer (see the repository README for each call's fields). */
    public Map<String, Object> getData() {
        return data;
    }

    /** One field as it was sent: a String, Long, Double, Boolean, Map, List or null. */
    public Object get(String field) {
        return data.get(field);
    }

    /** One field as text (numbers and booleans too); null if absent, null or not a scalar. */
    public String getString(String field) {
        return Json.asText(data.get(field));
    }

    /** The whole envelope {@code {"ok":true,"data":{…}}} as the library returned it. */
    public String getRawJson() {
        return rawJson;
    }

    /** Field names only: a token's TOKEN or a payment's BILLKEY must not end up in a log by accident. */
    @Override
    public String toString() {
        return "CookiePayResult" + data.keySet();
    }
}
