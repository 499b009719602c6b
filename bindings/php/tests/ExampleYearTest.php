<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Tests\Support\Sandbox;
use CookiePay\Tests\Support\Shop;
use PHPUnit\Framework\TestCase;

/**
 * A year of a subscription, played on a sandbox of its own (its clock moves a year): CookiePay's
 * monthly charges reach the example shop as Notis at noti.php, each confirmed with CookiePay; the
 * dunning card declines one cycle, whose Noti nothing can confirm, so the shop charges nothing for it
 * (CookiePay's schedule charges this subscription, not the shop); Notis sent twice or forged change
 * nothing.
 */
final class ExampleYearTest extends TestCase
{
    /** @var array */
    private static $sandbox;
    /** @var string */
    private static $previousSandbox;
    /** @var Shop */
    private static $shop;

    public static function setUpBeforeClass(): void
    {
        self::$sandbox = Sandbox::spawn();
        self::$previousSandbox = Sandbox::useUrl(self::$sandbox['http']);
        try {
            self::$shop = new Shop(self::$sandbox['http'], ['SHOP_SETTLE_AFTER_SECONDS' => '0']);
            Sandbox::notiUrl(self::$shop->url . '/noti.php');
        } catch (\Throwable $e) {
            // PHPUnit skips tearDownAfterClass when this fails: stop what was started here.
            self::tearDownAfterClass();
            throw $e;
        }
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$shop !== null) {
            self::$shop->stop();
            self::$shop = null;
        }
        Sandbox::useUrl(self::$previousSandbox);
        Sandbox::stopSpawned(self::$sandbox);
    }

    private static function signUp(string $cardNo): array
    {
        [$status, $headers, $page] = self::$shop->post('/subscribe.php', ['plan' => 'cookie-box-monthly', 'buyer' => '박정기'] + Sandbox::card(['CARDNO' => $cardNo]));
        self::assertSame(200, $status, $page . self::$shop->serverLog());
        self::assertSame('active', $headers['x-subscription-result']);
        return self::$shop->rows('SELECT * FROM subscriptions WHERE id = ?', [(int) $headers['x-subscription-id']])[0];
    }

    /** The sandbox's approved payments of a billing key. */
    private static function sandboxPayments(string $billkey): array
    {
        $payments = [];
        foreach (Sandbox::request('GET', '/_sandbox/payments', null)['payments'] as $payment) {
            if (isset($payment['BILLKEY']) && $payment['BILLKEY'] === $billkey && $payment['TID'] !== '') {
                $payments[$payment['TID']] = $payment;
            }
        }
        return $payments;
    }

    /** Wait until the shop has taken (answered 2xx) every Noti the sandbox sent. */
    private static function waitForNotis(): void
    {
        $deadline = microtime(true) + 30;
        do {
            $pending = array_filter(Sandbox::notis()['notis'], function ($noti) {
                return !$noti['delivered'];
            });
            if ($pending === []) {
                return;
            }
            usleep(50000);
        } while (microtime(true) < $deadline);
        self::fail('Notis not taken by the shop: ' . json_encode(array_values($pending), JSON_UNESCAPED_UNICODE) . self::$shop->serverLog());
    }

    public function testAYearOfMonthlyChargesWithOneDeclinedCycleThatTheShopDoesNotCharge(): void
    {
        $subscription = self::signUp(Sandbox::CARD_DUNNING);
        $client = Sandbox::client();
        $chargeDueRuns = '';

        for ($month = 1; $month <= 11; $month++) {
            Sandbox::advanceDays(31);
            self::waitForNotis();
            [$code, $out, $err] = self::$shop->chargeDue();
            $this->assertSame(0, $code, $err);
            $chargeDueRuns .= $out;
        }

        // One cycle was declined and reported by Noti (taken: delivered), but a decline has no
        // payment CookiePay could confirm: nothing was queued, nothing charged by the shop.
        $declines = array_filter(Sandbox::notis()['notis'], function ($noti) {
            return ($noti['body']['RESULTCODE'] ?? '') !== '0000';
        });
        $this->assertCount(1, $declines);
        $this->assertTrue(array_values($declines)[0]['delivered']);
        $this->assertSame([], self::$shop->rows('SELECT * FROM charges WHERE subscription_id = ?', [$subscription['id']]), $chargeDueRuns);
        $this->assertSame(0, substr_count($chargeDueRuns, ': charged'), $chargeDueRuns);

        // The shop's ledger is exactly CookiePay's approved payments of this card, each once.
        $ledger = self::$shop->rows('SELECT * FROM payments WHERE subscription_id = ? ORDER BY recorded_at', [$subscription['id']]);
        $sandboxPayments = self::sandboxPayments($subscription['billkey']);
        $this->assertEqualsCanonicalizing(array_keys($sandboxPayments), array_column($ledger, 'tid'));
        $this->assertCount(11, $ledger, 'the first charge and the ten scheduled ones that were approved');
        // The first charge's own Noti may be recorded before billkeygen's answer: whichever comes
        // first, each TID is once.
        $sources = array_count_values(array_column($ledger, 'source')) + ['billkeygen' => 0, 'noti' => 0];
        $this->assertSame(11, $sources['billkeygen'] + $sources['noti'], json_encode($sources));
        $this->assertGreaterThanOrEqual(10, $sources['noti'], 'the scheduled charges came by Noti');
        $this->assertContains($subscription['first_tid'], array_column($ledger, 'tid'));

        // …and paysearch agrees with every row.
        foreach ($ledger as $row) {
            $found = $client->paysearchByTid($row['tid']);
            $this->assertCount(1, $found, $row['tid']);
            $this->assertSame('9900', $found[0]['AMOUNT']);
            $this->assertSame($row['orderno'], $found[0]['ORDERNO']);
        }

        // A Noti delivered again changes nothing.
        $sent = Sandbox::notis()['notis'];
        $recurring = null;
        foreach ($sent as $noti) {
            $body = (string) json_encode($noti['body'], JSON_UNESCAPED_UNICODE);
            $parsed = Client::parseNoti($body);
            if ($parsed['kind'] === 'recurring' && $parsed['TID'] !== '') {
                $recurring = $body;
            }
        }
        $this->assertNotNull($recurring);
        [$status, $headers] = self::$shop->http('POST', '/noti.php', $recurring, 'application/json');
        $this->assertSame(200, $status);
        $this->assertSame('duplicate', $headers['x-noti-result']);

        // A forged Noti — our RESERVE_ID, a TID CookiePay never issued — is not recorded.
        $forged = json_decode($recurring, true);
        $forged['TID'] = 'SBX99999999999999999';
        $forged['PAY_CNT'] = '13';
        $forged['ORDERNO'] = 'SRS99999999999999999999';
        [$status, $headers] = self::$shop->http('POST', '/noti.php', (string) json_encode($forged), 'application/json');
        $this->assertSame(200, $status);
        $this->assertSame('not-confirmed', $headers['x-noti-result']);
        $forged['RESERVE_ID'] = 'not-a-reservation-of-ours';
        $forged['TID'] = 'SBX99999999999999998';
        [, $headers] = self::$shop->http('POST', '/noti.php', (string) json_encode($forged), 'application/json');
        $this->assertSame('not-confirmed', $headers['x-noti-result']);
        [$status, $headers] = self::$shop->http('POST', '/noti.php', 'RESULTCODE=0000', 'application/x-www-form-urlencoded');
        $this->assertSame(400, $status);
        $this->assertCount(11, self::$shop->rows('SELECT * FROM payments WHERE subscription_id = ?', [$subscription['id']]));
    }

    public function testEndingASubscriptionStopsItsCharges(): void
    {
        $subscription = self::signUp(Sandbox::CARD_APPROVE);
        Sandbox::reset();
        [$status, $headers, $page] = self::$shop->post('/end-subscription.php', ['id' => $subscription['id']]);
        $this->assertSame(200, $status, $page);
        $this->assertSame('ended', $headers['x-subscription-result']);
        $this->assertSame('ended', self::$shop->rows('SELECT status FROM subscriptions WHERE id = ?', [$subscription['id']])[0]['status']);
        $this->assertSame(1, Sandbox::count('schedule_cancel'));
        $this->assertSame(1, Sandbox::count('billkey_delete'));

        Sandbox::advanceDays(62);
        self::waitForNotis();
        $this->assertCount(1, self::sandboxPayments($subscription['billkey']), 'only the first charge');
    }

    public function testCancelNotisAreConfirmedWithPaycert(): void
    {
        $subscription = self::signUp(Sandbox::CARD_APPROVE);
        $tid = $subscription['first_tid'];
        [, $headers] = self::$shop->post('/refund.php', ['tid' => $tid, 'amount' => '1000', 'reason' => '부분']);
        $this->assertSame('refunded', $headers['x-refund-result']);
        self::waitForNotis();   // (taken after the full refund, paycert would show that one)
        [, $headers] = self::$shop->post('/refund.php', ['tid' => $tid, 'reason' => '나머지']);
        $this->assertSame('refunded', $headers['x-refund-result']);
        self::waitForNotis();

        // paycert shows a cancellation only once nothing is left: the partial one's Noti is not
        // confirmed (nothing claimed or changed), the full one's is recorded.
        $cancels = self::$shop->rows("SELECT status, detail FROM notis WHERE kind = 'cancel' AND tid = ? ORDER BY received_at, status", [$tid]);
        $this->assertSame(['recorded'], array_column($cancels, 'status'), json_encode($cancels, JSON_UNESCAPED_UNICODE));
        $payment = self::$shop->rows('SELECT * FROM payments WHERE tid = ?', [$tid])[0];
        $this->assertNotEmpty($payment['cancelled_at'], 'the full cancel, confirmed by paycert');
        $this->assertSame(9900, (int) $payment['refunded']);
    }
}
