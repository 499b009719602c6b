<?php

namespace CookiePay\Exception;

/** Kind `network`: no usable connection to CookiePay. */
class NetworkException extends CookiePayException
{
    /** "dns", "connect" (often a firewall), "tls" (often an inspecting proxy or a missing CA) or "read". */
    public function getPhase(): string
    {
        return (string) $this->field('phase', '');
    }

    /** "not_applied" (safe to try again), or "unknown" when the call may have taken effect: never simply run it again — the message ends with what settles it for this call. */
    public function getOutcome(): string
    {
        return (string) $this->field('outcome', '');
    }
}
