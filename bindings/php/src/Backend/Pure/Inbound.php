<?php

namespace CookiePay\Backend\Pure;

/**
 * What CookiePay sends to the shop (return_post.rs, noti.rs): the return post and the Noti. No
 * network; at most 64 KiB each.
 *
 * @internal
 */
final class Inbound
{
    const MAX_BYTES = 65536;

    /** The raw urlencoded body posted to RETURNURL → encrypted, success and its fields. */
    public static function parseReturn(string $body): array
    {
        if (strlen($body) > self::MAX_BYTES) {
            throw Failure::invalid('the return body is larger than ' . self::MAX_BYTES . ' bytes');
        }
        if (strpos($body, "\0") !== false) {
            throw Failure::invalid('the return body contains a NUL byte');
        }
        $body = trim($body, " \t\n\r\x0C");
        if (strncmp($body, '?', 1) === 0) {
            $body = substr($body, 1);
        }
        if ($body === '') {
            throw Failure::invalid('the return body is empty');
        }
        $fields = [];
        foreach (explode('&', $body) as $pair) {
            if ($pair === '') {
                continue;
            }
            $eq = strpos($pair, '=');
            $key = Json::lossy(urldecode($eq === false ? $pair : substr($pair, 0, $eq)));
            $value = Json::lossy(urldecode($eq === false ? '' : substr($pair, $eq + 1)));
            // The first occurrence wins: a field appended later cannot override it.
            if (!array_key_exists($key, $fields)) {
                $fields[$key] = $value;
            }
        }
        if (isset($fields['ENC_DATA']) && strpos($fields['ENC_DATA'], ' ') !== false) {
            // Base64 has no spaces: a space here was a '+' that someone forgot to percent-encode.
            $fields['ENC_DATA'] = str_replace(' ', '+', $fields['ENC_DATA']);
        }
        foreach (['encrypted', 'success'] as $name) {
            if (array_key_exists($name, $fields)) {
                throw Failure::invalid('the return post carries a field named ' . $name . ': not a CookiePay return post');
            }
        }
        if (!array_key_exists('RESULTCODE', $fields)) {
            throw Failure::field('RESULTCODE', 'required', 'not a CookiePay return post: RESULTCODE is missing');
        }
        $out = ['encrypted' => array_key_exists('ENC_DATA', $fields), 'success' => $fields['RESULTCODE'] === '0000'];
        foreach (Secrets::normalize($fields) as $k => $v) {
            $out[$k] = $v;
        }
        return $out;
    }

    /** The raw JSON body of a Noti → its fields, kind and dedup_key. */
    public static function parseNoti(string $body): array
    {
        if (strlen($body) > self::MAX_BYTES) {
            throw Failure::invalid('the Noti body is larger than ' . self::MAX_BYTES . ' bytes');
        }
        if (strncmp($body, "\xEF\xBB\xBF", 3) === 0) {
            $body = substr($body, 3);
        }
        $fields = Json::decode($body, $kind);
        if ($kind === 'invalid') {
            throw Failure::invalid('the Noti body is not valid JSON');
        }
        if ($kind !== 'object') {
            throw Failure::invalid('a Noti is a JSON object');
        }
        foreach (['kind', 'dedup_key'] as $name) {
            if (array_key_exists($name, $fields)) {
                throw Failure::invalid('the Noti carries a field named ' . $name . ': not a CookiePay Noti');
            }
        }
        if (!self::anySet($fields, ['TID', 'ORDERNO', 'RESERVE_ID'])) {
            throw Failure::invalid('not a CookiePay Noti: it names no TID, ORDERNO or RESERVE_ID');
        }
        $fields = Secrets::normalize($fields);
        if (self::anySet($fields, ['CANCELDATE', 'CANCEL_DATE', 'CANCELMSG', 'CANCEL_MSG'])) {
            $kind = 'cancel';
        } elseif (self::anySet($fields, ['RESERVE_ID', 'RESERVE_ORDERNO'])) {
            $kind = 'recurring';
        } else {
            $kind = 'payment';
        }
        $tid = self::text($fields, 'TID');
        if ($kind === 'cancel') {
            $parts = [$tid, self::firstSet($fields, ['CANCELDATE', 'CANCEL_DATE']), self::firstSet($fields, ['CANCEL_AMT', 'CANCEL_AMOUNT'])];
        } elseif ($tid === '' && $kind === 'recurring') {
            // A declined cycle has no TID: the schedule, the cycle and the attempt tell it apart.
            $parts = [];
            foreach (['RESERVE_ID', 'PAY_CNT', 'TRY_CNT', 'RESULTCODE'] as $n) {
                $parts[] = self::text($fields, $n);
            }
        } elseif ($tid === '') {
            $parts = [self::text($fields, 'ORDERNO'), self::text($fields, 'RESULTCODE')];
        } else {
            $parts = [$tid];
        }
        $fields['kind'] = $kind;
        $fields['dedup_key'] = $kind . ':' . implode(':', $parts);
        return $fields;
    }

    private static function text(array $fields, string $name): string
    {
        return Json::trim(Json::textOf($fields, $name));
    }

    private static function anySet(array $fields, array $names): bool
    {
        foreach ($names as $n) {
            if (self::text($fields, $n) !== '') {
                return true;
            }
        }
        return false;
    }

    private static function firstSet(array $fields, array $names): string
    {
        foreach ($names as $n) {
            $t = self::text($fields, $n);
            if ($t !== '') {
                return $t;
            }
        }
        return '';
    }
}
