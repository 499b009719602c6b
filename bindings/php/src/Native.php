<?php

namespace CookiePay;

use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\InternalException;
use CookiePay\Exception\InvalidArgumentException;
use CookiePay\Exception\LibraryException;
use FFI;
use FFI\CData;

/**
 * The only code that touches libcookiepay through FFI: load the library once per process, pass JSON
 * text in, copy the JSON envelope out and free it, turn an error envelope into an exception.
 *
 * Under php-fpm with the default ffi.enable=preload, PHP allows FFI calls only from preloaded code,
 * so every FFI call (FFI::scope, FFI::cdef, FFI::string, FFI::addr, ->new) is made directly in a
 * method of this class, which preload.php preloads.
 *
 * @internal use Client
 */
final class Native
{
    /** The FFI_SCOPE name of the preload header (bin/cookiepay-preload-header). */
    const SCOPE = 'cookiepay';

    /**
     * The C ABI this binding is written for (COOKIEPAY_ABI_VERSION of include/cookiepay.h): a library
     * that reports another one from cookiepay_abi_version() is refused when it is loaded.
     */
    const ABI_VERSION = 1;

    /** The card fields whose values never leave billkeygen(): in no exception, trace or dump. */
    const CARD_FIELDS = ['CARDNO', 'CARDPWD', 'CARDAUTH', 'EXPIREDT'];

    /** @var FFI|null one instance per process (per request under fpm, where the scope is shared) */
    private static $ffi;

    /** @var string how $ffi was obtained, for messages and tests */
    private static $source = '';

    /** @var string|null the library file behind $ffi, when we loaded it ourselves */
    private static $libraryFile;

    /** @var CData|null cookiepay_observer[1]: the callback every observed client shares */
    private static $observerCallback;

    /**
     * @var array<int, array{0: callable, 1: CData}> each open observed client's observer and the
     * int64_t its user_data points to, by that number (the handle's spl_object_id)
     */
    private static $observers = [];

    /**
     * The FFI instance. Order: the explicit $libPath; else the preloaded scope (ffi.preload); else
     * the COOKIEPAY_LIB environment variable; else the package's lib/ folder.
     */
    public static function ffi(?string $libPath = null): FFI
    {
        if (self::$ffi !== null) {
            if ($libPath !== null && self::$libraryFile !== realpath($libPath)) {
                throw new LibraryException(sprintf(
                    'libcookiepay is already loaded in this process (%s); one library per process, so lib_path %s cannot be used too',
                    self::$source,
                    $libPath
                ));
            }
            return self::$ffi;
        }
        if (!extension_loaded('ffi')) {
            throw new LibraryException(
                'The PHP FFI extension is not loaded: enable it with extension=ffi in php.ini '
                . '(Debian: part of php8.2-cli / php8.2-fpm; Windows: uncomment extension=ffi).',
                null,
                LibraryException::FFI_UNAVAILABLE
            );
        }
        if ($libPath === null && (string) ini_get('ffi.preload') !== '') {
            try {
                $scoped = FFI::scope(self::SCOPE);
                self::$source = 'preloaded FFI scope "' . self::SCOPE . '" (ffi.preload)';
                self::checkAbi($scoped);
                self::$ffi = $scoped;
                return self::$ffi;
            } catch (FFI\Exception $e) {
                if (self::isRestriction($e)) {
                    throw self::restricted();
                }
                // ffi.preload names other headers only: load the library ourselves.
            }
        }
        try {
            // An empty definition loads nothing but tells first whether FFI is allowed here at all.
            FFI::cdef();
        } catch (FFI\Exception $e) {
            throw self::isRestriction($e)
                ? self::restricted()
                : new LibraryException($e->getMessage(), $e, LibraryException::FFI_UNAVAILABLE);
        }
        $file = self::resolveLibrary($libPath);
        try {
            $loaded = FFI::cdef(self::declarations($file), $file);
        } catch (FFI\Exception $e) {
            throw self::isRestriction($e)
                ? self::restricted()
                : new LibraryException('Cannot load ' . $file . ': ' . $e->getMessage(), $e, LibraryException::LIBRARY_MISSING);
        }
        self::$source = $file;
        self::checkAbi($loaded);
        self::$ffi = $loaded;
        self::$libraryFile = $file;
        return self::$ffi;
    }

    /**
     * Refuse a library of another C ABI (e.g. an old libcookiepay.so left under a newer package): its
     * functions would be called with the wrong arguments.
     */
    private static function checkAbi(FFI $ffi): void
    {
        try {
            $abi = (int) $ffi->cookiepay_abi_version();
        } catch (FFI\Exception $e) {
            throw new LibraryException(sprintf(
                'The libcookiepay loaded from %s has no cookiepay_abi_version(): the library (or its declarations '
                . 'cookiepay_ffi.h) is older than this binding, which needs ABI %d. Install the library of the '
                . 'same release as the PHP package (its lib/ folder), and regenerate the preload header if you use one.',
                self::$source,
                self::ABI_VERSION
            ), $e);
        }
        if ($abi !== self::ABI_VERSION) {
            throw new LibraryException(sprintf(
                'The libcookiepay loaded from %s implements C ABI %d, but this PHP binding needs ABI %d: install '
                . 'the library of the same release as the PHP package (its lib/ folder), or the package that '
                . 'matches the library.',
                self::$source,
                $abi,
                self::ABI_VERSION
            ));
        }
    }

    /** Where the loaded library came from: a file path or the preloaded scope. */
    public static function source(): string
    {
        return self::$source;
    }

    /**
     * @return CData the client handle
     * @throws CookiePayException the core's validation error for a bad config
     */
    public static function newClient(
        #[\SensitiveParameter]
        string $configJson,
        ?string $libPath,
        ?callable $observer = null
    ): CData {
        $ffi = self::ffi($libPath);
        $error = $ffi->new('char *');
        if ($observer === null) {
            $handle = $ffi->cookiepay_client_new($configJson, FFI::addr($error));
        } else {
            // PHP FFI makes a trampoline for each closure passed as a C callback and frees them all
            // only when the request (in a CLI worker: the process) ends, ~1 KiB a client. So every
            // observed client shares one callback, and its user_data says whose observer it is.
            $cell = $ffi->new('int64_t');
            try {
                $handle = $ffi->cookiepay_client_new_observed($configJson, self::observerCallback($ffi), FFI::addr($cell), FFI::addr($error));
            } catch (FFI\Exception $e) {
                throw self::missingFunction('cookiepay_client_new_observed', $e);
            }
            if ($handle !== null) {
                $cell->cdata = spl_object_id($handle);
                self::$observers[$cell->cdata] = [$observer, $cell];
            }
        }
        if ($handle !== null) {
            return $handle;
        }
        if (FFI::isNull($error)) {
            throw new InternalException('cookiepay_client_new returned neither a client nor an error');
        }
        self::unwrap(self::take($ffi, $error));
        throw new InternalException('cookiepay_client_new failed with a success envelope');
    }

    public static function freeClient(CData $handle): void
    {
        self::ffi()->cookiepay_client_free($handle);
        unset(self::$observers[spl_object_id($handle)]);
    }

    /**
     * The one cookiepay_observer of this process: it runs inside the library's call, so it only hands
     * the record to the client's observer, which stores it (a Throwable escaping an FFI callback is
     * a fatal error); the logger gets it once the call has returned.
     */
    private static function observerCallback(FFI $ffi): CData
    {
        if (self::$observerCallback === null) {
            self::$observerCallback = $ffi->new('cookiepay_observer[1]');
            self::$observerCallback[0] = static function ($json, $userData): void {
                $id = FFI::cast('int64_t *', $userData)[0];
                if (!isset(self::$observers[$id])) {
                    return;
                }
                try {
                    (self::$observers[$id][0])(is_string($json) ? $json : FFI::string($json));
                } catch (\Throwable $e) {
                }
            };
        }
        return self::$observerCallback[0];
    }

    /**
     * Run one client operation (cookiepay_token, cookiepay_ready, ...). A closed client is passed as
     * NULL, which the core answers with invalid_argument.
     *
     * @return array the envelope's data
     */
    public static function call(
        string $function,
        ?CData $handle,
        #[\SensitiveParameter]
        string $requestJson
    ): array {
        $ffi = self::ffi();
        try {
            $owned = $ffi->{$function}($handle, $requestJson);
        } catch (FFI\Exception $e) {
            throw self::missingFunction($function, $e);
        }
        return self::unwrap(self::take($ffi, $owned));
    }

    /**
     * call() for a request holding card data: the caller's JSON variable is emptied as soon as the
     * library has it, so that on PHP before 8.2 (which ignores #[\SensitiveParameter] and shows a
     * parameter's current value in traces) no exception thrown afterwards carries it.
     */
    public static function callSensitive(
        string $function,
        ?CData $handle,
        #[\SensitiveParameter]
        string &$requestJson
    ): array {
        $ffi = self::ffi();
        try {
            $owned = $ffi->{$function}($handle, $requestJson);
        } catch (FFI\Exception $e) {
            $requestJson = '';
            throw self::missingFunction($function, $e);
        }
        $requestJson = '';
        return self::unwrap(self::take($ffi, $owned));
    }

    /**
     * Every byte of the body with its length: the core refuses a NUL byte, a post that names a
     * computed field (success, encrypted) and a body over 64 KiB, the same way in every binding.
     */
    public static function parseReturn(string $body): array
    {
        $ffi = self::ffi();
        try {
            $owned = $ffi->cookiepay_parse_return_len($body, strlen($body));
        } catch (FFI\Exception $e) {
            throw self::missingFunction('cookiepay_parse_return_len', $e);
        }
        return self::unwrap(self::take($ffi, $owned));
    }

    public static function parseNoti(string $body): array
    {
        if (strpos($body, "\0") !== false) {
            throw new InvalidArgumentException('the Noti body contains a NUL byte');
        }
        $ffi = self::ffi();
        try {
            $owned = $ffi->cookiepay_parse_noti($body);
        } catch (FFI\Exception $e) {
            throw self::missingFunction('cookiepay_parse_noti', $e);
        }
        return self::unwrap(self::take($ffi, $owned));
    }

    public static function version(): string
    {
        // const char *: PHP copies it into a string; static in the library, never freed.
        return self::ffi()->cookiepay_version();
    }

    /** JSON text for the core; the top level is always an object, also for an empty array. */
    public static function encode(
        #[\SensitiveParameter]
        array $request
    ): string {
        $json = json_encode((object) $request, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
        if ($json === false) {
            throw new InvalidArgumentException('the request cannot be encoded as JSON: ' . json_last_error_msg());
        }
        return $json;
    }

    /**
     * encode() that answers null (and the reason in $problem) instead of throwing, so that the caller
     * can redact its own arguments before it throws.
     */
    public static function encodeOrNull(
        #[\SensitiveParameter]
        array $request,
        ?string &$problem = null
    ): ?string {
        $json = json_encode((object) $request, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
        if ($json === false) {
            $problem = json_last_error_msg();
            return null;
        }
        $problem = null;
        return $json;
    }

    /** The request with the card fields' values replaced (any spelling of the key). */
    public static function redactCard(
        #[\SensitiveParameter]
        array $request
    ): array {
        foreach ($request as $key => $value) {
            if (in_array(strtoupper((string) $key), self::CARD_FIELDS, true)) {
                $request[$key] = '[redacted]';
            }
        }
        return $request;
    }

    /** A function this binding calls is not in the loaded library or header: they are older than it. */
    private static function missingFunction(string $function, FFI\Exception $e): LibraryException
    {
        if (strpos($e->getMessage(), 'undefined C function') === false) {
            return new LibraryException($function . ': ' . $e->getMessage(), $e);
        }
        return new LibraryException(sprintf(
            'The loaded libcookiepay (%s, from %s) has no %s: the library or its declarations (cookiepay_ffi.h, '
            . 'or the ffi.preload header) are older than this binding. Install the matching library, '
            . 'regenerate the preload header with bin/cookiepay-preload-header and restart php-fpm.',
            self::safeVersion(),
            self::$source,
            $function
        ), $e);
    }

    private static function safeVersion(): string
    {
        try {
            return 'version ' . self::version();
        } catch (\Throwable $e) {
            return 'unknown version';
        }
    }

    /** Copy a library-owned string and give it back to the library, whatever happens. */
    private static function take(FFI $ffi, ?CData $owned): string
    {
        if ($owned === null) {
            throw new InternalException('libcookiepay returned NULL instead of a JSON envelope');
        }
        try {
            return FFI::string($owned);
        } finally {
            $ffi->cookiepay_string_free($owned);
        }
    }

    /** @return array data of {"ok":true,"data":...}; an error envelope is thrown */
    public static function unwrap(string $envelope): array
    {
        $decoded = json_decode($envelope, true);
        if (!is_array($decoded) || !isset($decoded['ok'])) {
            throw new InternalException('libcookiepay returned an unreadable envelope');
        }
        if ($decoded['ok'] === true) {
            return isset($decoded['data']) && is_array($decoded['data']) ? $decoded['data'] : [];
        }
        $error = isset($decoded['error']) && is_array($decoded['error']) ? $decoded['error'] : [];
        // Re-encode the error from objects so that {} stays {} in the raw JSON.
        $asObjects = json_decode($envelope);
        $errorJson = isset($asObjects->error)
            ? (string) json_encode($asObjects->error, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES)
            : '{}';
        throw CookiePayException::fromError($error, $errorJson);
    }

    /**
     * The library file: the explicit path, else COOKIEPAY_LIB, else the package's lib/<platform>/ (what
     * `make dist` puts in the Composer package), else the package's lib/ (a library copied in by hand).
     */
    public static function resolveLibrary(?string $libPath = null): string
    {
        $tried = [];
        if ($libPath !== null) {
            $candidates = ['lib_path option' => $libPath];
        } else {
            $candidates = [];
            $env = getenv('COOKIEPAY_LIB');
            if (is_string($env) && $env !== '') {
                $candidates['COOKIEPAY_LIB'] = $env;
            }
            $platform = self::platform();
            $candidates['package lib/' . $platform . '/'] = dirname(__DIR__) . '/lib/' . $platform . '/' . self::libraryFileName();
            $candidates['package lib/'] = dirname(__DIR__) . '/lib/' . self::libraryFileName();
        }
        foreach ($candidates as $origin => $path) {
            // @: under open_basedir a path outside it is a warning, and here only "not found".
            if (@is_file($path)) {
                return (string) realpath($path);
            }
            $tried[] = $origin . ': ' . $path;
        }
        throw new LibraryException('libcookiepay not found; tried ' . implode(', ', $tried)
            . '. Give the lib_path option, set COOKIEPAY_LIB, or copy the library into the package\'s lib/ folder '
            . '(the release packages carry lib/<platform>/ for Linux glibc and musl and for Windows).', null, LibraryException::LIBRARY_MISSING);
    }

    /**
     * The header for ffi.preload: FFI_SCOPE and FFI_LIB, then the generated declarations.
     */
    public static function preloadHeader(?string $libPath = null): string
    {
        $file = self::resolveLibrary($libPath);
        if (strpbrk($file, "\"\\\r\n") !== false) {
            throw new LibraryException('the library path cannot be written into a C string: ' . $file);
        }
        return '#define FFI_SCOPE "' . self::SCOPE . "\"\n"
            . '#define FFI_LIB "' . $file . "\"\n"
            . self::declarations($file);
    }

    /**
     * The C declarations, generated by the core's build (include/cookiepay_ffi.h): from the package's
     * lib/ folder, next to the library, from the repository the library was built in
     * (target/release/ → include/), or from the repository this package sits in.
     */
    private static function declarations(string $libraryFile): string
    {
        $candidates = array_unique([
            dirname(__DIR__) . '/lib/cookiepay_ffi.h',
            dirname($libraryFile) . '/cookiepay_ffi.h',
            dirname($libraryFile, 3) . '/include/cookiepay_ffi.h',
            dirname(__DIR__, 3) . '/include/cookiepay_ffi.h',
        ]);
        foreach ($candidates as $path) {
            if (@is_file($path)) {
                $text = file_get_contents($path);
                if (is_string($text) && $text !== '') {
                    return $text;
                }
            }
        }
        throw new LibraryException('cookiepay_ffi.h not found; tried ' . implode(', ', $candidates)
            . '. Copy include/cookiepay_ffi.h next to the library in the package\'s lib/ folder.', null, LibraryException::LIBRARY_MISSING);
    }

    /**
     * The lib/ subfolder for this PHP: linux-x86_64-gnu, linux-x86_64-musl (Alpine), linux-aarch64-gnu,
     * windows-x86_64, windows-x86, ...
     */
    public static function platform(): string
    {
        $machine = strtolower(php_uname('m'));
        if (in_array($machine, ['x86_64', 'amd64', 'x64'], true)) {
            $arch = PHP_INT_SIZE === 4 ? 'x86' : 'x86_64';
        } elseif (in_array($machine, ['aarch64', 'arm64'], true)) {
            $arch = 'aarch64';
        } elseif (in_array($machine, ['i386', 'i486', 'i586', 'i686', 'x86'], true)) {
            $arch = 'x86';
        } else {
            $arch = $machine;
        }
        if (PHP_OS_FAMILY === 'Windows') {
            return 'windows-' . $arch;
        }
        if (PHP_OS_FAMILY === 'Linux') {
            return 'linux-' . $arch . '-' . (self::isMusl() ? 'musl' : 'gnu');
        }
        return strtolower(PHP_OS_FAMILY) . '-' . $arch;
    }

    /** Does this PHP run on musl (Alpine)? Its own memory map names the C library. */
    private static function isMusl(): bool
    {
        $maps = @file_get_contents('/proc/self/maps');
        if (is_string($maps) && $maps !== '') {
            return strpos($maps, 'ld-musl-') !== false || strpos($maps, 'libc.musl-') !== false;
        }
        return (@glob('/lib/ld-musl-*.so.1') ?: []) !== [] && !@is_file('/lib64/ld-linux-x86-64.so.2');
    }

    private static function libraryFileName(): string
    {
        if (PHP_OS_FAMILY === 'Windows') {
            return 'cookiepay.dll';
        }
        return PHP_OS_FAMILY === 'Darwin' ? 'libcookiepay.dylib' : 'libcookiepay.so';
    }

    private static function isRestriction(FFI\Exception $e): bool
    {
        return strpos($e->getMessage(), 'ffi.enable') !== false;
    }

    private static function restricted(): LibraryException
    {
        return new LibraryException(sprintf(
            'PHP FFI is restricted here (php.ini ffi.enable=%s, SAPI %s): FFI works outside the CLI only with '
            . 'ffi.enable=true, or with the preload recipe that keeps ffi.enable=preload: '
            . 'ffi.preload=<header from bin/cookiepay-preload-header> and opcache.preload=<package>/preload.php '
            . '(README, "php-fpm").',
            var_export(ini_get('ffi.enable'), true),
            PHP_SAPI
        ), null, LibraryException::FFI_UNAVAILABLE);
    }
}
