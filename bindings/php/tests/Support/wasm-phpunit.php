<?php
// PHPUnit for the PHPs under WebAssembly (bindings/php/test-versions.sh). php-wasm's CLI exits 0
// whatever the script's status, so this runs Debian's PHPUnit in-process and writes its exit status to
// the file named by COOKIEPAY_WASM_STATUS: no file means PHPUnit never finished (a fatal error, a hang).
// Usage: node php-wasm.js -d include_path=.:/usr/share/php wasm-phpunit.php <phpunit arguments>

if (!ini_get('date.timezone')) {
    ini_set('date.timezone', 'UTC');
}
define('PHPUNIT_COMPOSER_INSTALL', 'PHPUnit/Autoload.php');
require PHPUNIT_COMPOSER_INSTALL;

/**
 * Skips happen here that the native run does not have (PHPUnit's own @requires, markTestSkipped): with
 * zend.exception_ignore_args=0 each one's trace holds the whole runner, and SecretsTest's print_r of
 * an exception then dumps them all (gigabytes, past what 32-bit WebAssembly can hold). Backends does
 * the same for the skips it throws.
 */
final class CookiePayWasmSkipTraces implements PHPUnit\Framework\TestListener
{
    use PHPUnit\Framework\TestListenerDefaultImplementation;

    public function addSkippedTest(PHPUnit\Framework\Test $test, Throwable $t, float $time): void
    {
        $trace = new ReflectionProperty($t instanceof Exception ? Exception::class : Error::class, 'trace');
        if (PHP_VERSION_ID < 80100) {
            $trace->setAccessible(true); // a no-op since 8.1, deprecated in 8.5
        }
        $trace->setValue($t, []);
    }
}

final class CookiePayWasmCommand extends PHPUnit\TextUI\Command
{
    protected function handleArguments(array $argv): void
    {
        parent::handleArguments($argv);
        $this->arguments['listeners'][] = new CookiePayWasmSkipTraces();
    }
}

$statusFile = getenv('COOKIEPAY_WASM_STATUS');
$status = (new CookiePayWasmCommand())->run($_SERVER['argv'], false);
if (is_string($statusFile) && $statusFile !== '') {
    file_put_contents($statusFile, (string) $status);
}
exit($status);
