<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\ValidationException;
use CookiePay\Tests\Support\Sandbox;
use FFI;
use PHPUnit\Framework\TestCase;

/**
 * A php-fpm worker lives for thousands of requests: 10,000 calls must leave PHP's memory and the
 * process RSS flat. The leak canary shows the measurement would see a forgotten free.
 */
final class MemoryTest extends TestCase
{
    const CALLS = 10000;
    const MAX_PHP_GROWTH = 1024 * 1024;
    const MAX_RSS_GROWTH = 8 * 1024 * 1024;

    private static function rssBytes(): int
    {
        $status = (string) file_get_contents('/proc/self/status');
        if (preg_match('/^VmRSS:\s+(\d+) kB/m', $status, $m) !== 1) {
            self::fail('no VmRSS in /proc/self/status');
        }
        return (int) $m[1] * 1024;
    }

    const CALLS_PER_ROUND = 7;

    /**
     * One round of seven calls: four without network (parseReturn, parseNoti, receiptUrl, a
     * billkeygen refused before sending, which takes the card's by-reference path), ready refused,
     * two over keep-alive loopback.
     */
    private static function round(Client $client, string $tid, array $expected, string $formBody, array $badOrder): void
    {
        if (Client::parseNoti('{"TID":"' . $tid . '","RESULTCODE":"0000"}')['kind'] !== 'payment') {
            self::fail('parseNoti changed its answer');
        }
        $client->receiptUrl($tid);
        try {
            $client->billkeygen(['CARDNO' => '4111111111111112', 'CARDPWD' => '1'] + $badOrder);
            self::fail('the card is invalid');
        } catch (ValidationException $e) {
            // expected: nothing was sent
        }
        $post = Client::parseReturn($formBody);
        if (!$post['success']) {
            self::fail('parseReturn changed its answer');
        }
        try {
            $client->ready($badOrder);
            self::fail('the order is invalid');
        } catch (ValidationException $e) {
            // expected: the envelope was read and freed on the error path too
        }
        $client->paycert($tid);
        $client->verify($tid, $expected);
    }

    public function testTenThousandCallsKeepMemoryFlat(): void
    {
        Support\Backends::requireNativePhp('no /proc/self/status to read the process RSS from');
        $client = Sandbox::client();
        $paid = Sandbox::pay($client);
        $tid = $paid['payment']['TID'];
        $expected = ['ORDERNO' => $paid['order']['ORDERNO'], 'AMOUNT' => $paid['order']['AMOUNT']];
        $badOrder = ['ORDERNO' => 'X', 'AMOUNT' => 'abc', 'PRODUCTNAME' => '한글 & 기호'];

        for ($i = 0; $i < 500; $i++) {
            self::round($client, $tid, $expected, $paid['form_body'], $badOrder);
        }
        gc_collect_cycles();
        $phpBefore = memory_get_usage();
        $rssBefore = self::rssBytes();

        for ($i = 0; $i < intdiv(self::CALLS, self::CALLS_PER_ROUND); $i++) {
            self::round($client, $tid, $expected, $paid['form_body'], $badOrder);
        }
        gc_collect_cycles();
        $phpGrowth = memory_get_usage() - $phpBefore;
        $rssGrowth = self::rssBytes() - $rssBefore;

        fwrite(STDERR, sprintf(
            "\n[memory] %d calls: PHP memory %+d bytes (from %d), RSS %+d KiB (from %d KiB)\n",
            self::CALLS,
            $phpGrowth,
            $phpBefore,
            intdiv($rssGrowth, 1024),
            intdiv($rssBefore, 1024)
        ));
        $this->assertLessThan(self::MAX_PHP_GROWTH, $phpGrowth);
        $this->assertLessThan(self::MAX_RSS_GROWTH, $rssGrowth);
    }

    /** The same measurement on strings that are never given back does see the leak. */
    public function testTheMeasurementSeesAForgottenFree(): void
    {
        Support\Backends::requireNativePhp('no /proc/self/status to read the process RSS from, no FFI for the canary');
        $ffi = FFI::cdef('char *cookiepay_parse_return(const char *form_body);', Sandbox::libraryPath());
        $body = 'RESULTCODE=0000&ENC_DATA=' . str_repeat('QUJD', 600);
        $ffi->cookiepay_parse_return($body);
        $rssBefore = self::rssBytes();
        for ($i = 0; $i < self::CALLS; $i++) {
            $ffi->cookiepay_parse_return($body); // leaked on purpose: no cookiepay_string_free
        }
        $rssGrowth = self::rssBytes() - $rssBefore;
        fwrite(STDERR, sprintf("[memory] leak canary: %d unfreed results, RSS %+d KiB\n", self::CALLS, intdiv($rssGrowth, 1024)));
        $this->assertGreaterThan(self::MAX_RSS_GROWTH, $rssGrowth);
    }
}
