<?php

namespace CookiePay\Exception;

/** Kind `verification_failed`: the payment differs from the order, or was cancelled. Do not ship. */
class VerificationException extends CookiePayException
{
    /** @return array list of ['field' => ..., 'expected' => ..., 'actual' => ...] */
    public function getMismatches(): array
    {
        $mismatches = $this->field('mismatches', []);
        return is_array($mismatches) ? $mismatches : [];
    }

    /** The payment as paycert reported it. */
    public function getPayment(): array
    {
        $payment = $this->field('payment', []);
        return is_array($payment) ? $payment : [];
    }
}
