<?php

namespace CookiePay\Exception;

/**
 * Kind `noti_not_confirmed` (confirmNoti): CookiePay's paycert does not back the Noti — it names no
 * TID, CookiePay does not know the TID, a field contradicts paycert, or it reports a cancellation
 * paycert does not show. Act on nothing in it (and answer the Noti: sending it again changes nothing).
 */
class NotiNotConfirmedException extends CookiePayException
{
    /** Why: "no_tid", "invalid_tid", "unknown_tid", "mismatch" or "not_cancelled". */
    public function getReason(): string
    {
        return (string) $this->field('reason', '');
    }

    /** @return array list of ['field' => ..., 'expected' => the Noti's value, 'actual' => paycert's] */
    public function getMismatches(): array
    {
        $mismatches = $this->field('mismatches', []);
        return is_array($mismatches) ? $mismatches : [];
    }

    /** paycert's result code when it did not confirm the TID (reason "unknown_tid"); else null. */
    public function getApiCode(): ?string
    {
        $code = $this->field('code');
        return is_string($code) ? $code : null;
    }
}
