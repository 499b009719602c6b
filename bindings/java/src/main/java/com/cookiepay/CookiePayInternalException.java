package com.cookiepay;

import java.util.Map;

/** Kind {@code internal}: a bug in the library (a Rust panic), caught at the boundary before it
 * could take the JVM down. Please report it with {@link CookiePayClient#version()}. */
public class CookiePayInternalException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayInternalException(Map<String, Object> error, String rawJson) {
        super(error, rawJson);
    }
}
