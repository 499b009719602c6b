<?php

namespace CookiePay\Exception;

/**
 * Kind `library` (this binding's own): libcookiepay cannot be used in this PHP — the FFI extension is
 * missing, FFI is restricted by php.ini's ffi.enable, or the library file is not found — or the pure-PHP
 * backend would run without the curl extension it needs. The message says which php.ini setting,
 * extension or path to change.
 */
class LibraryException extends CookiePayException
{
    /** FFI itself cannot be used here (extension missing, ffi.enable off or restricted). */
    const FFI_UNAVAILABLE = 'ffi';
    /** No usable library (or its declarations) for this platform was found. */
    const LIBRARY_MISSING = 'library';
    /** The pure-PHP backend was chosen (or is all that is left) but the curl extension is not loaded. */
    const CURL_UNAVAILABLE = 'curl';

    /** @var string what is unavailable, or "" for any other problem (e.g. a library of another ABI) */
    private $unavailable;

    public function __construct(string $message, ?\Throwable $previous = null, string $unavailable = '')
    {
        parent::__construct(['kind' => 'library', 'message' => $message], '', $previous);
        $this->unavailable = $unavailable;
    }

    /**
     * FFI_UNAVAILABLE, LIBRARY_MISSING, CURL_UNAVAILABLE, or "" when something is wrong rather than absent: with the
     * "auto" backend an absent FFI or library selects the pure-PHP backend instead.
     */
    public function unavailable(): string
    {
        return $this->unavailable;
    }
}
