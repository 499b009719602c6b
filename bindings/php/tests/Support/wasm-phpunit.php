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

$statusFile = getenv('COOKIEPAY_WASM_STATUS');
$status = (new PHPUnit\TextUI\Command())->run($_SERVER['argv'], false);
if (is_string($statusFile) && $statusFile !== '') {
    file_put_contents($statusFile, (string) $status);
}
exit($status);
