<?php

namespace CookiePay\Backend;

/**
 * What a Client runs its operations on: libcookiepay through FFI, or the pure-PHP port of the core.
 * Operations are named by their C function (cookiepay_ready, ...) and take the request as JSON text,
 * so both backends see exactly the same input.
 *
 * @internal use CookiePay\Client
 */
interface Backend
{
    /** "ffi" or "php". */
    public function name(): string;

    /** @return array the operation's data; an error is thrown as a CookiePayException */
    public function call(string $function, string $requestJson): array;

    /** call() for a request holding card data: $requestJson is emptied as soon as it has been read. */
    public function callSensitive(string $function, string &$requestJson): array;

    public function close(): void;
}
