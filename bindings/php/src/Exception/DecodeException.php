<?php

namespace CookiePay\Exception;

/** Kind `decode`: an unreadable answer (broken JSON, over 1 MiB, missing fields). */
class DecodeException extends CookiePayException
{
    /** The start of the unreadable body. */
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
