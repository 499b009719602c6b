<?php

namespace CookiePay\Exception;

/** Kind `internal`: a bug in libcookiepay (or between it and this binding). Please report it. */
class InternalException extends CookiePayException
{
    public function __construct($error, string $errorJson = '', ?\Throwable $previous = null)
    {
        parent::__construct(is_string($error) ? ['kind' => 'internal', 'message' => $error] : $error, $errorJson, $previous);
    }
}
