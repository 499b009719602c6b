<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\DecodeException;
use CookiePay\Exception\HttpException;
use CookiePay\Exception\NetworkException;
use CookiePay\Exception\TimeoutException;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * Calls that move money (billkeygen, recurringCharge, cancel) reach CookiePay exactly once, whatever
 * goes wrong on the way back, and say when the outcome is unknown — even with max_retries 5.
 */
final class MoneyCallsTest extends TestCase
{
    const TIMEOUT_MS = 400;

    protected function setUp(): void
    {
        Sandbox::reset();
    }

    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    private static function client(): Client
    {
        // Retries allowed: the point is that money calls ignore them.
        return Sandbox::client(['max_retries' => 5, 'retry_base_delay_ms' => 10, 'timeout_ms' => self::TIMEOUT_MS]);
    }

    /**
     * @return array [endpoint => the call] for each money call, with what it needs made beforehand
     */
    private static function moneyCalls(Client $client): array
    {
        $sub = $client->billkeygen(Sandbox::subscription());
        $paid = $client->billkeygen(Sandbox::subscription(['AMOUNT' => 5000], false));
        return [
            'billkeygen' => function () use ($client) {
                return $client->billkeygen(Sandbox::subscription());
            },
            'recurring_charge' => function () use ($client, $sub) {
                return $client->recurringCharge($sub['RESERVE_ID'], $sub['BILLKEY']);
            },
            'cancel' => function () use ($client, $paid) {
                return $client->cancel($paid['TID'], '고객 요청', 1000);
            },
        ];
    }

    /** @return CookiePayException what the call threw */
    private function failOnce(string $endpoint, callable $call, string $mode, array $extra = []): CookiePayException
    {
        Sandbox::reset();
        Sandbox::fault($endpoint, $mode, 5, $extra);
        try {
            $call();
            $this->fail("$endpoint under $mode must fail");
        } catch (CookiePayException $e) {
            $counts = Sandbox::counts();
            $this->assertSame(1, $counts[$endpoint], "$endpoint under $mode: sent exactly once " . json_encode($counts));
            return $e;
        } finally {
            Sandbox::reset();
        }
    }

    public function testAConnectionResetAfterSendingIsAnUnknownOutcome(): void
    {
        $client = self::client();
        foreach (self::moneyCalls($client) as $endpoint => $call) {
            $e = $this->failOnce($endpoint, $call, 'reset');
            $this->assertInstanceOf(NetworkException::class, $e, "$endpoint: " . $e->getErrorJson());
            $this->assertSame('unknown', $e->getOutcome(), $endpoint);
            $this->assertTrue($e->isOutcomeUnknown());
        }
    }

    public function testATruncatedAnswerIsAnUnknownOutcome(): void
    {
        $client = self::client();
        foreach (self::moneyCalls($client) as $endpoint => $call) {
            $e = $this->failOnce($endpoint, $call, 'truncate');
            $this->assertContains(get_class($e), [NetworkException::class, TimeoutException::class, DecodeException::class], "$endpoint: " . $e->getErrorJson());
            $this->assertSame('unknown', $e->getError()['outcome'], $endpoint);
        }
    }

    public function testALateAnswerIsATimeoutWithAnUnknownOutcome(): void
    {
        $client = self::client();
        foreach (self::moneyCalls($client) as $endpoint => $call) {
            $started = microtime(true);
            $e = $this->failOnce($endpoint, $call, 'delay', ['delay_ms' => 3000]);
            $this->assertInstanceOf(TimeoutException::class, $e, "$endpoint: " . $e->getErrorJson());
            $this->assertSame('unknown', $e->getOutcome(), $endpoint);
            $this->assertLessThan(2.5, microtime(true) - $started, "$endpoint: gave up after timeout_ms, no retry");
        }
    }

    public function testAServerErrorIsAnHttpErrorAndNotRetried(): void
    {
        $client = self::client();
        foreach (self::moneyCalls($client) as $endpoint => $call) {
            $e = $this->failOnce($endpoint, $call, 'http_500');
            $this->assertInstanceOf(HttpException::class, $e, "$endpoint: " . $e->getErrorJson());
            $this->assertSame(500, $e->getStatus());
            // CookiePay's 500 came after the request was sent: the core cannot tell it did nothing.
            $this->assertSame('unknown', $e->getOutcome(), $endpoint);
            $this->assertTrue($e->isOutcomeUnknown());
        }
    }

    /** What a shop does with an unknown outcome: look the payment up, do not charge again blindly. */
    public function testAnUnknownBillkeygenIsSettledWithPaysearch(): void
    {
        $client = self::client();
        $request = Sandbox::subscription(['AMOUNT' => 7700]);
        Sandbox::fault('billkeygen', 'truncate', 1);
        try {
            $client->billkeygen($request);
            $this->fail('truncated');
        } catch (CookiePayException $e) {
            $this->assertSame('unknown', $e->getError()['outcome']);
        }
        // The charge went through: it is in today's payments under our ORDERNO ("today" on the
        // sandbox's clock, which the suite pins: not this machine's date).
        $today = strtotime(substr(Sandbox::request('GET', '/_sandbox/clock', null)['now'], 0, 10) . ' 12:00:00');
        $found = [];
        foreach ($client->paysearch(date('Y-m-d', $today - 86400), date('Y-m-d', $today + 86400)) as $payment) {
            if ($payment['ORDERNO'] === $request['ORDERNO']) {
                $found[] = $payment;
            }
        }
        $this->assertCount(1, $found);
        $this->assertSame('7700', $found[0]['AMOUNT']);
        $this->assertSame(1, Sandbox::count('billkeygen'));
    }
}
