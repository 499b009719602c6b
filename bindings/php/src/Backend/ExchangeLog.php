<?php

namespace CookiePay\Backend;

use CookiePay\Exception\ValidationException;

/**
 * The config's "logger": any PSR-3 logger (duck-typed: an object with log($level, $message, array
 * $context)) gets one record per HTTP exchange, each attempt of a call: operation, method, path,
 * status (null when no answer came), duration_ms, attempt, outcome ("answered" or the error kind) and
 * may_have_taken_effect, as the context; never a body, the API key, a TOKEN, a BILLKEY or card data.
 *
 * Records are collected while the call runs (from libcookiepay's observer, or the pure backend's
 * transport) and handed to the logger when it returns, on the same thread: the logger never runs
 * inside a native frame, and an exception it throws is swallowed (logging never breaks a payment).
 *
 * @internal use CookiePay\Client
 */
final class ExchangeLog
{
    /** @var object */
    private $logger;
    /** @var array[] records of the running call */
    private $pending = [];

    private function __construct($logger)
    {
        $this->logger = $logger;
    }

    /**
     * @param mixed $logger the config's "logger"
     * @throws ValidationException when it is not null and has no log() method
     */
    public static function of($logger): ?ExchangeLog
    {
        if ($logger === null) {
            return null;
        }
        if (!is_object($logger) || !is_callable([$logger, 'log'])) {
            $message = 'logger must be a PSR-3 logger (an object with log($level, $message, array $context))';
            throw new ValidationException([
                'kind' => 'validation',
                'message' => 'logger: ' . $message,
                'fields' => [['field' => 'logger', 'rule' => 'type', 'message' => $message]],
            ]);
        }
        return new self($logger);
    }

    /** One exchange's record, as libcookiepay's observer gives it (JSON) or as an array. */
    public function add($record): void
    {
        if (is_string($record)) {
            $record = json_decode($record, true);
        }
        if (is_array($record)) {
            $this->pending[] = $record;
        }
    }

    /** Hand the running call's records to the logger. */
    public function flush(): void
    {
        $records = $this->pending;
        $this->pending = [];
        foreach ($records as $record) {
            $fine = ($record['outcome'] ?? '') === 'answered' && is_int($record['status'] ?? null)
                && $record['status'] < 500;
            $message = sprintf(
                'cookiepay %s %s %s -> %s in %d ms (attempt %d)',
                (string) ($record['operation'] ?? ''),
                (string) ($record['method'] ?? ''),
                (string) ($record['path'] ?? ''),
                isset($record['status']) ? (string) $record['status'] : (string) ($record['outcome'] ?? ''),
                (int) ($record['duration_ms'] ?? 0),
                (int) ($record['attempt'] ?? 0)
            );
            try {
                $this->logger->log($fine ? 'info' : 'warning', $message, $record);
            } catch (\Throwable $e) {
                // The shop's logger failing must not turn a done payment into an exception.
            }
        }
    }
}
