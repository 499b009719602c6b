<?php

namespace CookiePay\Backend\Pure;

/**
 * Request rules of verify (verify.rs), cancel (cancel.rs) and request (raw_request.rs), and the
 * comparison behind verify.
 *
 * @internal
 */
final class Verify
{
    /** Any of them non-blank marks a payment cancelled. */
    const CANCELLATION_FIELDS = ['CANCELDATE', 'CANCEL_DATE', 'CANCELMSG', 'CANCEL_MSG'];

    /** The problems of a validation failure, as [field, rule, message]. */
    public static function problems(Failure $f): array
    {
        $out = [];
        foreach ($f->fields['fields'] as $p) {
            $out[] = [$p['field'], $p['rule'], $p['message']];
        }
        return $out;
    }

    /** verify's `expected`: ORDERNO and AMOUNT required (AMOUNT a whole number above 0). */
    public static function expected(array $request): array
    {
        $expected = array_key_exists('expected', $request) ? $request['expected'] : null;
        if ($expected instanceof \stdClass) {
            $expected = get_object_vars($expected);
        } elseif ($expected === null) {
            $expected = [];
        } else {
            throw Failure::invalid('expected must be an object');
        }
        $problems = [];
        foreach (['ORDERNO', 'AMOUNT'] as $field) {
            $v = array_key_exists($field, $expected) ? $expected[$field] : null;
            $present = (is_string($v) && $v !== '') || is_int($v) || is_float($v);
            if (!$present) {
                $problems[] = ['expected.' . $field, 'required', 'expected.' . $field . ' is required: the value stored with the order'];
            }
        }
        if (array_key_exists('AMOUNT', $expected)) {
            $amount = $expected['AMOUNT'];
            $given = is_int($amount) || is_float($amount) || (is_string($amount) && $amount !== '');
            $won = self::amount($amount);
            if ($won === null && $given) {
                $problems[] = ['expected.AMOUNT', 'digits_only', 'expected.AMOUNT must be a whole number of won'];
            } elseif ($won === '0') {
                // Nothing is charged for 0 won: an order stored with 0 is a bug, never a match.
                $problems[] = ['expected.AMOUNT', 'positive', 'expected.AMOUNT must be greater than 0'];
            }
        }
        if ($problems !== []) {
            throw Failure::validation($problems);
        }
        return $expected;
    }

    /**
     * An amount as a number of won ("1004", "001004" and 1004 are the same), as canonical digits.
     *
     * @param mixed $value
     */
    public static function amount($value): ?string
    {
        if (is_int($value) || is_float($value)) {
            return Json::u64($value);
        }
        return is_string($value) && Json::digits($value) ? Json::parseU64($value) : null;
    }

    /**
     * Every difference between the payment and the expectation: the TID first (an answer about
     * another payment proves nothing), then each expected field, then any cancellation.
     */
    public static function compare(array $payment, string $tid, array $expected): array
    {
        $mismatches = [];
        if (Json::textOf($payment, 'TID') !== $tid) {
            $mismatches[] = ['field' => 'TID', 'expected' => $tid, 'actual' => array_key_exists('TID', $payment) ? $payment['TID'] : null];
        }
        foreach ($expected as $field => $want) {
            $field = (string) $field;
            $got = array_key_exists($field, $payment) ? $payment[$field] : null;
            if ($field === 'AMOUNT') {
                $same = self::amount($want) !== null && self::amount($want) === self::amount($got);
            } else {
                $same = Json::textOf($payment, $field) === Json::asText($want);
            }
            if (!$same) {
                $mismatches[] = ['field' => $field, 'expected' => $want, 'actual' => $got];
            }
        }
        foreach (self::CANCELLATION_FIELDS as $field) {
            $value = Json::textOf($payment, $field);
            if (Json::trim($value) !== '') {
                $mismatches[] = ['field' => $field, 'expected' => '', 'actual' => $value];
                break;
            }
        }
        return $mismatches;
    }

    /** cancel.rs prepare: tid, reason, amount (partial), refund account; problems together. */
    public static function cancelBody(array $request): array
    {
        $problems = [];
        $body = [];
        try {
            $body['tid'] = Rules::tid($request);
        } catch (Failure $f) {
            if ($f->kind !== 'validation') {
                throw $f;
            }
            $problems = self::problems($f);
        }
        $reason = array_key_exists('reason', $request) ? $request['reason'] : null;
        if (is_string($reason) && Json::trim($reason) !== '') {
            if (Json::chars($reason) > 100 || Json::hasControl($reason)) {
                $problems[] = ['reason', 'max_length', 'reason must be at most 100 printable characters'];
            }
            $body['reason'] = Json::trim($reason);
        } elseif ($reason === null || is_string($reason)) {
            $problems[] = ['reason', 'required', 'reason is required (취소사유)'];
        } else {
            throw Failure::invalid('reason must be a string');
        }
        $amount = array_key_exists('amount', $request) ? $request['amount'] : null;
        if ($amount !== null) {
            $won = null;
            if (is_int($amount) || is_float($amount)) {
                // A number is held to the string's 12 digits (cancel.rs AMOUNT_MAX).
                $won = Json::u64($amount);
                $won = $won !== null && strlen($won) > 12 ? null : $won;
            } elseif (is_string($amount) && strlen($amount) <= 12 && Json::digits($amount)) {
                $won = Json::parseU64($amount);
            }
            if ($won !== null && $won !== '0') {
                $body['amount'] = $won;
            } else {
                $problems[] = ['amount', 'positive', 'amount must be a whole number of won greater than 0 (leave it out to cancel the rest)'];
            }
        }
        foreach (['bank', 'account_no', 'account_name'] as $field) {
            $v = array_key_exists($field, $request) ? $request[$field] : null;
            if ($v === null) {
                continue;
            }
            if (is_string($v) && Json::chars($v) <= 50 && !Json::hasControl($v)) {
                $body[$field] = $v;
            } else {
                $problems[] = [$field, 'format', $field . ' must be text of at most 50 characters'];
            }
        }
        if ($problems !== []) {
            throw Failure::validation($problems);
        }
        return $body;
    }

    public static function isPath(string $path): bool
    {
        return strncmp($path, '/', 1) === 0 && strncmp($path, '//', 2) !== 0 && Json::chars($path) <= 200
            && !Json::hasWhitespace($path) && !Json::hasControl($path) && strpbrk($path, "#\\") === false;
    }

    /**
     * Which credentials to send: any of "api_key" and "token"; none by default.
     *
     * @param mixed $auth
     * @return bool[] [api key, token]
     */
    public static function auth($auth): array
    {
        if ($auth === null) {
            return [false, false];
        }
        if (!is_array($auth)) {
            throw Failure::invalid('auth must be a list such as ["api_key", "token"]');
        }
        $key = false;
        $token = false;
        foreach ($auth as $item) {
            if ($item === 'api_key') {
                $key = true;
            } elseif ($item === 'token') {
                $token = true;
            } else {
                throw Failure::field('auth', 'one_of', 'auth may name only "api_key" and "token"');
            }
        }
        return [$key, $token];
    }
}
