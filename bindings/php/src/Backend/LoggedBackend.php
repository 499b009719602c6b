<?php

namespace CookiePay\Backend;

/**
 * A backend whose exchanges go to the config's "logger" (ExchangeLog) when each call returns.
 *
 * @internal use CookiePay\Client
 */
final class LoggedBackend implements Backend
{
    /** @var Backend */
    private $inner;
    /** @var ExchangeLog */
    private $log;

    public function __construct(Backend $inner, ExchangeLog $log)
    {
        $this->inner = $inner;
        $this->log = $log;
    }

    public function name(): string
    {
        return $this->inner->name();
    }

    public function call(
        string $function,
        #[\SensitiveParameter]
        string $requestJson
    ): array {
        try {
            return $this->inner->call($function, $requestJson);
        } finally {
            $this->log->flush();
        }
    }

    public function callSensitive(
        string $function,
        #[\SensitiveParameter]
        string &$requestJson
    ): array {
        try {
            return $this->inner->callSensitive($function, $requestJson);
        } finally {
            $this->log->flush();
        }
    }

    public function close(): void
    {
        $this->inner->close();
    }
}
