package com.cookiepay;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kind {@code library} (this binding's own, as in the PHP binding): libcookiepay cannot be used in
 * this JVM. Today that is a JVM that denies native access (JDK 24+ with
 * {@code --illegal-native-access=deny}, the announced future default): the message names the flag
 * that allows it, {@code --enable-native-access=ALL-UNNAMED}. Thrown by the first call and by every
 * later one, since the JVM's flags cannot change while it runs. A library that is missing or of
 * another release is still reported with an {@link UnsatisfiedLinkError} (see the README).
 */
public class CookiePayLibraryException extends CookiePayException {
    private static final long serialVersionUID = 1L;

    CookiePayLibraryException(String message, Throwable cause) {
        this(error(message), cause);
    }

    private CookiePayLibraryException(Map<String, Object> error, Throwable cause) {
        super(error, envelope(error));
        if (cause != null) {
            initCause(cause);
        }
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> error = new LinkedHashMap<String, Object>();
        error.put("kind", "library");
        error.put("message", message);
        return error;
    }

    private static String envelope(Map<String, Object> error) {
        Map<String, Object> envelope = new LinkedHashMap<String, Object>();
        envelope.put("ok", Boolean.FALSE);
        envelope.put("error", error);
        return Json.write(envelope);
    }
}
