<?php

namespace CookiePay\Backend\Pure;

/**
 * An error of the pure backend while it is being built: the core's Error enum (src/error.rs) as
 * data. PureBackend turns it into the error object (same keys, same order, same messages) and then
 * into the CookiePayException of its kind, after scrubbing.
 *
 * @internal
 */
final class Failure extends \Exception
{
    const NOT_APPLIED = 'not_applied';
    const UNKNOWN = 'unknown';

    /** What settles an unknown outcome, per operation (error.rs Settle::advice): the end of the message. */
    const LOOK_UP = 'look it up at CookiePay before trying again';
    const SETTLE_CHARGE = 'before charging again, look the payment up by your ORDERNO: paysearch with from/to around the time '
        . 'of the call, then paycert with the TID found';
    const SETTLE_RECURRING_CHARGE = 'before charging again, find the charge: its Noti (통지) names the RESERVE_ID and the TID, or paysearch '
        . 'with from/to around the time of the call lists it (CookiePay gives each recurring charge its own '
        . 'ORDERNO: match AMOUNT and BUYERID), then paycert with the TID';
    const SETTLE_FULL_REFUND = 'before refunding again, look the payment up with paycert by its TID: CANCELDATE is set when the '
        . 'refund went through';
    const SETTLE_PARTIAL_REFUND = 'no public CookiePay answer shows a partial refund (paycert and paysearch still show the payment '
        . 'approved): check the payment in CookiePay\'s dashboard, and never send the refund again blindly';
    const SETTLE_BILLKEY_DELETE = 'no public CookiePay answer tells whether a billing key was disposed of: check it in CookiePay\'s '
        . 'dashboard';
    const SETTLE_SCHEDULE_CANCEL = 'send schedule_cancel again: already_cancelled true (CookiePay\'s E103) says it is cancelled, and '
        . 'cancelled_at since when; cancelling twice changes nothing else';

    /** @var string */
    public $kind;
    /** @var array the kind's own fields, in the core's order (message excluded) */
    public $fields;
    /** @var string the core's Display text, before the outcome note */
    public $text;
    /** @var string what settles an unknown outcome (error.rs Settle), until the operation says better */
    private $advice = self::LOOK_UP;

    private function __construct(string $kind, string $text, array $fields)
    {
        parent::__construct($kind);
        $this->kind = $kind;
        $this->text = $text;
        $this->fields = $fields;
    }

    public static function invalid(string $message): Failure
    {
        return new self('invalid_argument', $message, []);
    }

    public static function internal(string $message): Failure
    {
        return new self('internal', 'internal error: ' . $message, []);
    }

    /** @param array $problems list of [field, rule, message] */
    public static function validation(array $problems): Failure
    {
        $list = [];
        foreach ($problems as $p) {
            $list[] = ['field' => $p[0], 'rule' => $p[1], 'message' => $p[2]];
        }
        return new self('validation', self::fieldSummary($list), ['fields' => $list]);
    }

    /**
     * error.rs FieldSummary: how many fields failed, then the first five as `FIELD (rule)` (an unknown
     * option with the known name its message suggests), the rest counted. Never a value.
     */
    private static function fieldSummary(array $list): string
    {
        $count = count($list);
        $text = $count . ($count === 1 ? ' field' : ' fields') . ' failed validation';
        foreach (array_slice($list, 0, 5) as $i => $p) {
            $name = (string) $p['field'];
            // 40 characters of a name (an unknown key is the caller's text); no mbstring needed.
            if (preg_match('/^.{40}(?=.)/su', $name, $cut) === 1) {
                $name = $cut[0] . '…';
            }
            $text .= ($i === 0 ? ': ' : ', ') . $name . ' (' . $p['rule'];
            $near = strrpos((string) $p['message'], 'did you mean ');
            if ($p['rule'] === 'unknown' && $near !== false && substr((string) $p['message'], -1) === '?') {
                $text .= '; did you mean ' . trim(substr((string) $p['message'], $near + 13, -1), '"') . '?';
            }
            $text .= ')';
        }
        return $count > 5 ? $text . ', and ' . ($count - 5) . ' more' : $text;
    }

    public static function field(string $field, string $rule, string $message): Failure
    {
        return self::validation([[$field, $rule, $message]]);
    }

    /** The api error of a non-success answer (response.rs api_error). */
    public static function api(array $answer, string $codeField, string $messageField, ?string $layer, ?string $hint = null): Failure
    {
        $code = Json::codeOf($answer, $codeField);
        $fields = [
            'code' => $code === '' ? '(none)' : $code,
            'api_message' => Json::textOf($answer, $messageField),
            'response' => Json::object(Secrets::maskFields($answer)),
        ];
        if ($layer !== null) {
            $fields['layer'] = $layer;
        }
        if ($hint !== null) {
            $fields['hint'] = $hint;
        }
        return new self('api', '', $fields);
    }

    /** @param array $mismatches list of ['field', 'expected', 'actual'] */
    public static function verification(array $mismatches, array $payment): Failure
    {
        return new self('verification_failed', '', ['mismatches' => $mismatches, 'payment' => Json::object($payment)]);
    }

    /**
     * error.rs NotiNotConfirmed: reason, mismatches (list of ['field', 'expected', 'actual']), and
     * paycert's code when it refused the TID.
     */
    public static function notiNotConfirmed(string $reason, string $message, array $mismatches = [], ?string $code = null): Failure
    {
        $fields = ['reason' => $reason, 'mismatches' => $mismatches];
        if ($code !== null) {
            $fields['code'] = $code;
        }
        return new self('noti_not_confirmed', $message, $fields);
    }

    public static function network(string $phase, string $message, string $outcome): Failure
    {
        return new self('network', $message, self::withOutcome(['phase' => $phase], $outcome));
    }

    public static function timeout(int $timeoutMs, string $outcome): Failure
    {
        return new self('timeout', 'CookiePay did not answer within ' . $timeoutMs . ' ms', self::withOutcome([], $outcome));
    }

    public static function http(int $status, ?string $contentType, string $excerpt, ?string $outcome = null): Failure
    {
        return new self('http', '', self::withOutcome(['status' => $status, 'content_type' => $contentType, 'excerpt' => $excerpt], $outcome));
    }

    public static function decode(string $message, string $excerpt, ?string $outcome = null): Failure
    {
        return new self('decode', $message, self::withOutcome(['excerpt' => $excerpt], $outcome));
    }

    private static function withOutcome(array $fields, ?string $outcome): array
    {
        if ($outcome !== null) {
            $fields['outcome'] = $outcome;
        }
        return $fields;
    }

    /** An unknown outcome takes the operation's advice (error.rs settled_by); any other failure stays. */
    public function settledBy(string $advice): Failure
    {
        if (isset($this->fields['outcome']) && $this->fields['outcome'] === self::UNKNOWN) {
            $this->advice = $advice;
        }
        return $this;
    }

    /** The result code of an api error, or null for any other kind. */
    public function apiCode(): ?string
    {
        return $this->kind === 'api' ? (string) $this->fields['code'] : null;
    }

    /**
     * This error happened while reading a money call's accepted answer: whatever it says, the call
     * may have taken effect (error.rs after_money_sent).
     */
    public function afterMoneySent(): Failure
    {
        switch ($this->kind) {
            case 'network':
            case 'timeout':
            case 'http':
            case 'decode':
                $fields = $this->fields;
                $fields['outcome'] = self::UNKNOWN;
                return new self($this->kind, $this->text, $fields);
            case 'api':
                return self::decode(
                    'CookiePay accepted the call but its answer could not be decrypted (' . $this->fields['code'] . ': '
                    . $this->fields['api_message'] . ')',
                    '',
                    self::UNKNOWN
                );
            default:
                return $this;
        }
    }

    /** The error object of the envelope: {"kind", "message", ...}. */
    public function toError(): array
    {
        return ['kind' => $this->kind, 'message' => $this->message()] + $this->fields;
    }

    private function message(): string
    {
        switch ($this->kind) {
            case 'api':
                $hint = isset($this->fields['hint']) ? ' (' . $this->fields['hint'] . ')' : '';
                return 'CookiePay answered ' . $this->fields['code'] . ': ' . $this->fields['api_message'] . $hint;
            case 'verification_failed':
                $names = [];
                foreach ($this->fields['mismatches'] as $m) {
                    $names[] = $m['field'];
                }
                return 'payment does not match the order: ' . implode(', ', $names);
            case 'http':
                return 'unexpected HTTP answer (status ' . $this->fields['status'] . ')' . $this->outcomeNote();
            case 'network':
            case 'timeout':
            case 'decode':
                return $this->text . $this->outcomeNote();
            default:
                return $this->text;
        }
    }

    /** An unknown outcome's message ends with what settles it (error.rs outcome_note). */
    private function outcomeNote(): string
    {
        return isset($this->fields['outcome']) && $this->fields['outcome'] === self::UNKNOWN
            ? '; the request may have taken effect: ' . $this->advice
            : '';
    }
}
