package com.cookiepay;

import java.util.Collections;
import java.util.Map;

/**
 * Every failure of a CookiePay call: one subclass per error kind of the core (see the repository
 * README's error table), all unchecked. {@link #getKind()}, {@link #getMessage()},
 * {@link #getError()} (the error object as a map) and {@link #getRawJson()} (the envelope as the
 * library returned it, for logs and support tickets) are always there. Messages and fields never
 * contain the API key, a TOKEN or card data.
 */
public class CookiePayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final transient Map<String, Object> error;
    private final String rawJson;

    CookiePayException(Map<String, Object> error, String rawJson) {
        super(messageOf(error));
        this.kind = String.valueOf(Json.asText(error.get("kind")));
        this.error = Collections.unmodifiableMap(error);
        this.rawJson = rawJson;
    }

    private static String messageOf(Map<String, Object> error) {
        String message = Json.asText(error.get("message"));
        return message != null ? message : "CookiePay call failed";
    }

    /** The error kind: {@code invalid_argument}, {@code validation}, {@code api}, … */
    public String getKind() {
        return kind;
    }

    /** The error object: {@code kind}, {@code message} and the kind's own fields. */
    public Map<String, Object> getError() {
        // transient: after deserialization only the raw JSON is left to read it from.
        return error != null ? error : Json.asMap(Json.asMap(Json.parse(rawJson)).get("error"));
    }

    /** The whole envelope {@code {"ok":false,"error":{…}}} as the library returned it. */
    public String getRawJson() {
        return rawJson;
    }

    /**
     * {@code unknown} when the call may have taken effect although it failed — a timeout, a lost
     * connection, or a 5xx or unreadable answer after the request was sent — {@code not_applied}
     * when it certainly did not, or null when the kind does not say (validation, api, …: nothing
     * was done).
     */
    public String getOutcome() {
        return text("outcome");
    }

    /**
     * Whether the call may have taken effect although it failed ({@link #getOutcome()}
     * {@code unknown}). After a money call (billkeygen, recurringCharge, cancel, request) look the
     * payment up with paysearch or paycert before trying again; never repeat it blindly.
     */
    public boolean isOutcomeUnknown() {
        return "unknown".equals(getOutcome());
    }

    /** One field of the error object as text (numbers too); null if absent. */
    protected String text(String field) {
        return Json.asText(getError().get(field));
    }

    /** The exception for an error object of any kind; an unknown kind gets this base class. */
    static CookiePayException of(Map<String, Object> error, String rawJson) {
        String kind = String.valueOf(error.get("kind"));
        switch (kind) {
            case "invalid_argument":
                return new CookiePayInvalidArgumentException(error, rawJson);
            case "validation":
                return new CookiePayValidationException(error, rawJson);
            case "api":
                return new CookiePayApiException(error, rawJson);
            case "verification_failed":
                return new CookiePayVerificationFailedException(error, rawJson);
            case "network":
                return new CookiePayNetworkException(error, rawJson);
            case "timeout":
                return new CookiePayTimeoutException(error, rawJson);
            case "http":
                return new CookiePayHttpException(error, rawJson);
            case "decode":
                return new CookiePayDecodeException(error, rawJson);
            case "internal":
                return new CookiePayInternalException(error, rawJson);
            case "noti_not_confirmed":
                return new CookiePayNotiNotConfirmedException(error, rawJson);
            default:
                return new CookiePayException(error, rawJson);
        }
    }
}
