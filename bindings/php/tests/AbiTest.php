<?php

namespace CookiePay\Tests;

use CookiePay\Native;
use CookiePay\Tests\Support\Processes;
use PHPUnit\Framework\TestCase;

/**
 * The binding checks cookiepay_abi_version() when it loads the library: a library of another ABI, or
 * one too old to have the function, is refused with a message that says what to install. Each case
 * loads a stand-in library (built here with gcc) in a PHP process of its own.
 */
final class AbiTest extends TestCase
{
    /** @var string */
    private $dir;

    protected function setUp(): void
    {
        Support\Backends::requireFfi('the ABI check of libcookiepay when FFI loads it');
        $this->dir = sys_get_temp_dir() . '/cookiepay-abi-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir);
    }

    protected function tearDown(): void
    {
        // PHPUnit runs tearDown after a skipped setUp too (the pure-PHP run skips this test before
        // the folder exists): with no folder, glob('/*') would unlink the /bin symlink.
        Support\Sandbox::removeTree((string) $this->dir);
    }

    /** A stand-in libcookiepay.so with these C definitions, and its cookiepay_ffi.h next to it. */
    private function fakeLibrary(string $definitions, string $declarations): string
    {
        file_put_contents($this->dir . '/fake.c', $definitions);
        file_put_contents($this->dir . '/cookiepay_ffi.h', $declarations);
        $lib = $this->dir . '/libcookiepay.so';
        [$code, , $err] = Processes::run(['gcc', '-shared', '-fPIC', '-o', $lib, $this->dir . '/fake.c']);
        $this->assertSame(0, $code, $err);
        return $lib;
    }

    /** @return array{int, string} exit code and output of a PHP process that loads $lib */
    private function load(string $lib): array
    {
        $script = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
            . 'try { CookiePay\Native::ffi(' . var_export($lib, true) . '); echo "loaded"; exit(0); }'
            . ' catch (CookiePay\Exception\LibraryException $e) { echo $e->getMessage(); exit(3); }';
        [$code, $out, $err] = Processes::run([PHP_BINARY, '-d', 'ffi.enable=1', '-r', $script]);
        return [$code, $out . $err];
    }

    public function testALibraryOfAnotherAbiIsRefused(): void
    {
        $lib = $this->fakeLibrary(
            "unsigned int cookiepay_abi_version(void) { return 999; }\nconst char *cookiepay_version(void) { return \"9.9.9\"; }\n",
            "unsigned int cookiepay_abi_version(void);\nconst char *cookiepay_version(void);\n"
        );
        [$code, $out] = $this->load($lib);
        $this->assertSame(3, $code, $out);
        $this->assertStringContainsString('implements C ABI 999, but this PHP binding needs ABI ' . Native::ABI_VERSION, $out);
        $this->assertStringContainsString($lib, $out);
    }

    public function testALibraryWithoutTheAbiFunctionIsRefusedAsTooOld(): void
    {
        $lib = $this->fakeLibrary(
            "const char *cookiepay_version(void) { return \"0.0.1\"; }\n",
            "const char *cookiepay_version(void);\n"
        );
        [$code, $out] = $this->load($lib);
        $this->assertSame(3, $code, $out);
        $this->assertStringContainsString('has no cookiepay_abi_version(): the library', $out);
    }

    public function testTheRealLibraryHasThisBindingsAbi(): void
    {
        $header = (string) file_get_contents(dirname(__DIR__, 3) . '/include/cookiepay.h');
        $this->assertMatchesRegularExpression('/#define COOKIEPAY_ABI_VERSION ' . Native::ABI_VERSION . '\b/', $header);
        $this->assertSame(Native::ABI_VERSION, (int) Native::ffi()->cookiepay_abi_version());
    }

    public function testThePlatformFolderNamesThisMachine(): void
    {
        $this->assertMatchesRegularExpression('/^linux-(x86_64|aarch64)-(gnu|musl)$/', Native::platform());
    }
}
