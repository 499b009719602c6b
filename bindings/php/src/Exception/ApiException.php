<?php

namespace CookiePay\Exception;

/** Kind `api`: CookiePay answered with a code other than success (e.g. E004, or C001 한도초과). */
class ApiException extends CookiePayException
{
    /** CookiePay's result code, e.g. "E004" (getCode() is PHP's integer code, always 0). */
    public function getApiCode(): string
    {
        return (string) $this->field('code', '');
    }

    /** CookiePay's own message (Korean). */
    public function getApiMessage(): string
    {
        return (string) $this->field('api_message', '');
    }

    /** The whole answer CookiePay sent. */
    public function getResponse(): array
    {
        $response = $this->field('response', []);
        return is_array($response) ? $response : [];
    }

    /** decrypt only: "outer" (the decryption failed) or "inner" (the payment itself failed); else null. */
    public function getLayer(): ?string
    {
        $layer = $this->field('layer');
        return is_string($layer) ? $layer : null;
    }
}
