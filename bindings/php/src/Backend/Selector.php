<?php

namespace CookiePay\Backend;

use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\LibraryException;
use CookiePay\Native;

/**
 * Which backend runs a client: the config's "backend" ("ffi", "php" or "auto"), else the environment
 * variable COOKIEPAY_PHP_BACKEND, else "auto" — libcookiepay through FFI when this PHP can use it,
 * the pure-PHP backend when FFI is missing, off or restricted, or no library for this platform is
 * found. A library that is present but wrong (another ABI) is still an error, never a silent switch.
 *
 * @internal use CookiePay\Client
 */
final class Selector
{
    const ENV = 'COOKIEPAY_PHP_BACKEND';
    const CHOICES = ['ffi', 'php', 'auto'];

    /** @var bool|null whether the static calls (parseReturn, parseNoti, version) use the pure backend */
    public static $staticPure;

    /** @var string|null the process default (environment), read once */
    private static $default;

    /** @var bool[] lib_path ("" for none) => FFI usable: the "auto" decision, made once per process */
    private static $usable = [];

    /**
     * @param mixed $choice the config's "backend", or null
     * @throws CookiePayException validation for an unknown choice; LibraryException when FFI was
     *     asked for, or is there but unusable
     */
    public static function usePure($choice, ?string $libPath): bool
    {
        $pure = self::choose($choice, $libPath);
        if ($pure && !function_exists('curl_init')) {
            // Found here rather than as "Call to undefined function curl_init()" at the first call.
            throw new LibraryException(($choice === 'php' || ($choice === null && self::defaultChoice() === 'php')
                ? 'the pure-PHP backend ("php") needs the curl extension (ext-curl), which this PHP has not loaded: '
                : 'this PHP has neither a usable FFI for libcookiepay nor the curl extension (ext-curl) the pure-PHP backend needs: ')
                . 'install or enable ext-curl (e.g. apt install php-curl, or extension=curl in php.ini; see php --ini), '
                . 'or enable FFI (extension=ffi, ffi.enable) for libcookiepay', null, LibraryException::CURL_UNAVAILABLE);
        }
        return $pure;
    }

    /** Whether the pure backend runs a client: the choice alone (parseReturn, parseNoti and version need no curl). */
    private static function choose($choice, ?string $libPath): bool
    {
        if ($choice === null) {
            $choice = self::defaultChoice();
        }
        if ($choice === 'php') {
            return true;
        }
        if ($choice === 'ffi') {
            return false;
        }
        if ($choice !== 'auto') {
            throw CookiePayException::fromError(['kind' => 'validation', 'message' => '1 field failed validation: backend (one_of)',
                'fields' => [['field' => 'backend', 'rule' => 'one_of', 'message' => 'backend must be "ffi", "php" or "auto"']]]);
        }
        return !self::ffiUsable($libPath);
    }

    /** The backend of the static calls, decided on first use. */
    public static function decideStatic(): bool
    {
        self::$staticPure = self::choose(null, null);
        return self::$staticPure;
    }

    private static function defaultChoice(): string
    {
        if (self::$default === null) {
            $env = getenv(self::ENV);
            self::$default = is_string($env) && $env !== '' ? strtolower(trim($env)) : 'auto';
        }
        return self::$default;
    }

    private static function ffiUsable(?string $libPath): bool
    {
        $key = (string) $libPath;
        if (isset(self::$usable[$key])) {
            return self::$usable[$key];
        }
        try {
            Native::ffi($libPath);
            $usable = true;
        } catch (LibraryException $e) {
            $why = $e->unavailable();
            // An explicit lib_path that is missing is a mistake to report, not a reason to switch.
            if ($why !== LibraryException::FFI_UNAVAILABLE && ($why !== LibraryException::LIBRARY_MISSING || $libPath !== null)) {
                throw $e;
            }
            $usable = false;
        }
        return self::$usable[$key] = $usable;
    }
}
