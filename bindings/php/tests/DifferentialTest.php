<?php

namespace CookiePay\Tests;

use CookiePay\Backend\FfiBackend;
use CookiePay\Backend\PureBackend;
use CookiePay\Exception\CookiePayException;
use CookiePay\Native;
use CookiePay\Tests\Support\Backends;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * The pure backend against libcookiepay on generated input (seeded, so a failure can be replayed):
 * the return post and Noti parsers, and every operation's checks up to the network (the client points
 * at a closed port, so what passes the checks ends in the same network error on both). Results must be
 * equal — data, error kind, validation fields with their messages — and neither may emit a PHP warning
 * (PHPUnit turns one into a failure).
 */
final class DifferentialTest extends TestCase
{
    const SEED = 17;
    const ROUNDS = 2000;

    /** @var FfiBackend */
    private $ffi;
    /** @var PureBackend */
    private $pure;

    protected function setUp(): void
    {
        Backends::requireFfi('compares the pure backend with libcookiepay');
        $config = Native::encode(['base_url' => 'http://127.0.0.1:1', 'api_id' => 'diff-shop', 'api_key' => 'diff-key-0123456789abcdef',
            'max_retries' => 0, 'connect_timeout_ms' => 500, 'timeout_ms' => 1000, 'shared' => false, 'binding' => 'php/test']);
        $this->ffi = new FfiBackend($config, Sandbox::libraryPath());
        $this->pure = new PureBackend($config);
        mt_srand(self::SEED);
    }

    public function testTheReturnPostParsersAgree(): void
    {
        $keys = ['RESULTCODE', 'RESULTMSG', 'ENC_DATA', 'API_ID', 'TID', 'ACCEPT_NO', 'ACCEPTNO', 'BUYERID', 'USERID', 'CARDNO',
            'CARDPWD', 'success', 'encrypted', '', '?x', 'a b'];
        for ($i = 0; $i < self::ROUNDS; $i++) {
            $pairs = [];
            for ($n = mt_rand(0, 6); $n > 0; $n--) {
                $key = self::pick($keys);
                $value = self::text();
                $pairs[] = (mt_rand(0, 1) ? rawurlencode($key) : $key) . (mt_rand(0, 5) ? '=' . (mt_rand(0, 1) ? urlencode($value) : $value) : '');
            }
            $body = (mt_rand(0, 4) ? '' : self::pick(["\r\n", ' ', '?', "\t"])) . implode(mt_rand(0, 5) ? '&' : '&&', $pairs);
            $this->assertSame(
                self::outcome(function () use ($body) {
                    return Native::parseReturn($body);
                }),
                self::outcome(function () use ($body) {
                    return PureBackend::parseReturn($body);
                }),
                'parse_return of ' . json_encode($body, JSON_INVALID_UTF8_SUBSTITUTE)
            );
        }
    }

    public function testTheNotiParsersAgree(): void
    {
        $keys = ['TID', 'ORDERNO', 'RESERVE_ID', 'RESERVE_ORDERNO', 'CANCELDATE', 'CANCEL_DATE', 'CANCEL_MSG', 'CANCEL_AMT',
            'CANCEL_AMOUNT', 'PAY_CNT', 'TRY_CNT', 'RESULTCODE', 'ACCEPT_NO', 'PAY_METHOD', 'CARDNO', 'EXPIREDT', 'kind', 'x'];
        for ($i = 0; $i < self::ROUNDS; $i++) {
            $fields = [];
            for ($n = mt_rand(0, 6); $n > 0; $n--) {
                $fields[self::pick($keys)] = self::value();
            }
            $body = (string) json_encode($fields ?: new \stdClass(), JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
            if (mt_rand(0, 9) === 0) {
                $body = self::pick(["\xEF\xBB\xBF" . $body, substr($body, 0, -1), '[' . $body . ']', ' ' . $body . ' ', self::text()]);
            }
            $this->assertSame(
                self::outcome(function () use ($body) {
                    return Native::parseNoti($body);
                }),
                self::outcome(function () use ($body) {
                    return PureBackend::parseNoti($body);
                }),
                'parse_noti of ' . json_encode($body, JSON_INVALID_UTF8_SUBSTITUTE)
            );
        }
    }

    public function testEveryOperationChecksItsRequestAlike(): void
    {
        $fields = [
            'cookiepay_ready' => ['ORDERNO', 'PRODUCTNAME', 'AMOUNT', 'BUYERNAME', 'RETURNURL', 'TAXYN', 'BUYEREMAIL', 'BUYERPHONE',
                'BUYERID', 'PAYMETHOD', 'API_ID', 'ETC1', 'X_EXTRA'],
            'cookiepay_billkeygen' => ['ORDERNO', 'PRODUCTNAME', 'AMOUNT', 'BUYERNAME', 'CARDNO', 'EXPIREDT', 'CARDAUTH', 'CARDPWD',
                'QUOTA', 'RECURRENCE_PAY', 'RECURRENCE_TYPE', 'PAY_DAY', 'START_PAY_CNT', 'LAST_PAY_CNT', 'ENC_YN', 'API_ID'],
            'cookiepay_decrypt' => ['ENC_DATA'],
            'cookiepay_paycert' => ['tid', 'TID'],
            'cookiepay_verify' => ['tid', 'TID', 'expected'],
            'cookiepay_recurring_charge' => ['RESERVE_ID', 'BILLKEY'],
            'cookiepay_schedule_cancel' => ['RESERVE_ID'],
            'cookiepay_billkey_delete' => ['BILLKEY'],
            'cookiepay_cancel' => ['tid', 'reason', 'amount', 'bank', 'account_no', 'account_name'],
            'cookiepay_paysearch' => ['tid', 'from', 'to'],
            'cookiepay_receipt_url' => ['tid'],
            'cookiepay_request' => ['path', 'auth', 'body'],
            'cookiepay_token' => ['force_refresh'],
        ];
        $good = [
            'ORDERNO' => 'ORD-1', 'PRODUCTNAME' => '쿠키', 'AMOUNT' => 9900, 'BUYERNAME' => '홍길동', 'RETURNURL' => 'https://s.example/r',
            'CARDNO' => '4111-1111-1111-1111', 'EXPIREDT' => '3012', 'CARDAUTH' => '900101', 'CARDPWD' => '12', 'RECURRENCE_PAY' => 'Y',
            'RECURRENCE_TYPE' => 'M', 'PAY_DAY' => 10, 'tid' => 'T1', 'reason' => '환불', 'amount' => 500, 'from' => '2026-01-01',
            'to' => '2026-01-31', 'RESERVE_ID' => 'R1', 'BILLKEY' => 'B1', 'ENC_DATA' => 'abc==', 'path' => '/api/x',
            'auth' => ['token'], 'expected' => ['ORDERNO' => 'ORD-1', 'AMOUNT' => 9900], 'force_refresh' => false,
        ];
        foreach ($fields as $function => $names) {
            for ($i = 0; $i < self::ROUNDS / 4; $i++) {
                $request = [];
                foreach ($names as $name) {
                    $roll = mt_rand(0, 9);
                    if ($roll < 5 && isset($good[$name])) {
                        $request[$name] = $good[$name];
                    } elseif ($roll < 8) {
                        $request[$name] = self::value();
                    }
                }
                $json = (string) json_encode((object) $request, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
                $this->assertSame(
                    self::outcome(function () use ($function, $json) {
                        return $this->ffi->call($function, $json);
                    }),
                    self::outcome(function () use ($function, $json) {
                        return $this->pure->call($function, $json);
                    }),
                    "$function of $json"
                );
            }
        }
    }

    public function testConfigsAreCheckedAlike(): void
    {
        $urls = ['http://x', 'http:/x', 'http:x', 'HTTP://X', 'http://x:99999', 'http://x:0', 'http://[::1]:80', 'http://[::1', 'http://a b',
            'https://', 'http://user@x', 'http://:p@x', 'http://@x', 'http://x?', 'http://x#', 'http://%41', 'http://x/p/', 'http://-x',
            'ftp://x', 'file:///etc', 'mailto:a@b', 'x', '', '/path', 'http://www.cookiepayments.com', 'http://WWW.CookiePayments.COM.',
            'https://cookiepayments.com', 'http://evilcookiepayments.com', "http://x\r\nHost: y", ' http://x', "http://x\t",
            'http://x:80/a b', 'http://x/%zz', 'http://한국.kr', 'http://x:', 'http://x:abc', 'http:\\\\x', 'http://1.2.3.4.5',
            'http://0x7f.1', 'http://256.1', 'http://1.2.3.256', 'http://08.1.1.1', 'http://x.0x', 'http://[1:2::3]:65536'];
        $keys = ['env', 'base_url', 'api_id', 'api_key', 'connect_timeout_ms', 'timeout_ms', 'ca_cert_pem', 'max_retries',
            'retry_base_delay_ms', 'retry_max_delay_ms', 'binding', 'shared', 'env_proxy', 'timout_ms', 'apikey', 'ENV', 'sharedd', 'x'];
        for ($i = 0; $i < self::ROUNDS; $i++) {
            $config = [];
            foreach ($keys as $key) {
                if (mt_rand(0, 2) === 0) {
                    // Hosts beyond ASCII go through IDNA (UTS 46), which the pure backend approximates.
                    $config[$key] = $key === 'base_url' && mt_rand(0, 1) ? self::pick($urls) : self::value();
                    if ($key === 'base_url' && is_string($config[$key]) && preg_match('/[^\x00-\x7F]/', $config[$key]) === 1) {
                        $config[$key] = self::pick($urls);
                    }
                }
            }
            $roll = mt_rand(0, 3);
            if ($roll > 0) {
                $config['base_url'] = self::pick($urls);
                $config['api_id'] = 'shop';
                $config['api_key'] = mt_rand(0, 5) ? 'key-0123456789' : str_repeat('k', mt_rand(99, 102));
            }
            if ($roll === 3) {
                $config['env'] = self::pick(['live', 'sandbox', 'prod']);
            }
            $json = (string) json_encode((object) $config, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
            $this->assertSame(
                self::outcome(function () use ($json) {
                    new FfiBackend($json, Sandbox::libraryPath());
                    return [];
                }),
                self::outcome(function () use ($json) {
                    new PureBackend($json);
                    return [];
                }),
                "the config $json"
            );
        }
    }

    /** What a call came to, in the terms both backends must agree on. */
    private static function outcome(callable $call): array
    {
        try {
            return ['ok' => $call()];
        } catch (CookiePayException $e) {
            $error = $e->getError();
            if (in_array($error['kind'], ['network', 'timeout'], true)) {
                // The cause's wording is the HTTP stack's own.
                unset($error['message']);
            }
            return ['error' => $error];
        }
    }

    /** @return mixed a JSON value of a kind a careless caller might send */
    private static function value()
    {
        switch (mt_rand(0, 9)) {
            case 0:
                return mt_rand(-5, 100000);
            case 1:
                return mt_rand(0, 1) ? null : (bool) mt_rand(0, 1);
            case 2:
                return mt_rand(0, 1000) / 10;
            case 3:
                return mt_rand(0, 1) ? [self::text()] : ['a' => self::text()];
            case 4:
                return mt_rand(0, 1) ? str_repeat('9', mt_rand(1, 25)) : sprintf('%02d%02d', mt_rand(0, 99), mt_rand(0, 13));
            default:
                return self::text();
        }
    }

    private static function text(): string
    {
        $pieces = ['', ' ', 'a', 'Z', '0', '9', '12', '0000', '-', '+', '%', '%2B', '%zz', '=', '&', '#', '/', '\\', '"', '@', '.',
            '가', '한글', '🍪', "\t", "\n", "\x01", "\x7F", "\u{85}", "\u{3000}", 'http://x', 'https://', 'E103', '2026-01-31 10:00:00',
            '%FF%FE', '%C3', "\xC3(", "\xF0\x9F\x8D", '%00'];
        $out = '';
        for ($n = mt_rand(0, 8); $n > 0; $n--) {
            $out .= self::pick($pieces);
        }
        return $out;
    }

    /** @return mixed */
    private static function pick(array $from)
    {
        return $from[mt_rand(0, count($from) - 1)];
    }
}
