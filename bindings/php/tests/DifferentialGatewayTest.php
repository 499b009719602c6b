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
 * The pure backend against libcookiepay on generated gateway answers (seeded): each case arms the
 * sandbox's replay server with the same script for both backends — TOKEN answers, then odd answers to
 * the operation (statuses, content types, codes as strings and numbers, ENC_DATA, nested or stringly
 * decryptData, cancel messages, lists, HTML, broken JSON, a BOM) — and compares what each call came to
 * and the requests each sent.
 */
final class DifferentialGatewayTest extends TestCase
{
    const SEED = 29;
    const CASES = 400;

    const OPERATIONS = [
        'cookiepay_paycert' => ['/api/paycert', ['tid' => 'T1']],
        'cookiepay_verify' => ['/api/paycert', ['tid' => 'T1', 'expected' => ['ORDERNO' => 'O1', 'AMOUNT' => 1000]]],
        'cookiepay_decrypt' => ['/EdiAuth/cookiepay_edi_decrypt', ['ENC_DATA' => 'abc==']],
        'cookiepay_billkeygen' => ['/Subscribe/billkeygen', ['ORDERNO' => 'O1', 'PRODUCTNAME' => 'p', 'AMOUNT' => 1000, 'BUYERNAME' => 'b',
            'CARDNO' => '4111111111111111', 'EXPIREDT' => '3012', 'CARDAUTH' => '900101', 'CARDPWD' => '12', 'RECURRENCE_PAY' => 'Y',
            'RECURRENCE_TYPE' => 'M', 'PAY_DAY' => '10']],
        'cookiepay_recurring_charge' => ['/Subscribe/recurrence_request_payment', ['RESERVE_ID' => 'R1', 'BILLKEY' => 'B1']],
        'cookiepay_schedule_cancel' => ['/Subscribe/recurrence_schedule_cancel', ['RESERVE_ID' => 'R1']],
        'cookiepay_billkey_delete' => ['/Subscribe/billingkeycancel', ['BILLKEY' => 'B1']],
        'cookiepay_cancel' => ['/api/cancel', ['tid' => 'T1', 'reason' => 'r', 'amount' => 500]],
        'cookiepay_paysearch' => ['/api/paysearch', ['tid' => 'T1']],
        'cookiepay_ready' => ['/pay/ready', ['ORDERNO' => 'O1', 'PRODUCTNAME' => 'p', 'AMOUNT' => 1000, 'BUYERNAME' => 'b',
            'RETURNURL' => 'https://s.example/r']],
        'cookiepay_request' => ['/api/other', ['path' => '/api/other', 'auth' => ['api_key', 'token'], 'body' => ['a' => 1]]],
        'cookiepay_token' => ['/payAuth/token', ['force_refresh' => true]],
    ];

    protected function setUp(): void
    {
        Backends::requireFfi('compares the pure backend with libcookiepay');
        mt_srand(self::SEED);
    }

    protected function tearDown(): void
    {
        Sandbox::request('DELETE', '/_sandbox/replay', null);
    }

    public function testBothBackendsMakeTheSameOfEveryAnswer(): void
    {
        $config = Native::encode(['base_url' => Sandbox::$http, 'api_id' => 'diff-shop', 'api_key' => 'diff-key-0123456789abcdef',
            'max_retries' => 0, 'timeout_ms' => 3000, 'shared' => false, 'binding' => 'php/test']);
        $names = array_keys(self::OPERATIONS);
        for ($i = 0; $i < self::CASES; $i++) {
            $function = $names[$i % count($names)];
            list($path, $request) = self::OPERATIONS[$function];
            $script = [
                ['path' => '/payAuth/token', 'repeat' => 3] + self::tokenAnswer(),
                ['path' => $path, 'repeat' => 2] + self::answer(),
                ['path' => '/EdiAuth/cookiepay_edi_decrypt', 'repeat' => 2] + self::answer(),
            ];
            $json = Native::encode($request);
            $got = [];
            foreach (['ffi' => new FfiBackend($config, Sandbox::libraryPath()), 'php' => new PureBackend($config)] as $name => $backend) {
                Sandbox::request('POST', '/_sandbox/replay', (string) json_encode(['gateway' => $script]));
                $got[$name] = ['outcome' => self::outcome($backend, $function, $json), 'sent' => self::sent()];
            }
            $this->assertSame($got['ffi'], $got['php'], "case $i: $function with the script " . json_encode($script, JSON_UNESCAPED_UNICODE));
        }
    }

    private static function outcome($backend, string $function, string $json): array
    {
        try {
            $data = $backend->call($function, $json);
            // A TOKEN that is no JWT expires an hour after it was fetched: the two fetches may straddle a second.
            unset($data['expires_at']);
            return ['ok' => $data];
        } catch (CookiePayException $e) {
            $error = $e->getError();
            if (in_array($error['kind'], ['network', 'timeout'], true)) {
                unset($error['message']);
            }
            return ['error' => $error];
        }
    }

    /** The requests the replay server recorded: path, the credentials sent, the body. */
    private static function sent(): array
    {
        $out = [];
        foreach (Sandbox::request('GET', '/_sandbox/replay', null)['requests'] as $r) {
            $out[] = [$r['path'], isset($r['headers']['token']) ? $r['headers']['token'] : null,
                isset($r['headers']['apikey']) ? $r['headers']['apikey'] : null, json_decode($r['body'], true)];
        }
        return $out;
    }

    private static function tokenAnswer(): array
    {
        $token = 'tok-' . mt_rand(1000, 9999) . '-abcdefghijkl';
        switch (mt_rand(0, 9)) {
            case 0:
                return ['body' => ['RTN_CD' => self::pick(['E001', 0, '0000 ']), 'RTN_MSG' => 'no', 'TOKEN' => $token]];
            case 1:
                return ['body' => ['RTN_CD' => '0000', 'RTN_MSG' => 'ok']];
            case 2:
                return ['status' => 500, 'body_text' => 'oops'];
            default:
                return ['body' => ['RTN_CD' => '0000', 'RTN_MSG' => '성공', 'TOKEN' => $token]];
        }
    }

    private static function answer(): array
    {
        $code = self::pick(['0000', '0000', '0000', 'E008', 'E103', '9029', 'E021', 'C001', 0, null, ' 0000']);
        $fields = ['RESULTCODE' => $code, 'RESULTMSG' => self::pick(['성공', '2026-01-02 03:04:05 이미 해지', '이미 취소된 거래', 'x'])];
        foreach (['TID' => 'T1', 'ORDERNO' => self::pick(['O1', 'O2']), 'AMOUNT' => self::pick(['1000', '01000', 1000, '999']),
            'ACCEPT_NO' => '123', 'USERID' => 'u', 'CARDNO' => self::pick(['4111111111111111', '4111-****-****-1111']),
            'CANCELDATE' => self::pick(['', ' ', '20260101']), 'RESERVE_RESULTCODE' => self::pick(['0000', 'R001']),
            'cancel_code' => self::pick(['0000', 'E201', '9029', 9999]), 'cancel_msg' => self::pick(['성공', '원거래 기취소 건', '잔액']),
            'ENC_DATA' => self::pick(['enc==', ' ', 7]), 'decryptData' => self::pick([
                ['RESULTCODE' => '0000', 'TID' => 'T2', 'ACCEPTDATE' => '1'], ['RESULTCODE' => '8003', 'RESULTMSG' => '한도'],
                '{"RESULTCODE":"0000","PAY_METHOD":"CARD"}', '[1]', 5,
            ]), 'TOKEN' => 'leak-me'] as $k => $v) {
            if (mt_rand(0, 2) === 0) {
                $fields[$k] = $v;
            }
        }
        switch (mt_rand(0, 14)) {
            case 0:
                return ['status' => self::pick([500, 502, 404, 302]), 'body_text' => '<html>proxy</html>', 'headers' => ['Content-Type' => 'text/html']];
            case 1:
                return ['body_text' => self::pick(['{"RESULTCODE":', '', 'plain', "\xEF\xBB\xBF" . json_encode($fields)])];
            case 2:
                return ['body' => [$fields, 'x', 3]];
            case 3:
                return ['body' => self::pick(['a string', 12, null])];
            case 4:
                return ['body_text' => '<html><form method=post></form></html>', 'headers' => ['Content-Type' => self::pick(['text/html', 'text/plain'])]];
            case 5:
                return ['body' => ['RTN_CD' => self::pick(['E102', '0000']), 'RTN_MSG' => '중복']];
            case 6:
                return ['fault' => self::pick(['reset', 'truncate']), 'body' => $fields];
            default:
                return ['body' => $fields];
        }
    }

    /** @return mixed */
    private static function pick(array $from)
    {
        return $from[mt_rand(0, count($from) - 1)];
    }
}
