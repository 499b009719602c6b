<?php
// PHPUnit bootstrap: the binding's autoloader, the test helpers, and one sandbox for the whole run.
require dirname(__DIR__) . '/autoload.php';
require __DIR__ . '/Support/Sandbox.php';
require __DIR__ . '/Support/Processes.php';
require __DIR__ . '/Support/Http.php';
require __DIR__ . '/Support/Shop.php';
require __DIR__ . '/Support/Backends.php';
require __DIR__ . '/Support/Internals.php';

// The backend under test (test.sh runs both); processes the tests start inherit it.
if (getenv('COOKIEPAY_PHP_BACKEND') === false || getenv('COOKIEPAY_PHP_BACKEND') === '') {
    putenv('COOKIEPAY_PHP_BACKEND=ffi');
}
fwrite(STDERR, 'cookiepay PHP backend under test: ' . CookiePay\Tests\Support\Backends::name() . "\n");

CookiePay\Tests\Support\Sandbox::start();
