<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\LibraryException;
use CookiePay\Exception\ValidationException;
use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * Which backend a client runs on: "auto" takes FFI when this PHP can use it and the pure backend when
 * FFI is missing, off or the library is absent — but never hides a library that is there and wrong.
 * Each case runs in a PHP of its own (the choice is made once per process).
 */
final class BackendTest extends TestCase
{
    /** @return array [exit code, output] of a script that prints backend() and version() */
    private static function probe(array $phpArgs, array $env, string $config = "[]"): array
    {
        $script = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
            . 'try { $c = new CookiePay\Client(' . $config . ' + ["base_url" => "http://127.0.0.1:9", "api_id" => "a", "api_key" => "k1234"]);'
            . ' echo $c->backend(), "|", CookiePay\Client::version(), "|", CookiePay\Client::parseNoti(\'{"TID":"T1"}\')["kind"]; }'
            . ' catch (CookiePay\Exception\CookiePayException $e) { echo get_class($e), "|", $e->getMessage(); }';
        $env += ['PATH' => (string) getenv('PATH')];
        $result = Processes::run(array_merge([PHP_BINARY], $phpArgs, ['-r', $script]), $env);
        return [$result[0], $result[1]];
    }

    public function testAutoTakesFfiWhenThisPhpCanUseIt(): void
    {
        [$code, $out] = self::probe([], ['COOKIEPAY_LIB' => Sandbox::libraryPath()]);
        $this->assertSame(0, $code, $out);
        $this->assertSame('ffi|' . Client::version() . '|payment', $out);
    }

    /** @return array the ways a PHP has no usable FFI */
    public function noFfi(): array
    {
        return [
            'ffi.enable=0' => [['-d', 'ffi.enable=0'], ['COOKIEPAY_LIB' => Sandbox::libraryPath()]],
            'no FFI extension' => [['-n', '-d', 'extension=curl'], ['COOKIEPAY_LIB' => Sandbox::libraryPath()]],
            'no library for this platform' => [[], ['COOKIEPAY_LIB' => '/nonexistent/libcookiepay.so']],
        ];
    }

    /** @dataProvider noFfi */
    public function testAutoFallsBackToThePureBackend(array $phpArgs, array $env): void
    {
        [$code, $out] = self::probe($phpArgs, $env);
        $this->assertSame(0, $code, $out);
        $this->assertSame('php|' . \CookiePay\Backend\PureBackend::VERSION . '|payment', $out);
    }

    /**
     * A PHP with neither FFI nor ext-curl (`php -n`: Debian loads every extension from conf.d, so
     * none) gets a LibraryException naming ext-curl when the client is made, not "Call to undefined
     * function curl_init()" at the first call; the calls that need no HTTP still work.
     */
    public function testNeitherFfiNorCurlIsALibraryExceptionNamingExtCurl(): void
    {
        foreach (['auto' => 'neither a usable FFI', 'php' => 'the pure-PHP backend ("php") needs'] as $choice => $why) {
            [$code, $out] = self::probe(['-n'], ['COOKIEPAY_LIB' => Sandbox::libraryPath(), 'COOKIEPAY_PHP_BACKEND' => $choice]);
            $this->assertSame(0, $code, $out);
            $this->assertStringStartsWith(LibraryException::class . '|', $out);
            $this->assertStringContainsString($why, $out);
            $this->assertStringContainsString('ext-curl', $out);
            $this->assertStringContainsString('extension=curl', $out);
        }
        $script = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
            . 'try { new CookiePay\Client(["api_id" => "a", "api_key" => "k1234"]); }'
            . ' catch (CookiePay\Exception\LibraryException $e) { echo $e->unavailable(), "|"; }'
            . ' echo CookiePay\Client::parseNoti(\'{"TID":"T1"}\')["kind"];';
        [$code, $out] = Processes::run([PHP_BINARY, '-n', '-r', $script], ['PATH' => (string) getenv('PATH'), 'COOKIEPAY_PHP_BACKEND' => 'auto']);
        $this->assertSame([0, 'curl|payment'], [$code, $out]);
    }

    public function testTheEnvironmentAndTheConfigChooseTheBackend(): void
    {
        [, $out] = self::probe([], ['COOKIEPAY_LIB' => Sandbox::libraryPath(), 'COOKIEPAY_PHP_BACKEND' => 'php']);
        $this->assertStringStartsWith('php|', $out);
        [, $out] = self::probe([], ['COOKIEPAY_LIB' => Sandbox::libraryPath(), 'COOKIEPAY_PHP_BACKEND' => 'php'], '["backend" => "ffi"]');
        $this->assertStringStartsWith('ffi|', $out, 'the config wins over the environment');
    }

    public function testFfiAskedForButOffIsALibraryException(): void
    {
        [$code, $out] = self::probe(['-d', 'ffi.enable=0'], ['COOKIEPAY_LIB' => Sandbox::libraryPath()], '["backend" => "ffi"]');
        $this->assertSame(0, $code, $out);
        $this->assertStringStartsWith(LibraryException::class . '|PHP FFI is restricted', $out);
    }

    public function testAnExplicitLibPathThatIsMissingIsReportedNotSwitched(): void
    {
        [, $out] = self::probe([], [], '["lib_path" => "/nonexistent/libcookiepay.so"]');
        $this->assertStringStartsWith(LibraryException::class . '|libcookiepay not found', $out);
    }

    public function testAnUnknownBackendIsAValidationError(): void
    {
        try {
            new Client(Sandbox::config(['backend' => 'rust']));
            $this->fail('accepted');
        } catch (ValidationException $e) {
            $this->assertSame([['field' => 'backend', 'rule' => 'one_of', 'message' => 'backend must be "ffi", "php" or "auto"']], $e->getFields());
        }
    }

    /** @return array each backend, by name */
    public function backends(): array
    {
        return ['ffi' => ['ffi'], 'php' => ['php']];
    }

    /**
     * Both backends refuse a misspelt key with the nearest known name, and neither sees "backend".
     *
     * @dataProvider backends
     */
    public function testEachBackendRefusesUnknownKeysLikeTheCore(string $backend): void
    {
        if ($backend === 'ffi') {
            // One case per backend, so that a PHP without FFI still checks the pure one.
            Support\Backends::requireNativePhp('php-wasm has no FFI extension');
        }
        $client = new Client(Sandbox::config(['backend' => $backend]));
        $this->assertSame($backend, $client->backend());
        try {
            new Client(Sandbox::config(['backend' => $backend, 'timout_ms' => 5, 'ca_cert' => 'x']));
            $this->fail("$backend accepted timout_ms");
        } catch (ValidationException $e) {
            $this->assertSame([
                ['field' => 'timout_ms', 'rule' => 'unknown', 'message' => 'unknown config key "timout_ms": did you mean "timeout_ms"?'],
                ['field' => 'ca_cert', 'rule' => 'unknown', 'message' => 'unknown config key "ca_cert": did you mean "ca_cert_pem"?'],
            ], $e->getFields(), $backend);
        }
    }
}
