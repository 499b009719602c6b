<?php

namespace CookiePay\Tests;

use CookiePay\Exception\LibraryException;
use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * The declarations come from the core's build: the preload header must declare every C function
 * this binding calls, and a binding newer than its header says so instead of failing obscurely.
 */
final class HeaderTest extends TestCase
{
    protected function setUp(): void
    {
        Support\Backends::requireFfi('the preload header declares the C functions the FFI backend calls');
    }

    /** @return string[] the cookiepay_* functions the binding's sources call */
    private static function functionsCalled(): array
    {
        $names = [];
        foreach (glob(dirname(__DIR__) . '/src/*.php') as $file) {
            preg_match_all('/\bcookiepay_[a-z_]+(?=\(|\')/', (string) file_get_contents($file), $m);
            $names = array_merge($names, $m[0]);
        }
        $names = array_values(array_unique($names));
        sort($names);
        return $names;
    }

    public function testThePreloadHeaderDeclaresEveryFunctionTheBindingCalls(): void
    {
        [$code, $header, $err] = Processes::run(
            [PHP_BINARY, dirname(__DIR__) . '/bin/cookiepay-preload-header', Sandbox::libraryPath()]
        );
        $this->assertSame(0, $code, $err);
        $called = self::functionsCalled();
        foreach (['cookiepay_billkeygen', 'cookiepay_recurring_charge', 'cookiepay_schedule_cancel', 'cookiepay_billkey_delete',
            'cookiepay_cancel', 'cookiepay_paysearch', 'cookiepay_receipt_url', 'cookiepay_request', 'cookiepay_parse_noti',
            'cookiepay_parse_return_len', 'cookiepay_client_new', 'cookiepay_string_free'] as $expected) {
            $this->assertContains($expected, $called, 'the scan sees the binding\'s calls');
        }
        foreach ($called as $function) {
            $this->assertMatchesRegularExpression('/\b' . $function . '\(/', $header, "$function is declared");
        }
        // Owned results are char * (a const char * result would be copied by PHP and never freed).
        $this->assertMatchesRegularExpression('/^char \*cookiepay_parse_noti\(const char \*\w+\);$/m', $header);
        $this->assertMatchesRegularExpression('/^char \*cookiepay_billkeygen\(struct cookiepay_client \*\w+, const char \*\w+\);$/m', $header);
    }

    public function testAHeaderOlderThanTheBindingIsNamedInTheException(): void
    {
        $dir = Sandbox::tempDir('cookiepay-php-oldheader');
        try {
            // The library with declarations from before the lifecycle calls, next to it.
            copy(Sandbox::libraryPath(), "$dir/libcookiepay.so");
            $header = (string) file_get_contents(Sandbox::repoRoot() . '/include/cookiepay_ffi.h');
            $old = preg_replace('/^char \*cookiepay_(billkeygen|parse_noti)\(.*$/m', '', $header);
            $this->assertNotSame($header, $old);
            file_put_contents("$dir/cookiepay_ffi.h", $old);

            $script = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
                . '$c = new CookiePay\Client(["base_url" => "http://127.0.0.1:9", "api_id" => "a", "api_key" => "' . Sandbox::API_KEY . '", "lib_path" => ' . var_export("$dir/libcookiepay.so", true) . ']);'
                . 'foreach ([function () use ($c) { $c->billkeygen(["CARDNO" => "4111111111111111"]); }, function () { CookiePay\Client::parseNoti("{}"); }] as $f) {'
                . ' try { $f(); echo "no exception\n"; } catch (Throwable $e) { echo get_class($e), "|", $e->getMessage(), "\n"; } }';
            [$code, $out, $err] = Processes::run([PHP_BINARY, '-r', $script]);
            $this->assertSame(0, $code, $err);
            $lines = explode("\n", trim($out));
            $this->assertCount(2, $lines, $out);
            foreach (['cookiepay_billkeygen', 'cookiepay_parse_noti'] as $i => $function) {
                $this->assertStringStartsWith(LibraryException::class . '|', $lines[$i]);
                $this->assertStringContainsString("has no $function", $lines[$i]);
                $this->assertStringContainsString('cookiepay-preload-header', $lines[$i]);
                $this->assertStringContainsString('restart php-fpm', $lines[$i]);
            }
        } finally {
            Sandbox::removeTree($dir);
        }
    }
}
