<?php

namespace CookiePay\Exception;

/** Kind `http`: an unexpected HTTP status or body (a 500, a proxy's HTML page). */
class HttpException extends CookiePayException
{
    public function getStatus(): int
    {
        return (int) $this->field('status', 0);
    }

    public function getContentType(): ?string
    {
        $type = $this->field('content_type');
        return is_string($type) ? $type : null;
    }

    /** The start of the body that came instead. */
    public function getExcerpt(): string
    {
        return (string) $this->field('excerpt', '');
    }

    /** "unknown" when a call that changes state was sent: never simply run it again — the message ends with what settles it for this call; else "". */
    public function getOutcome(): string
    {
        return (string) $this->field('outcome', '');
    }
}
