<?php

namespace CookiePay\Exception;

/** Kind `timeout`: no answer within timeout_ms. */
class TimeoutException extends CookiePayException
{
    /** "unknown" when the call may have taken effect: never simply run it again — the message ends with what settles it for this call; else "not_applied". */
    public function getOutcome(): string
    {
        return (string) $this->field('outcome', '');
    }
}
