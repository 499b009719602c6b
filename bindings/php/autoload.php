<?php
// For shops without Composer: `require 'path/to/cookiepay/autoload.php';` loads the CookiePay\ classes
// from src/ (PSR-4, the same mapping composer.json declares).
spl_autoload_register(static function (string $class): void {
    $prefix = 'CookiePay\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
