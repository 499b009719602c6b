package com.cookiepay;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The config's {@code logger}: one record per HTTP exchange (each attempt of a call) with
 * {@code operation}, {@code method}, {@code path}, {@code status} (null when no answer came),
 * {@code duration_ms}, {@code attempt}, {@code outcome} ("answered" or the error kind) and
 * {@code may_have_taken_effect}. A record never holds a body, the API key, a TOKEN, a BILLKEY or card
 * data. Records are delivered on the calling thread when the call returns; an exception thrown by
 * the listener is swallowed (logging never breaks a payment).
 *
 * <p>A {@link Logger} gets {@code FINE} for answers below 500 and {@code WARNING} otherwise, with
 * the record as the log record's only parameter.
 */
final class ExchangeLog {
    private final Consumer<Map<String, Object>> listener;

    private ExchangeLog(Consumer<Map<String, Object>> listener) {
        this.listener = listener;
    }

    @SuppressWarnings("unchecked")
    static ExchangeLog of(Object logger) {
        if (logger == null) {
            return null;
        }
        if (logger instanceof Logger) {
            Logger jul = (Logger) logger;
            return new ExchangeLog(record -> toJul(jul, record));
        }
        if (logger instanceof Consumer) {
            return new ExchangeLog((Consumer<Map<String, Object>>) logger);
        }
        throw new IllegalArgumentException("config key \"logger\" must be a java.util.logging.Logger or a "
                + "Consumer<Map<String, Object>>, not " + logger.getClass().getName());
    }

    void deliver(String recordsJson) {
        List<Object> records;
        try {
            records = Json.asList(Json.parse(recordsJson));
        } catch (RuntimeException e) {
            records = Collections.emptyList();
        }
        for (Object record : records) {
            try {
                listener.accept(Collections.unmodifiableMap(Json.asMap(record)));
            } catch (RuntimeException e) {
                // The caller's logger failing must not turn a done payment into an exception.
            }
        }
    }

    private static void toJul(Logger jul, Map<String, Object> record) {
        Object status = record.get("status");
        boolean fine = "answered".equals(record.get("outcome"))
                && status instanceof Number && ((Number) status).intValue() < 500;
        Level level = fine ? Level.FINE : Level.WARNING;
        if (!jul.isLoggable(level)) {
            return;
        }
        String message = "cookiepay " + record.get("operation") + " " + record.get("method") + " "
                + record.get("path") + " -> " + (status == null ? record.get("outcome") : status) + " in "
                + record.get("duration_ms") + " ms (attempt " + record.get("attempt") + ")";
        LogRecord logRecord = new LogRecord(level, message);
        logRecord.setLoggerName(jul.getName());
        logRecord.setParameters(new Object[] {record});
        jul.log(logRecord);
    }
}
