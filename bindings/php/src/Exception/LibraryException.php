<?php

namespace CookiePay\Exception;

/**
 * Kind `library` (this binding's own): libcookiepay cannot be used in this PHP — the FFI extension is
 * missing, FFI is restricted by php.ini's ffi.enable, or the library file is not found. The message
 * says which php.ini setting or path to change.
 */
class LibraryException extends CookiePayException
{
    public function __construct(string $message, ?\Throwable $previous = null)
    {
        parent::__construct(['kind' => 'library', 'message' => $message], '', $previous);
    }
}
