<?php

namespace CookiePay\Backend\Pure;

/**
 * base_url read as the core reads it (the WHATWG URL standard, through Rust's url crate), for the
 * parts config.rs checks: what it accepts (" http://x", "http:\\x", "http://0x7f.1") this accepts,
 * and curl is given the normalised form. Only what a base URL needs: no relative references, and no
 * IDNA mapping (libcurl does that for a non-ASCII host).
 *
 * @internal
 */
final class BaseUrl
{
    const SPECIAL = ['http', 'https', 'ws', 'wss', 'ftp'];

    /**
     * @return array|null scheme, username, password (null: none), host, port (null: none), path,
     *     query and fragment (null: none); null when it is not a URL at all
     */
    public static function parse(string $raw): ?array
    {
        $url = (string) preg_replace('/[\t\n\r]/', '', trim($raw, "\x00..\x20"));
        if (preg_match('/^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$/s', $url, $m) !== 1) {
            return null;
        }
        $scheme = strtolower($m[1]);
        $out = ['scheme' => $scheme, 'username' => '', 'password' => null, 'host' => null, 'port' => null, 'path' => '',
            'query' => null, 'fragment' => null];
        if (!in_array($scheme, self::SPECIAL, true)) {
            // file: and the non-special schemes parse, and are refused for their scheme.
            return $out;
        }
        $rest = ltrim($m[2], '/\\');
        $end = strcspn($rest, '/\\?#');
        $authority = substr($rest, 0, $end);
        $rest = (string) substr($rest, $end);
        $at = strrpos($authority, '@');
        if ($at !== false) {
            $userinfo = substr($authority, 0, $at);
            $authority = (string) substr($authority, $at + 1);
            $colon = strpos($userinfo, ':');
            $out['username'] = $colon === false ? $userinfo : substr($userinfo, 0, $colon);
            $out['password'] = $colon === false ? null : (string) substr($userinfo, $colon + 1);
        }
        if (strncmp($authority, '[', 1) === 0) {
            $close = strpos($authority, ']');
            if ($close === false || filter_var(substr($authority, 1, $close - 1), FILTER_VALIDATE_IP, FILTER_FLAG_IPV6) === false) {
                return null;
            }
            $host = strtolower(substr($authority, 0, $close + 1));
            $after = (string) substr($authority, $close + 1);
            if ($after !== '' && $after[0] !== ':') {
                return null;
            }
            $port = $after === '' ? '' : substr($after, 1);
        } else {
            $colon = strpos($authority, ':');
            $host = self::host(rawurldecode($colon === false ? $authority : substr($authority, 0, $colon)));
            $port = $colon === false ? '' : substr($authority, $colon + 1);
            if ($host === null) {
                return null;
            }
        }
        if ($port !== '') {
            if (!Json::digits($port) || (int) $port > 65535 || strlen(ltrim($port, '0')) > 5) {
                return null;
            }
            $out['port'] = (string) (int) $port;
        }
        $out['host'] = $host;
        $hash = strpos($rest, '#');
        if ($hash !== false) {
            $out['fragment'] = (string) substr($rest, $hash + 1);
            $rest = substr($rest, 0, $hash);
        }
        $question = strpos($rest, '?');
        if ($question !== false) {
            $out['query'] = (string) substr($rest, $question + 1);
            $rest = substr($rest, 0, $question);
        }
        $out['path'] = (string) preg_replace_callback('/[\x00-\x20"<>`{}\x7F-\xFF]/', function ($c) {
            return sprintf('%%%02X', ord($c[0]));
        }, str_replace('\\', '/', $rest));
        return $out;
    }

    /** A special URL's host: lower case, an IPv4 address in any of its forms normalised; null if invalid. */
    private static function host(string $host): ?string
    {
        if ($host === '' || preg_match('/[\x00-\x20#%\/:<>?@\[\\\\\]^|\x7F]/', $host) === 1) {
            return null;
        }
        if (preg_match('/[^\x00-\x7F]/', $host) === 1) {
            // IDNA: with ext-intl as UTS 46 says; without it, letters, marks and digits only.
            if (function_exists('idn_to_ascii')) {
                return idn_to_ascii($host, IDNA_NONTRANSITIONAL_TO_ASCII, INTL_IDNA_VARIANT_UTS46) === false ? null : $host;
            }
            return preg_match('/^[\p{L}\p{M}\p{N}.\-]+$/u', $host) === 1 ? $host : null;
        }
        $host = strtolower($host);
        $labels = explode('.', $host);
        if (count($labels) > 1 && end($labels) === '') {
            array_pop($labels);
        }
        $last = end($labels);
        if (!Json::digits((string) $last) && preg_match('/^0x[0-9a-f]*$/', (string) $last) !== 1) {
            return $host;
        }
        // Ends in a number: an IPv4 address, or nothing.
        if (count($labels) > 4) {
            return null;
        }
        $numbers = [];
        foreach ($labels as $label) {
            if (preg_match('/^0x([0-9a-f]*)$/', $label, $hex) === 1) {
                $n = $hex[1] === '' ? 0 : hexdec($hex[1]);
            } elseif (strlen($label) > 1 && $label[0] === '0') {
                if (preg_match('/^[0-7]+$/', $label) !== 1) {
                    return null;
                }
                $n = octdec($label);
            } elseif (Json::digits($label)) {
                $n = (float) $label;
            } else {
                return null;
            }
            $numbers[] = $n;
        }
        $count = count($numbers);
        $value = 0.0;
        foreach ($numbers as $i => $n) {
            if ($i < $count - 1) {
                if ($n > 255) {
                    return null;
                }
                $value += $n * (256 ** (3 - $i));
            } elseif ($n >= 256 ** (5 - $count)) {
                return null;
            } else {
                $value += $n;
            }
        }
        $v = (int) $value;
        return implode('.', [($v >> 24) & 255, ($v >> 16) & 255, ($v >> 8) & 255, $v & 255]);
    }
}
