package com.cookiepay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    /**
     * A field holding a list of objects, e.g. paysearch's {@code payments}, as maps; an empty list
     * if the field is absent or not a list (items that are not objects become empty maps).
     */
    public List<Map<String, Object>> getList(String field) {
        List<Map<String, Object>> out = new ArrayList<Map<String, Object>>();
        for (Object item : Json.asList(data.get(field))) {
            out.add(Json.asMap(item));
        }
        return Collections.unmodifiableList(out);
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
