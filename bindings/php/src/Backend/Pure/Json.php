<?php

namespace CookiePay\Backend\Pure;

/**
 * JSON values and text the way the core (serde_json, Rust strings) sees them. A JSON object is a PHP
 * array at the top level; nested values keep json_decode's objects, so {} and [] stay apart.
 *
 * @internal
 */
final class Json
{
    const FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_LINE_TERMINATORS;

    /** Unicode White_Space (Rust's char::is_whitespace). */
    const WHITESPACE = '\x{9}-\x{D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}';

    /**
     * Parse JSON text. $kind says what it was: "object" (then the value is an array of its fields),
     * "array", "scalar", or "invalid" (then the value is null).
     *
     * @return mixed
     */
    public static function decode(string $text, ?string &$kind = null)
    {
        $value = json_decode($text, false);
        if ($value === null && json_last_error() !== JSON_ERROR_NONE) {
            $kind = 'invalid';
            return null;
        }
        if ($value instanceof \stdClass) {
            $kind = 'object';
            return get_object_vars($value);
        }
        $kind = is_array($value) ? 'array' : 'scalar';
        return $value;
    }

    /** @param mixed $value */
    public static function encode($value): string
    {
        $text = json_encode($value, self::FLAGS);
        if ($text === false) {
            // Only text taken from a JSON document is encoded here, so this is a bug.
            throw Failure::internal('cannot encode JSON: ' . json_last_error_msg());
        }
        return $text;
    }

    /** A top-level object for encoding: an empty one stays {}. */
    public static function object(array $fields)
    {
        return $fields === [] ? new \stdClass() : $fields;
    }

    /** @param mixed $value a decoded value → plain PHP arrays all the way down (what the FFI backend returns) */
    public static function plain($value)
    {
        if ($value instanceof \stdClass) {
            $value = get_object_vars($value);
        }
        if (is_array($value)) {
            foreach ($value as $k => $v) {
                if (is_array($v) || is_object($v)) {
                    $value[$k] = self::plain($v);
                }
            }
        }
        return $value;
    }

    /** A result code exactly as sent (response.rs code_of): strings as they are, numbers as text. */
    public static function codeOf(array $answer, string $field): string
    {
        if (!array_key_exists($field, $answer)) {
            return '';
        }
        $v = $answer[$field];
        if (is_string($v)) {
            return $v;
        }
        if (is_int($v) || is_float($v)) {
            return self::encode($v);
        }
        return '';
    }

    public static function textOf(array $answer, string $field): string
    {
        return array_key_exists($field, $answer) ? self::asText($answer[$field]) : '';
    }

    /** @param mixed $value strings as they are, null as "", others as JSON */
    public static function asText($value): string
    {
        if (is_string($value)) {
            return $value;
        }
        return $value === null ? '' : self::encode($value);
    }

    public static function chars(string $text): int
    {
        return (int) preg_match_all('/./su', $text);
    }

    /** The first $n characters. */
    public static function head(string $text, int $n): string
    {
        return preg_match('/^.{0,' . $n . '}/su', $text, $m) ? $m[0] : '';
    }

    public static function hasControl(string $text): bool
    {
        return preg_match('/\p{Cc}/u', $text) === 1;
    }

    public static function hasWhitespace(string $text): bool
    {
        return preg_match('/[' . self::WHITESPACE . ']/u', $text) === 1;
    }

    /** Rust's str::trim: Unicode whitespace off both ends. */
    public static function trim(string $text): string
    {
        return (string) preg_replace('/^[' . self::WHITESPACE . ']+|[' . self::WHITESPACE . ']+$/u', '', $text);
    }

    public static function trimStart(string $text): string
    {
        return (string) preg_replace('/^[' . self::WHITESPACE . ']+/u', '', $text);
    }

    public static function digits(string $text): bool
    {
        return $text !== '' && strspn($text, '0123456789') === strlen($text);
    }

    /** @param mixed $value a non-negative integer (serde's as_u64), as decimal text; else null */
    public static function u64($value): ?string
    {
        if (is_int($value)) {
            return $value >= 0 ? (string) $value : null;
        }
        // JSON_BIGINT_AS_STRING hands integers beyond PHP_INT_MAX over as digit strings.
        return null;
    }

    /** Digits as an unsigned 64-bit number's text without leading zeros, or null when too large. */
    public static function parseU64(string $digits): ?string
    {
        $n = ltrim($digits, '0');
        $n = $n === '' ? '0' : $n;
        if (strlen($n) > 20 || (strlen($n) === 20 && strcmp($n, '18446744073709551615') > 0)) {
            return null;
        }
        return $n;
    }

    /** String::from_utf8_lossy: every invalid sequence becomes U+FFFD. */
    public static function lossy(string $bytes): string
    {
        if (preg_match('//u', $bytes) === 1) {
            return $bytes;
        }
        $out = '';
        $valid = '/\G(?:[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}'
            . '|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2})+/';
        $prefix = '/\G(?:[\xC2-\xDF]|\xE0[\xA0-\xBF]?|[\xE1-\xEC\xEE\xEF][\x80-\xBF]?|\xED[\x80-\x9F]?'
            . '|\xF0(?:[\x90-\xBF][\x80-\xBF]?)?|[\xF1-\xF3](?:[\x80-\xBF][\x80-\xBF]?)?|\xF4(?:[\x80-\x8F][\x80-\xBF]?)?)/';
        $i = 0;
        $len = strlen($bytes);
        while ($i < $len) {
            if (preg_match($valid, $bytes, $m, 0, $i)) {
                $out .= $m[0];
                $i += strlen($m[0]);
                continue;
            }
            // One U+FFFD for the longest start of a valid sequence (or one bad byte), as Rust does.
            $skip = preg_match($prefix, $bytes, $m, 0, $i) ? max(1, strlen($m[0])) : 1;
            $out .= "\u{FFFD}";
            $i += $skip;
        }
        return $out;
    }

    /** error.rs excerpt: at most 200 characters of the start of a body. */
    public static function excerpt(string $body): string
    {
        return self::head(self::lossy(substr($body, 0, 800)), 200);
    }
}
