<?php

namespace CookiePay\Tests;

use CookiePay\Tests\Support\Sandbox;
use CookiePay\Tests\Support\Shop;
use PHPUnit\Framework\TestCase;

/**
 * The example shop's 통지 URL (noti.php) against forged Notis (issue 21 item 3): a Noti is a hint
 * anyone can post, so only what CookiePay itself confirms may change anything. The sandbox's Notis go
 * to a port nothing listens on here: each test takes a genuine body from the sandbox's log and posts it (and its
 * forgeries) to the shop itself, in the order the test needs.
 */
final class ExampleNotiTest extends TestCase
{
    /** @var Shop */
    private static $shop;

    public static function setUpBeforeClass(): void
    {
        self::$shop = new Shop(Sandbox::$http, ['SHOP_SETTLE_AFTER_SECONDS' => '0']);
    }

    public static function tearDownAfterClass(): void
    {
        self::$shop->stop();
        Sandbox::notiUrl(null);
    }

    protected function setUp(): void
    {
        Sandbox::reset();
        // Nothing listens on port 1 (tcpmux; outside the ephemeral range, so unlike a port just freed no
        // server of a test beside this one can be handed it): the sandbox logs each Noti, delivers none.
        Sandbox::notiUrl('http://127.0.0.1:1/noti');
    }

    private static function signUp(): array
    {
        [$status, $headers, $page] = self::$shop->post('/subscribe.php', ['plan' => 'cookie-box-monthly', 'buyer' => '최노티'] + Sandbox::card());
        self::assertSame(200, $status, $page . self::$shop->serverLog());
        self::assertSame('active', $headers['x-subscription-result']);
        return self::$shop->rows('SELECT * FROM subscriptions WHERE id = ?', [(int) $headers['x-subscription-id']])[0];
    }

    /** CookiePay charges a cycle of the subscription; returns the genuine Noti it sent (an array). */
    private static function genuineChargeNoti(array $subscription): array
    {
        $payment = Sandbox::client()->recurringCharge($subscription['reserve_id'], $subscription['billkey']);
        foreach (array_reverse(Sandbox::notis()['notis']) as $noti) {
            if ($noti['kind'] === 'recurring' && ($noti['body']['TID'] ?? '') === $payment['TID']) {
                return $noti['body'];
            }
        }
        self::fail('no Noti of ' . $payment['TID']);
    }

    /** @return array [status, X-Noti-Result] */
    private static function post(array $body): array
    {
        [$status, $headers] = self::$shop->http('POST', '/noti.php', (string) json_encode($body, JSON_UNESCAPED_UNICODE), 'application/json');
        return [$status, $headers['x-noti-result'] ?? ''];
    }

    private static function paymentsOf(array $subscription): array
    {
        return array_column(self::$shop->rows('SELECT tid FROM payments WHERE subscription_id = ?', [$subscription['id']]), 'tid');
    }

    /** (a) A "declined" Noti anyone can post, with a cycle that has not even come, charges nothing. */
    public function testAForgedDeclineWithANewCycleQueuesNoCharge(): void
    {
        $subscription = self::signUp();
        $forged = [
            'API_ID' => Sandbox::config()['api_id'], 'RESERVE_ID' => $subscription['reserve_id'],
            'RESERVE_ORDERNO' => $subscription['orderno'], 'BILLKEY' => $subscription['billkey'],
            'ORDERNO' => '', 'TID' => '', 'AMOUNT' => '9900', 'PAY_CNT' => '7', 'TRY_CNT' => '1', 'LAST_PAY_CNT' => '12',
            'RESULTCODE' => 'C001', 'RESULTMSG' => '한도초과',
        ];
        [$status, $result] = self::post($forged);
        $this->assertSame(200, $status);
        $this->assertStringNotContainsString('queued', $result);
        $this->assertSame([], self::$shop->rows('SELECT * FROM charges WHERE subscription_id = ?', [$subscription['id']]));

        Sandbox::reset();
        [$code, $out, $err] = self::$shop->chargeDue(['SHOP_TODAY' => date('Y-m-d', strtotime('+40 days'))]);
        $this->assertSame(0, $code, $err);
        $this->assertSame(0, Sandbox::count('recurring_charge'), "a forged decline made the shop charge:\n$out");
    }

    /**
     * (b) A genuine payment of ANOTHER subscription (same plan, same amount) posted with this one's
     * RESERVE_ID does not join this one; it joins the subscription CookiePay's own answer names.
     */
    public function testAPaymentJoinsOnlyTheSubscriptionCookiePayTiesItTo(): void
    {
        $mine = self::signUp();
        $other = self::signUp();
        $genuine = self::genuineChargeNoti($other);
        $forged = ['RESERVE_ID' => $mine['reserve_id'], 'RESERVE_ORDERNO' => $mine['orderno'], 'BILLKEY' => $mine['billkey']] + $genuine;

        [$status, $result] = self::post($forged);
        $this->assertSame(200, $status);
        $this->assertNotContains($genuine['TID'], self::paymentsOf($mine), "another subscription's payment joined this one ($result)");

        [$status, $result] = self::post($genuine);
        $this->assertSame(200, $status);
        $this->assertContains($genuine['TID'], self::paymentsOf($other), "the genuine Noti was not recorded ($result)");
        $this->assertNotContains($genuine['TID'], self::paymentsOf($mine));
    }

    /** (c) A forged Noti carrying a genuine Noti's dedup_key (its TID) does not block the genuine one. */
    public function testAForgedNotiWithAGenuineKeyDoesNotBlockTheRealOne(): void
    {
        $subscription = self::signUp();
        $genuine = self::genuineChargeNoti($subscription);
        $forged = ['ORDERNO' => 'SRS' . str_repeat('7', 20), 'AMOUNT' => '99000'] + $genuine;

        [$status, $result] = self::post($forged);
        $this->assertSame(200, $status);
        $this->assertNotContains($genuine['TID'], self::paymentsOf($subscription), "recorded from a forged Noti ($result)");

        [$status, $result] = self::post($genuine);
        $this->assertSame(200, $status);
        $this->assertSame('recorded', $result);
        $this->assertContains($genuine['TID'], self::paymentsOf($subscription));
        [, $result] = self::post($genuine);
        $this->assertSame('duplicate', $result, 'the genuine one, once');
    }
}
