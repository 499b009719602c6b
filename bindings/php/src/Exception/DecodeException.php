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

    /** "unknown" when the request was sent (a money call: look it up before trying again); else "". */
    public function getOutcome(): string
    {
        return (string) $this->field('outcome', '');
    }

    public function isOutcomeUnknown(): bool
    {
        return $this->getOutcome() === 'unknown';
    }
}
