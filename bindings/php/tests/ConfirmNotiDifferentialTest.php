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
 * confirm_noti, pure backend against libcookiepay on generated Notis and paycert answers (seeded):
 * each case arms the sandbox's replay server with the same TOKEN and paycert answers for both
 * backends, and compares what confirmNoti came to (data, or the error with its reason, mismatches
 * and message) and the requests each sent.
 */
final class ConfirmNotiDifferentialTest extends TestCase
{
    const SEED = 41;
    const CASES = 300;

    protected function setUp(): void
    {
        Backends::requireFfi('compares the pure backend with libcookiepay');
        mt_srand(self::SEED);
    }

    protected function tearDown(): void
    {
        Sandbox::request('DELETE', '/_sandbox/replay', null);
    }

    public function testBothBackendsConfirmAndRefuseAlike(): void
    {
        $config = Native::encode(['base_url' => Sandbox::$http, 'api_id' => 'diff-shop', 'api_key' => 'diff-key-0123456789abcdef',
            'max_retries' => 0, 'timeout_ms' => 3000, 'shared' => false, 'binding' => 'php/test']);
        $seen = [];
        for ($i = 0; $i < self::CASES; $i++) {
            $script = [
                ['path' => '/payAuth/token', 'body' => ['RTN_CD' => '0000', 'RTN_MSG' => '성공', 'TOKEN' => 'tok-diff-abcdefghijkl']],
                ['path' => '/api/paycert', 'body' => self::paycert()],
            ];
            $request = self::request();
            $json = (string) json_encode((object) $request, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
            $got = [];
            foreach (['ffi' => new FfiBackend($config, Sandbox::libraryPath()), 'php' => new PureBackend($config)] as $name => $backend) {
                Sandbox::request('POST', '/_sandbox/replay', (string) json_encode(['gateway' => $script]));
                $got[$name] = ['outcome' => self::outcome($backend, $json), 'sent' => self::sent()];
            }
            $this->assertSame($got['ffi'], $got['php'], "case $i: $json with the script " . json_encode($script, JSON_UNESCAPED_UNICODE));
            $error = isset($got['ffi']['outcome']['error']) ? $got['ffi']['outcome']['error'] : null;
            $seen[$error === null ? 'confirmed ' . $got['ffi']['outcome']['ok']['kind'] : $error['kind'] . (isset($error['reason']) ? ' ' . $error['reason'] : '')] = true;
        }
        // The cases reach every branch of the rule.
        foreach (['confirmed payment', 'confirmed cancel', 'noti_not_confirmed no_tid', 'noti_not_confirmed invalid_tid',
            'noti_not_confirmed unknown_tid', 'noti_not_confirmed mismatch', 'noti_not_confirmed not_cancelled', 'invalid_argument',
            'validation'] as $branch) {
            $this->assertArrayHasKey($branch, $seen, 'no case came to ' . $branch . '; seen: ' . implode(', ', array_keys($seen)));
        }
    }

    private static function outcome($backend, string $json): array
    {
        try {
            $data = $backend->call('cookiepay_confirm_noti', $json);
            ksort($data);
            return ['ok' => $data];
        } catch (CookiePayException $e) {
            return ['error' => $e->getError()];
        }
    }

    private static function sent(): array
    {
        $out = [];
        foreach (Sandbox::request('GET', '/_sandbox/replay', null)['requests'] as $r) {
            $out[] = [$r['path'], json_decode($r['body'], true)];
        }
        return $out;
    }

    /** {"body": a Noti} mostly; now and then no body, a body of the wrong type, or not a Noti. */
    private static function request(): array
    {
        switch (mt_rand(0, 19)) {
            case 0:
                return [];
            case 1:
                return ['body' => self::pick([null, 5, ['TID' => 'T1'], true])];
            case 2:
                return ['body' => self::pick(['', 'TID=T1', '[1]', '{"TID":"T1","kind":"payment"}', "\xEF\xBB\xBF" . '{"TID":"T1"}'])];
        }
        $noti = [];
        // No floats: the pure backend's Json::asText writes 1000.0 as "1000" where serde writes
        // "1000.0" (a gap of Json, not of confirm_noti; CookiePay sends amounts as strings).
        $claims = [
            'TID' => ['T1', 'T1', 'T1', ' T1 ', 'T2', '', null, 7, str_repeat('T', 51), "T\x01"],
            'ORDERNO' => ['O1', 'O1', 'O2', ' O1', '', null, 1],
            'AMOUNT' => ['1000', '1000', '01000', 1000, ' 1000 ', '1,000', '999', '', null, '18446744073709551616', -1000],
            'CANCELDATE' => ['', '20260101120000', '20260102120000', ' '],
            'CANCEL_DATE' => ['', '20260101120000'],
            'CANCELMSG' => ['', '취소'],
            'CANCEL_AMT' => ['500', '1000'],
            'RESERVE_ID' => ['R1', ''],
            'PAY_CNT' => ['2', 9],
            'RESULTCODE' => ['0000', 'C001'],
            'ETC1' => ['tag'],
            'ACCEPT_NO' => ['123'],
        ];
        foreach ($claims as $field => $values) {
            if (mt_rand(0, 2) > 0) {
                $noti[$field] = self::pick($values);
            }
        }
        return ['body' => (string) json_encode((object) $noti, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES)];
    }

    private static function paycert(): array
    {
        $answer = ['RESULTCODE' => self::pick(['0000', '0000', '0000', '0000', 'E022', 0, ' 0000']), 'RESULTMSG' => self::pick(['정상', '없음'])];
        $fields = [
            'TID' => ['T1', 'T1', 'T1', ' T1', 'T2', ''],
            'ORDERNO' => ['O1', 'O1', 'O2'],
            'AMOUNT' => ['1000', '1000', '01000', 1000, '999', ''],
            'CANCELDATE' => ['', '', '20260101120000', '20260102120000', ' '],
            'CANCEL_DATE' => ['', '20260101120000'],
            'CANCELMSG' => ['', '', '환불'],
            'ACCEPTNO' => ['123'],
            'CARDNO' => ['4111111111111111'],
        ];
        foreach ($fields as $field => $values) {
            if (mt_rand(0, 3) > 0) {
                $answer[$field] = self::pick($values);
            }
        }
        return $answer;
    }

    /** @return mixed */
    private static function pick(array $from)
    {
        return $from[mt_rand(0, count($from) - 1)];
    }
}
