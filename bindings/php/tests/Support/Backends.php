<?php

namespace CookiePay\Tests\Support;

use PHPUnit\Framework\SkippedTestError;

/**
 * The backend this run tests: test.sh runs the suite once with COOKIEPAY_PHP_BACKEND=ffi and once
 * with =php (the default, for a plain `phpunit`, is ffi). Clients of the suite pick it up through the
 * environment, the example shop and php -S too.
 */
final class Backends
{
    public static function name(): string
    {
        return getenv('COOKIEPAY_PHP_BACKEND') === 'php' ? 'php' : 'ffi';
    }

    public static function pure(): bool
    {
        return self::name() === 'php';
    }

    /** Skip, visibly and with the reason, a test that is about libcookiepay and FFI themselves. */
    public static function requireFfi(string $why): void
    {
        if (self::pure()) {
            throw new SkippedTestError('FFI-only: ' . $why);
        }
    }

    /** Is this PHP the WebAssembly build under Node (php-wasm: bindings/php/test-versions.sh)? */
    public static function phpWasm(): bool
    {
        return php_uname('s') === 'Emscripten';
    }

    /** Skip, visibly and with the reason, what php-wasm cannot do; test-versions.sh counts these per version. */
    public static function requireNativePhp(string $why): void
    {
        if (self::phpWasm()) {
            throw new SkippedTestError('php-wasm: ' . $why);
        }
    }
}
