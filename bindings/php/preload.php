<?php
// opcache.preload script for php-fpm (README, "php-fpm"). With the default ffi.enable=preload, PHP
// lets only preloaded code use FFI, so this compiles the binding's classes into the preloaded set; the
// header named by ffi.preload (bin/cookiepay-preload-header) has already loaded the library into the
// master process, and each worker reaches it with FFI::scope("cookiepay").
require __DIR__ . '/autoload.php';

$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator(__DIR__ . '/src', FilesystemIterator::SKIP_DOTS));
foreach ($files as $file) {
    if ($file->getExtension() !== 'php') {
        continue;
    }
    $relative = substr($file->getPathname(), strlen(__DIR__ . '/src/'), -strlen('.php'));
    // Autoloading (not opcache_compile_file) so parents are loaded first and every class is linked.
    class_exists('CookiePay\\' . str_replace('/', '\\', $relative));
}
