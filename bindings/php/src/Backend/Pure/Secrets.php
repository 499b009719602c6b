<?php

namespace CookiePay\Backend\Pure;

/**
 * What must never leave in clear (secrets.rs): the API key, TOKENs and card data. Scrub known secret
 * strings from any text in every form they could be echoed in, and mask card data in answers.
 *
 * @internal
 */
final class Secrets
{
    const REDACTED = '[REDACTED]';

    /** Pieces of a long secret at least this long are secrets too. */
    const MIN_PIECE = 12;

    /** The same datum under both of the vendor's names (response.rs ALIASES). */
    const ALIASES = [['ACCEPTNO', 'ACCEPT_NO'], ['ACCEPTDATE', 'ACCEPT_DATE'], ['PAYMETHOD', 'PAY_METHOD'], ['BUYERID', 'USERID']];

    /**
     * $text without any of $secrets: raw, JSON-escaped, URL-encoded (a long one also upper- and
     * lower-cased, in Base64 and hex), and any run of 12-character pieces of a long one (a page that
     * quotes only the start of a header).
     *
     * @param string[] $secrets
     */
    public static function scrub(string $text, array $secrets): string
    {
        foreach ($secrets as $secret) {
            if (strlen($secret) < 4) {
                continue;
            }
            foreach (self::encodings($secret) as $form) {
                if (strpos($text, $form) !== false) {
                    $text = str_replace($form, self::REDACTED, $text);
                }
                if (strlen($form) >= 2 * self::MIN_PIECE && preg_match('/^[\x00-\x7F]*$/', $form) === 1) {
                    $text = self::scrubPieces($text, $form);
                }
            }
        }
        return $text;
    }

    /** @param string[] $secrets the client's key and TOKENs */
    public static function containsAny(string $bytes, array $secrets): bool
    {
        foreach ($secrets as $secret) {
            if (strlen($secret) < 4) {
                continue;
            }
            foreach (self::encodings($secret, true) as $form) {
                if (strpos($bytes, $form) !== false) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @var array secret => its forms, for the key and the TOKEN only (every answer is checked for
     *     them); card values are never kept
     */
    private static $forms = [];

    /** @return string[] the forms of a secret, longest first */
    private static function encodings(string $secret, bool $keep = false): array
    {
        if (isset(self::$forms[$secret])) {
            return self::$forms[$secret];
        }
        $json = json_encode($secret, Json::FLAGS);
        $json = is_string($json) ? substr($json, 1, -1) : $secret;
        $url = self::formEncode($secret);
        $all = '';
        foreach (str_split($secret) as $byte) {
            $all .= sprintf('%%%02X', ord($byte));
        }
        $forms = [$secret, $json, $url, str_replace('+', '%20', $url), $all];
        if (strlen($secret) >= self::MIN_PIECE) {
            // A long secret also upper- and lower-cased, in Base64 and in hex (secrets.rs encodings).
            foreach ($forms as $form) {
                $forms[] = strtoupper($form);
                $forms[] = strtolower($form);
            }
            foreach (self::base64Forms($secret) as $form) {
                $forms[] = $form;
            }
            $hex = bin2hex($secret);
            $forms[] = strtoupper($hex);
            $forms[] = $hex;
        }
        $forms = array_values(array_unique($forms));
        // Longest first, then in byte order: the order the core uses.
        usort($forms, function ($a, $b) {
            return strlen($b) - strlen($a) ?: strcmp($a, $b);
        });
        if ($keep) {
            if (count(self::$forms) >= 32) {
                self::$forms = [];
            }
            self::$forms[$secret] = $forms;
        }
        return $forms;
    }

    /**
     * $bytes in Base64 (standard and URL-safe) as it appears inside a longer encoded text: at each of
     * the three alignments only the characters made of its own bits; and the whole padded encoding.
     *
     * @return string[]
     */
    private static function base64Forms(string $bytes): array
    {
        $whole = base64_encode($bytes);
        $forms = [$whole, strtr($whole, '+/', '-_')];
        for ($shift = 0; $shift < 3; $shift++) {
            $encoded = rtrim(base64_encode(str_repeat("\0", $shift) . $bytes), '=');
            // Character i carries bits 6i..6i+6; the secret's bits are 8·shift..8·(shift + len).
            $first = intdiv(8 * $shift + 5, 6);
            $end = intdiv(8 * ($shift + strlen($bytes)), 6);
            $core = substr($encoded, $first, $end - $first);
            $forms[] = $core;
            $forms[] = strtr($core, '+/', '-_');
        }
        return $forms;
    }

    /** application/x-www-form-urlencoded as the WHATWG serializer writes it. */
    public static function formEncode(string $bytes): string
    {
        $encoded = preg_replace_callback('/[^A-Za-z0-9*\-._ ]/', function ($m) {
            return sprintf('%%%02X', ord($m[0]));
        }, $bytes);
        return str_replace(' ', '+', (string) $encoded);
    }

    private static function scrubPieces(string $text, string $secret): string
    {
        $n = strlen($text);
        if ($n < self::MIN_PIECE) {
            return $text;
        }
        $covered = [];
        $pieces = [];
        for ($i = 0, $last = strlen($secret) - self::MIN_PIECE; $i <= $last; $i++) {
            $pieces[substr($secret, $i, self::MIN_PIECE)] = true;
        }
        foreach (array_keys($pieces) as $piece) {
            $piece = (string) $piece;
            $at = 0;
            while (($at = strpos($text, $piece, $at)) !== false) {
                for ($j = $at; $j < $at + self::MIN_PIECE; $j++) {
                    $covered[$j] = true;
                }
                $at++;
            }
        }
        if ($covered === []) {
            return $text;
        }
        $out = '';
        for ($i = 0; $i < $n;) {
            if (isset($covered[$i])) {
                $out .= self::REDACTED;
                while ($i < $n && isset($covered[$i])) {
                    $i++;
                }
            } else {
                $out .= $text[$i];
                $i++;
            }
        }
        return $out;
    }

    /** Field names whose values are secrets in requests and answers (any case). */
    const SECRET_FIELDS = ['pay2_key', 'api_key', 'apikey', 'token', 'cardno', 'cardpwd', 'cardauth', 'expiredt'];

    /**
     * Every secret field's value replaced, at any depth (secrets.rs mask_fields): a refused answer may
     * still carry a TOKEN or card data.
     *
     * @param mixed $value
     * @return mixed
     */
    public static function maskFields($value)
    {
        if ($value instanceof \stdClass) {
            return (object) self::maskFields(get_object_vars($value));
        }
        if (!is_array($value)) {
            return $value;
        }
        foreach ($value as $key => $v) {
            if (is_string($key) && $v !== null && in_array(strtolower($key), self::SECRET_FIELDS, true)) {
                $value[$key] = self::REDACTED;
            } elseif (is_array($v) || $v instanceof \stdClass) {
                $value[$key] = self::maskFields($v);
            }
        }
        return $value;
    }

    /**
     * Card data in an answer as it is handed on: a card number keeps its last four digits (unless
     * CookiePay masked it already), expiry, birth date and password never pass.
     */
    public static function maskCardData(array $fields): array
    {
        foreach ($fields as $key => $value) {
            if (!is_string($value) || $value === '') {
                continue;
            }
            $lower = strtolower((string) $key);
            if ($lower === 'cardno') {
                if (strpos($value, '*') !== false) {
                    continue;
                }
                $digits = (int) preg_match_all('/[0-9]/', $value);
                $seen = 0;
                $fields[$key] = preg_replace_callback('/[0-9]/', function ($m) use ($digits, &$seen) {
                    $seen++;
                    return $digits - $seen < 4 ? $m[0] : '*';
                }, $value);
            } elseif ($lower === 'cardpwd' || $lower === 'cardauth' || $lower === 'expiredt') {
                $fields[$key] = self::REDACTED;
            }
        }
        return $fields;
    }

    /** response.rs normalize: card data masked, then the missing twin of every aliased field added. */
    public static function normalize(array $fields): array
    {
        $fields = self::maskCardData($fields);
        foreach (self::ALIASES as $pair) {
            $a = array_key_exists($pair[0], $fields);
            $b = array_key_exists($pair[1], $fields);
            if ($a && !$b) {
                $fields[$pair[1]] = $fields[$pair[0]];
            } elseif ($b && !$a) {
                $fields[$pair[0]] = $fields[$pair[1]];
            }
        }
        return $fields;
    }

    /**
     * The card values of a request worth scrubbing (card.rs values_of): the number as given and as
     * digits, the birth date or business number, the expiry.
     *
     * @return string[]
     */
    public static function cardValues(array $request): array
    {
        $values = [];
        foreach (['CARDNO', 'CARDAUTH', 'EXPIREDT'] as $field) {
            if (!isset($request[$field]) || !is_string($request[$field])) {
                continue;
            }
            $v = Json::trim($request[$field]);
            if (strlen($v) < 4) {
                continue;
            }
            $values[] = $v;
            $digits = (string) preg_replace('/[^0-9]/', '', $v);
            if (strlen($digits) >= 4 && $digits !== $v) {
                $values[] = $digits;
            }
        }
        return $values;
    }
}
