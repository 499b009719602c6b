<?php

namespace CookiePay\Backend\Pure;

/**
 * The field rules the core checks before anything is sent (order.rs, card.rs, request.rs and the
 * schedule rules of billkeygen.rs). Problems are lists of [field, rule, message]; messages name the
 * rule, never the value.
 *
 * @internal
 */
final class Rules
{
    /** The manual's /pay/ready table: field => [max characters, required]. */
    const READY_FIELDS = [
        'API_ID' => [20, true], 'ORDERNO' => [50, true], 'PRODUCTNAME' => [40, true], 'AMOUNT' => [10, true],
        'BUYERNAME' => [20, true], 'TAXYN' => [1, false], 'RETURNURL' => [100, true], 'BUYEREMAIL' => [50, false],
        'PRODUCTCODE' => [10, false], 'BUYERID' => [20, false], 'BUYERADDRESS' => [100, false],
        'BUYERPHONE' => [20, false], 'ETC1' => [100, false], 'ETC2' => [100, false], 'ETC3' => [100, false],
        'ETC4' => [100, false], 'ETC5' => [100, false],
    ];

    /** Korea's offset from UTC: card expiry months are Korean months. */
    const KST_OFFSET_SECS = 9 * 3600;

    /**
     * order.rs check: AMOUNT as a string, API_ID filled in, every field's rules.
     *
     * @param array $fields a subset of READY_FIELDS
     */
    public static function order(string $apiId, array $input, array $fields, array &$problems): array
    {
        $body = $input;
        if (array_key_exists('AMOUNT', $input) && (is_int($input['AMOUNT']) || is_float($input['AMOUNT']))) {
            $won = Json::u64($input['AMOUNT']);
            if ($won !== null) {
                $body['AMOUNT'] = $won;
            } else {
                $problems[] = ['AMOUNT', 'digits_only', 'AMOUNT must be a whole number of won'];
            }
        }
        $given = array_key_exists('API_ID', $input) ? $input['API_ID'] : null;
        if ($given === null) {
            $body['API_ID'] = $apiId;
        } elseif (is_string($given) && $given !== $apiId) {
            $problems[] = ['API_ID', 'mismatch', "API_ID differs from the client's api_id (leave it out: the client fills it in)"];
        }
        foreach ($fields as $field => $spec) {
            $value = array_key_exists($field, $body) ? $body[$field] : null;
            if ($value !== null && !is_string($value)) {
                $problems[] = [$field, 'type', $field . ' must be a string'];
                continue;
            }
            if ($value === null || $value === '') {
                if ($spec[1]) {
                    $problems[] = [$field, 'required', $field . ' is required'];
                }
                continue;
            }
            $chars = Json::chars($value);
            if ($chars > $spec[0]) {
                $problems[] = [$field, 'max_length', sprintf('%s must be at most %d characters (got %d)', $field, $spec[0], $chars)];
            }
            if (Json::hasControl($value)) {
                $problems[] = [$field, 'control_character', $field . ' must not contain control characters'];
            }
            $problem = self::fieldRule($field, $value);
            if ($problem !== null) {
                $problems[] = $problem;
            }
        }
        return $body;
    }

    private static function fieldRule(string $field, string $value): ?array
    {
        switch ($field) {
            case 'PRODUCTNAME':
                return strpos($value, '&') !== false
                    ? [$field, 'forbidden_character', "PRODUCTNAME must not contain '&' (CookiePay rejects it)"] : null;
            case 'AMOUNT':
                if (!Json::digits($value)) {
                    return [$field, 'digits_only', 'AMOUNT must contain digits only (no commas, signs or decimals)'];
                }
                return trim($value, '0') === '' ? [$field, 'positive', 'AMOUNT must be greater than 0'] : null;
            case 'TAXYN':
                return $value !== 'Y' && $value !== 'N' ? [$field, 'one_of', 'TAXYN must be Y (과세) or N (비과세)'] : null;
            case 'RETURNURL':
                return !self::isAbsoluteHttpUrl($value)
                    ? [$field, 'url', 'RETURNURL must be an absolute http:// or https:// URL'] : null;
            case 'BUYEREMAIL':
                return !self::isPlausibleEmail($value) ? [$field, 'email', 'BUYEREMAIL is not a valid e-mail address'] : null;
            case 'BUYERPHONE':
                return !self::isPlausiblePhone($value)
                    ? [$field, 'phone', "BUYERPHONE must be a phone number: digits, optionally with '-', ' ' or a leading '+'"] : null;
            default:
                return null;
        }
    }

    public static function isAbsoluteHttpUrl(string $value): bool
    {
        $lower = strtolower($value);
        if (strncmp($lower, 'https://', 8) === 0) {
            $rest = substr($lower, 8);
        } elseif (strncmp($lower, 'http://', 7) === 0) {
            $rest = substr($lower, 7);
        } else {
            return false;
        }
        $host = (string) preg_split('#[/?\#]#', $rest, 2)[0];
        $at = strrpos($host, '@');
        if ($at !== false) {
            $host = substr($host, $at + 1);
        }
        return $host !== '' && $host[0] !== ':' && !Json::hasWhitespace($value);
    }

    private static function isPlausibleEmail(string $value): bool
    {
        $parts = explode('@', $value);
        if (count($parts) !== 2) {
            return false;
        }
        list($local, $domain) = $parts;
        return $local !== '' && strpos($domain, '.') !== false && $domain[0] !== '.' && substr($domain, -1) !== '.'
            && !Json::hasWhitespace($value) && !Json::hasControl($value);
    }

    private static function isPlausiblePhone(string $value): bool
    {
        $digits = (int) preg_match_all('/[0-9]/', $value);
        $body = strncmp($value, '+', 1) === 0 ? substr($value, 1) : $value;
        return $digits >= 8 && $digits <= 15 && strspn($body, '0123456789- ') === strlen($body);
    }

    /** card.rs check: the card fields, CARDNO reduced to its digits, QUOTA "00" unless given. */
    public static function card(array &$body, array &$problems): void
    {
        $number = self::cardText($body, 'CARDNO', $problems);
        if ($number !== null) {
            $digits = str_replace([' ', '-'], '', $number);
            if (!Json::digits($digits) || strlen($digits) < 12 || strlen($digits) > 19) {
                $problems[] = ['CARDNO', 'format', 'CARDNO must be 12 to 19 digits'];
            } elseif (!self::luhn($digits)) {
                $problems[] = ['CARDNO', 'luhn', 'CARDNO is not a valid card number (check digit)'];
            }
            $body['CARDNO'] = $digits;
        }
        $expiry = self::cardText($body, 'EXPIREDT', $problems);
        if ($expiry !== null) {
            $month = self::yymm($expiry);
            if ($month === null) {
                $problems[] = ['EXPIREDT', 'format', 'EXPIREDT must be YYMM (e.g. 2812)'];
            } elseif ($month < self::currentMonth()) {
                $problems[] = ['EXPIREDT', 'expired', 'EXPIREDT is in the past: the card has expired'];
            }
        }
        $auth = self::cardText($body, 'CARDAUTH', $problems);
        if ($auth !== null && (!Json::digits($auth) || (strlen($auth) !== 6 && strlen($auth) !== 10))) {
            $problems[] = ['CARDAUTH', 'format', 'CARDAUTH must be the 6-digit birth date (YYMMDD) or the 10-digit business number'];
        }
        $pwd = self::cardText($body, 'CARDPWD', $problems);
        if ($pwd !== null && (!Json::digits($pwd) || strlen($pwd) !== 2)) {
            $problems[] = ['CARDPWD', 'format', 'CARDPWD must be the first 2 digits of the card password'];
        }
        $quota = array_key_exists('QUOTA', $body) ? $body['QUOTA'] : null;
        if ($quota === null) {
            $body['QUOTA'] = '00';
        } elseif (!is_string($quota) || strlen($quota) !== 2 || !Json::digits($quota)) {
            $problems[] = ['QUOTA', 'format', 'QUOTA must be 2 digits: 00 (일시불) or months'];
        }
    }

    private static function cardText(array $body, string $field, array &$problems): ?string
    {
        $value = array_key_exists($field, $body) ? $body[$field] : null;
        if (is_string($value) && Json::trim($value) !== '') {
            return Json::trim($value);
        }
        if ($value === null || is_string($value)) {
            $problems[] = [$field, 'required', $field . ' is required'];
        } else {
            $problems[] = [$field, 'type', $field . ' must be a string'];
        }
        return null;
    }

    public static function luhn(string $digits): bool
    {
        $sum = 0;
        $reversed = strrev($digits);
        for ($i = 0, $n = strlen($reversed); $i < $n; $i++) {
            $d = ord($reversed[$i]) - 48;
            if ($i % 2 === 1) {
                $d = $d * 2 > 9 ? $d * 2 - 9 : $d * 2;
            }
            $sum += $d;
        }
        return $sum % 10 === 0;
    }

    private static function yymm(string $text): ?int
    {
        if (strlen($text) !== 4 || !Json::digits($text)) {
            return null;
        }
        $month = (int) substr($text, 2);
        return $month >= 1 && $month <= 12 ? (int) substr($text, 0, 2) * 12 + $month - 1 : null;
    }

    private static function currentMonth(): int
    {
        $korea = time() + self::KST_OFFSET_SECS;
        return max(0, (int) gmdate('Y', $korea) - 2000) * 12 + (int) gmdate('n', $korea) - 1;
    }

    /** billkeygen.rs check_schedule. */
    public static function schedule(array &$body, array &$problems): void
    {
        $pay = array_key_exists('RECURRENCE_PAY', $body) ? $body['RECURRENCE_PAY'] : null;
        if ($pay === null) {
            return;
        }
        if ($pay !== 'Y' && $pay !== 'N') {
            $problems[] = ['RECURRENCE_PAY', 'one_of', 'RECURRENCE_PAY must be Y or N'];
            return;
        }
        if ($pay !== 'Y') {
            return;
        }
        $type = array_key_exists('RECURRENCE_TYPE', $body) ? $body['RECURRENCE_TYPE'] : null;
        if ($type === null) {
            $problems[] = ['RECURRENCE_TYPE', 'required', 'RECURRENCE_TYPE is required with RECURRENCE_PAY Y (M monthly, W weekly)'];
        } elseif (!is_string($type) || $type === '' || strlen($type) > 2 || strspn($type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') !== strlen($type)) {
            $problems[] = ['RECURRENCE_TYPE', 'format', 'RECURRENCE_TYPE must be a letter code such as M or W'];
        }
        foreach (['PAY_DAY', 'START_PAY_CNT', 'LAST_PAY_CNT'] as $field) {
            $value = array_key_exists($field, $body) ? $body[$field] : null;
            if ($value === null) {
                if ($field === 'PAY_DAY') {
                    $problems[] = [$field, 'required', $field . ' is required with RECURRENCE_PAY Y'];
                }
                continue;
            }
            $text = is_int($value) || is_float($value) ? Json::u64($value) : (is_string($value) ? $value : null);
            if ($text !== null && $text !== '' && strlen($text) <= 4 && Json::digits($text)) {
                $body[$field] = $text;
            } else {
                $problems[] = [$field, 'digits_only', $field . ' must be a whole number'];
            }
        }
    }

    /**
     * request.rs identifier: a required non-blank string of at most $max characters, no control
     * characters; the first of $names is the one reported.
     */
    public static function identifier(array $request, array $names, int $max): string
    {
        $field = $names[0];
        $value = null;
        foreach ($names as $name) {
            if (array_key_exists($name, $request) && $request[$name] !== null) {
                $value = $request[$name];
                break;
            }
        }
        if (is_string($value) && Json::trim($value) !== '') {
            $value = Json::trim($value);
            if (Json::chars($value) > $max || Json::hasControl($value)) {
                throw Failure::field($field, 'max_length', sprintf('%s must be at most %d printable characters', $field, $max));
            }
            return $value;
        }
        if ($value === null || is_string($value)) {
            throw Failure::field($field, 'required', $field . ' is required');
        }
        throw Failure::invalid($field . ' must be a string');
    }

    /**
     * Several identifiers, every problem at once: [[names, max], ...].
     *
     * @return string[]
     */
    public static function identifiers(array $request, array $specs): array
    {
        $values = [];
        $problems = [];
        foreach ($specs as $spec) {
            try {
                $values[] = self::identifier($request, $spec[0], $spec[1]);
            } catch (Failure $f) {
                if ($f->kind !== 'validation') {
                    throw $f;
                }
                foreach ($f->fields['fields'] as $p) {
                    $problems[] = [$p['field'], $p['rule'], $p['message']];
                }
            }
        }
        if ($problems !== []) {
            throw Failure::validation($problems);
        }
        return $values;
    }

    /** paycert.rs tid_of: `tid` or `TID`, at most 50 characters. */
    public static function tid(array $request): string
    {
        return self::identifier($request, ['tid', 'TID'], 50);
    }

    /** YYYY-MM-DD with a real month and a day that month has. */
    public static function isDate(string $text): bool
    {
        if (preg_match('/^([0-9]{4})-([0-9]{2})-([0-9]{2})$/D', $text, $m) !== 1) {
            return false;
        }
        $month = (int) $m[2];
        $day = (int) $m[3];
        return $month >= 1 && $month <= 12 && $day >= 1 && checkdate($month, $day, (int) $m[1] ?: 2000);
    }
}
