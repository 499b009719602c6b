<?php
// PHPUnit bootstrap: the binding's autoloader, the test helpers, and one sandbox for the whole run.
require dirname(__DIR__) . '/autoload.php';
require __DIR__ . '/Support/Sandbox.php';
require __DIR__ . '/Support/Processes.php';
require __DIR__ . '/Support/Shop.php';

CookiePay\Tests\Support\Sandbox::start();
