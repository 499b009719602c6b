<?php

namespace CookiePay\Exception;

/** Kind `invalid_argument`: the request could not be read at all (not JSON, wrong types, closed client). */
class InvalidArgumentException extends CookiePayException
{
    public function __construct($error, string $errorJson = '', ?\Throwable $previous = null)
    {
        // The binding throws this one itself with a plain message (e.g. a string that is not UTF-8).
        parent::__construct(is_string($error) ? ['kind' => 'invalid_argument', 'message' => $error] : $error, $errorJson, $previous);
    }
}
