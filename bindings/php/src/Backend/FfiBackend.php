<?php

namespace CookiePay\Backend;

use CookiePay\Native;
use FFI\CData;

/**
 * libcookiepay through FFI: a native client handle; every call goes straight to Native (which
 * preload.php preloads, so it works under php-fpm's ffi.enable=preload).
 *
 * @internal use CookiePay\Client
 */
final class FfiBackend implements Backend
{
    /** @var CData|null the native handle; null once closed (the core answers invalid_argument) */
    private $handle;

    public function __construct(
        #[\SensitiveParameter]
        string $configJson,
        ?string $libPath,
        ?ExchangeLog $log = null
    ) {
        $this->handle = Native::newClient($configJson, $libPath, $log === null ? null : [$log, 'add']);
    }

    public function name(): string
    {
        return 'ffi';
    }

    public function call(
        string $function,
        #[\SensitiveParameter]
        string $requestJson
    ): array {
        return Native::call($function, $this->handle, $requestJson);
    }

    public function callSensitive(
        string $function,
        #[\SensitiveParameter]
        string &$requestJson
    ): array {
        return Native::callSensitive($function, $this->handle, $requestJson);
    }

    public function close(): void
    {
        if ($this->handle !== null) {
            $handle = $this->handle;
            $this->handle = null;
            Native::freeClient($handle);
        }
    }

    /** For tests that reach the native handle. */
    public function handle(): ?CData
    {
        return $this->handle;
    }

    public function __destruct()
    {
        $this->close();
    }

    private function __clone()
    {
    }
}
