<?php

namespace CookiePay\Backend\Pure;

/**
 * confirm_noti.rs: a Noti is a hint anyone can post; paycert of its TID says what the payment is,
 * and only paycert's answer comes back, with kind and dedup_key computed from that answer. The
 * rule (no_tid, unknown_tid, mismatch on TID/ORDERNO/AMOUNT/CANCELDATE, not_cancelled) is the
 * core's, message for message.
 *
 * @internal
 */
final class ConfirmNoti
{
    const CANCELLATION_FIELDS = ['CANCELDATE', 'CANCEL_DATE', 'CANCELMSG', 'CANCEL_MSG'];
    const CANCEL_DATE_FIELDS = ['CANCELDATE', 'CANCEL_DATE'];

    /** {"body": "<raw Noti body>"} → paycert's payment plus kind and dedup_key. */
    public static function call(Operations $operations, array $request): array
    {
        $noti = Inbound::parseNoti(self::body($request));
        $tid = self::tid($noti);
        try {
            $payment = $operations->paycert(['tid' => $tid]);
        } catch (Failure $f) {
            if ($f->kind !== 'api') {
                // Could not ask: neither confirmed nor refuted, so the shop has it sent again.
                throw $f;
            }
            $code = (string) $f->fields['code'];
            throw Failure::notiNotConfirmed(
                'unknown_tid',
                'CookiePay does not confirm the Noti\'s TID (paycert answered ' . $code . ': '
                . $f->fields['api_message'] . '): do not act on it',
                [],
                $code
            );
        }
        $mismatches = self::mismatches($noti, $payment);
        if ($mismatches !== []) {
            throw Failure::notiNotConfirmed(
                'mismatch',
                'the Noti contradicts CookiePay\'s paycert answer (' . implode(', ', array_column($mismatches, 'field'))
                . '): a forged or stale Noti, do not act on it',
                $mismatches
            );
        }
        return self::confirmed($payment, $noti['kind'] === 'cancel');
    }

    private static function body(array $request): string
    {
        $body = array_key_exists('body', $request) ? $request['body'] : null;
        if ($body === null) {
            throw Failure::field('body', 'required', 'body is required: the raw Noti body');
        }
        if (!is_string($body)) {
            throw Failure::invalid('body must be a string: the raw Noti body as received');
        }
        return $body;
    }

    private static function tid(array $noti): string
    {
        $named = Json::textOf($noti, 'TID');
        if (Json::trim($named) === '') {
            throw Failure::notiNotConfirmed(
                'no_tid',
                'the Noti names no TID, so paycert cannot confirm it: do not act on it. A declined recurring charge '
                . 'has no TID (there is no payment); to know whether a cycle was paid, look its payment up with '
                . 'paysearch {from,to} around the Noti\'s time and match your ORDERNO or ETC tag'
            );
        }
        try {
            return Rules::tid(['tid' => $named]);
        } catch (Failure $f) {
            throw Failure::notiNotConfirmed(
                'invalid_tid',
                'the Noti\'s TID is not a TID (too long, or with control characters): do not act on it'
            );
        }
    }

    /** Every identity field the Noti carries (non-blank) that paycert contradicts. */
    private static function mismatches(array $noti, array $payment): array
    {
        $found = [];
        foreach (['TID', 'ORDERNO'] as $field) {
            $claimed = Json::trim(Json::textOf($noti, $field));
            if ($claimed !== '') {
                $actual = Json::textOf($payment, $field);
                if (Json::trim($actual) !== $claimed) {
                    $found[] = ['field' => $field, 'expected' => $claimed, 'actual' => $actual];
                }
            }
        }
        $claimed = Json::trim(Json::textOf($noti, 'AMOUNT'));
        if ($claimed !== '') {
            $actual = Json::textOf($payment, 'AMOUNT');
            $won = self::won($claimed);
            if ($won === null || $won !== self::won($actual)) {
                $found[] = ['field' => 'AMOUNT', 'expected' => $claimed, 'actual' => $actual];
            }
        }
        $claimed = self::firstSet($noti, self::CANCEL_DATE_FIELDS);
        $actual = self::firstSet($payment, self::CANCEL_DATE_FIELDS);
        if ($claimed !== '' && $actual !== '' && $claimed !== $actual) {
            $found[] = ['field' => 'CANCELDATE', 'expected' => $claimed, 'actual' => $actual];
        }
        return $found;
    }

    private static function confirmed(array $payment, bool $claimsCancel): array
    {
        $cancelled = self::firstSet($payment, self::CANCELLATION_FIELDS) !== '';
        if ($claimsCancel && !$cancelled) {
            throw Failure::notiNotConfirmed(
                'not_cancelled',
                'the Noti reports a cancellation that paycert does not show: do not act on it (paycert shows a '
                . 'cancellation only once the whole amount is refunded; record partial refunds from cancel\'s own answer)'
            );
        }
        $tid = Json::trim(Json::textOf($payment, 'TID'));
        if ($cancelled) {
            $payment['kind'] = 'cancel';
            $payment['dedup_key'] = 'cancel:' . $tid . ':' . self::firstSet($payment, self::CANCEL_DATE_FIELDS);
        } else {
            $payment['kind'] = 'payment';
            $payment['dedup_key'] = 'payment:' . $tid;
        }
        return $payment;
    }

    /** An amount as a number of won, canonical digits: "1004", " 001004" and 1004 are the same. */
    private static function won(string $value): ?string
    {
        $value = Json::trim($value);
        return Json::digits($value) ? Json::parseU64($value) : null;
    }

    private static function firstSet(array $fields, array $names): string
    {
        foreach ($names as $name) {
            $text = Json::trim(Json::textOf($fields, $name));
            if ($text !== '') {
                return $text;
            }
        }
        return '';
    }
}
