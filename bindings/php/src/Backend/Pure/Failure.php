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

    /** @var string */
    public $kind;
    /** @var array the kind's own fields, in the core's order (message excluded) */
    public $fields;
    /** @var string the core's Display text, before the outcome note */
    public $text;

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
        return new self('validation', count($list) . ' field(s) failed validation', ['fields' => $list]);
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
        return new self('network', $message, ['phase' => $phase, 'outcome' => $outcome]);
    }

    public static function timeout(int $timeoutMs, string $outcome): Failure
    {
        $message = 'CookiePay did not answer within ' . $timeoutMs . ' ms';
        if ($outcome === self::UNKNOWN) {
            $message .= '; the request may have taken effect: look it up (paysearch by TID or date, paycert) before trying again';
        }
        return new self('timeout', $message, ['outcome' => $outcome]);
    }

    public static function http(int $status, ?string $contentType, string $excerpt, ?string $outcome = null): Failure
    {
        $fields = ['status' => $status, 'content_type' => $contentType, 'excerpt' => $excerpt];
        if ($outcome !== null) {
            $fields['outcome'] = $outcome;
        }
        return new self('http', '', $fields);
    }

    public static function decode(string $message, string $excerpt, ?string $outcome = null): Failure
    {
        $fields = ['excerpt' => $excerpt];
        if ($outcome !== null) {
            $fields['outcome'] = $outcome;
        }
        return new self('decode', $message, $fields);
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
            case 'decode':
                return $this->text . $this->outcomeNote();
            default:
                return $this->text;
        }
    }

    private function outcomeNote(): string
    {
        return isset($this->fields['outcome']) && $this->fields['outcome'] === self::UNKNOWN
            ? '; the request was sent and may have taken effect: look it up before trying again'
            : '';
    }
}
