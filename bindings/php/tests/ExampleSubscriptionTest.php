<?php

namespace CookiePay\Tests;

use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use CookiePay\Tests\Support\Shop;
use PHPUnit\Framework\TestCase;

/**
 * The example shop's subscriptions over HTTP under `php -S`: sign-up (billkeygen), the charge-due
 * cron (exactly once, also when two runs overlap; unknown outcomes settled by paysearch), refunds.
 */
final class ExampleSubscriptionTest extends TestCase
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
    }

    protected function setUp(): void
    {
        Sandbox::reset();
    }

    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    /** Sign up through the shop's card form; returns [status, headers, page, subscription row]. */
    private static function signUp(Shop $shop, array $card = [], string $plan = 'cookie-box-monthly'): array
    {
        [$status, $headers, $page] = $shop->post('/subscribe.php', ['plan' => $plan, 'buyer' => '김구독'] + Sandbox::card($card));
        self::assertArrayHasKey('x-subscription-id', $headers, $page . $shop->serverLog());
        $row = $shop->rows('SELECT * FROM subscriptions WHERE id = ?', [(int) $headers['x-subscription-id']]);
        self::assertCount(1, $row);
        return [$status, $headers, $page, $row[0]];
    }

    private static function active(): array
    {
        [$status, $headers, $page, $row] = self::signUp(self::$shop);
        self::assertSame(200, $status, $page);
        self::assertSame('active', $headers['x-subscription-result']);
        return $row;
    }

    /** No card value anywhere the shop writes: its database file and its server log. */
    private function assertShopHoldsNoCard(Shop $shop, array $card): void
    {
        $stored = (string) file_get_contents($shop->dir . '/shop.sqlite') . $shop->serverLog();
        foreach ([$card['CARDNO'], substr($card['CARDNO'], -8), $card['CARDAUTH']] as $secret) {
            $this->assertFalse(strpos($stored, $secret) !== false, 'a card value is stored or logged by the shop');
        }
    }

    public function testSignUpStoresWhatBillkeygenAnswered(): void
    {
        $row = self::active();
        $this->assertSame('active', $row['status']);
        $this->assertMatchesRegularExpression('/^[a-z0-9]{20}$/', $row['billkey']);
        $this->assertNotEmpty($row['reserve_id']);
        $this->assertNotEmpty($row['first_tid']);
        $this->assertSame(9900, (int) $row['amount']);
        $this->assertSame(1, Sandbox::count('billkeygen'));

        // CookiePay has the same subscription and payment.
        $client = Sandbox::client();
        $cert = $client->verify($row['first_tid'], ['ORDERNO' => $row['orderno'], 'AMOUNT' => 9900]);
        $this->assertSame($row['first_tid'], $cert['TID']);
        $this->assertContains($row['reserve_id'], array_column(Sandbox::subscriptions()['subscriptions'], 'RESERVE_ID'));

        $payments = self::$shop->rows('SELECT * FROM payments WHERE subscription_id = ?', [$row['id']]);
        $this->assertCount(1, $payments);
        $this->assertSame($row['first_tid'], $payments[0]['tid']);
        $this->assertSame('billkeygen', $payments[0]['source']);
        $this->assertShopHoldsNoCard(self::$shop, Sandbox::card());

        [$status, , $page] = self::$shop->http('GET', '/subscriptions.php');
        $this->assertSame(200, $status);
        $this->assertStringContainsString($row['first_tid'], $page);
        $this->assertStringContainsString('/api/receipt?tid=', $page);
    }

    public function testADeclinedCardAndABadCardAreShownAndNothingIsCharged(): void
    {
        [$status, $headers, $page, $row] = self::signUp(self::$shop, ['CARDNO' => Sandbox::CARD_DECLINE_LIMIT]);
        $this->assertSame(402, $status);
        $this->assertSame('declined', $headers['x-subscription-result']);
        $this->assertStringContainsString('한도초과', $page);
        $this->assertSame('failed', $row['status']);
        $this->assertNull($row['billkey']);

        Sandbox::reset();
        $bad = Sandbox::card(['CARDNO' => '4111 1111 1111 1112', 'CARDPWD' => '123']);
        [$status, $headers, $page, $row] = self::signUp(self::$shop, $bad);
        $this->assertSame(400, $status);
        $this->assertSame('invalid-card', $headers['x-subscription-result']);
        $this->assertStringContainsString('CARDNO', $page);
        $this->assertStringContainsString('CARDPWD', $page);
        $this->assertStringNotContainsString('1112', $page, 'the page names fields, not what was typed');
        $this->assertSame('failed', $row['status']);
        $this->assertSame([], array_filter(Sandbox::counts()), 'nothing was sent');
        $this->assertSame([], self::$shop->rows('SELECT * FROM payments WHERE subscription_id = ?', [$row['id']]));
        $this->assertShopHoldsNoCard(self::$shop, ['CARDNO' => '4111111111111112', 'CARDAUTH' => $bad['CARDAUTH']]);
    }

    public function testChargedButNotScheduledIsShownDistinctly(): void
    {
        // A shop whose schedule CookiePay refuses (no such PAY_DAY): the first charge still went through.
        $shop = new Shop(Sandbox::$http, ['SHOP_PAY_DAY' => '99']);
        try {
            [$status, $headers, $page, $row] = self::signUp($shop);
            $this->assertSame(200, $status, $page);
            $this->assertSame('charged-not-scheduled', $headers['x-subscription-result']);
            $this->assertStringContainsString('다시 결제하지 마세요', $page);
            $this->assertSame('not_scheduled', $row['status']);
            $this->assertNotEmpty($row['first_tid']);
            $this->assertNotEmpty($row['billkey']);
            $this->assertNotSame('0000', $row['reserve_code']);
            $this->assertCount(1, $shop->rows('SELECT * FROM payments WHERE subscription_id = ?', [$row['id']]));
            $this->assertSame(1, Sandbox::count('billkeygen'));
        } finally {
            $shop->stop();
        }
    }

    /**
     * A due charge of this subscription: by default the retry of a cycle CookiePay's schedule declined
     * (as staff queue it); kind 'cycle' is the shop's own cron charging a cycle.
     */
    private static function queueCharge(array $subscription, int $cycle, string $kind = 'retry'): int
    {
        $db = self::$shop->db();
        $db->prepare("INSERT INTO charges (subscription_id, cycle, kind, due_date, status, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)")
            ->execute([$subscription['id'], $cycle, $kind, date('Y-m-d'), date('Y-m-d H:i:s')]);
        return (int) $db->lastInsertId();
    }

    /** Wait until the shop has taken (answered 2xx) every Noti the sandbox sent to it. */
    private static function waitForNotis(): void
    {
        $deadline = microtime(true) + 30;
        do {
            $pending = array_filter(Sandbox::notis()['notis'], function ($noti) {
                return $noti['url'] === self::$shop->url . '/noti.php' && !$noti['delivered'];
            });
            if ($pending === []) {
                return;
            }
            usleep(50000);
        } while (microtime(true) < $deadline);
        self::fail('Notis not taken by the shop: ' . json_encode(array_values($pending), JSON_UNESCAPED_UNICODE) . self::$shop->serverLog());
    }

    /**
     * Issue 21 item 2: the charge's answer is cut off (unknown), the genuine Noti records its TID, and
     * settling must take that known payment as the cycle's — not conclude "not charged" because every
     * payment paysearch lists is already known, and charge the cycle a second time.
     */
    public function testAnUnknownChargeWhosePaymentANotiRecordedIsSettledNotChargedAgain(): void
    {
        Sandbox::notiUrl(self::$shop->url . '/noti.php');
        try {
            $subscription = self::active();
            self::waitForNotis();
            $chargeId = self::queueCharge($subscription, 2);
            Sandbox::reset();
            Sandbox::fault('recurring_charge', 'truncate', 1);
            [$code, $out, $err] = self::$shop->chargeDue();
            $this->assertSame(0, $code, $err);
            $this->assertStringContainsString("charge $chargeId: unknown", $out);
            self::waitForNotis();
            $recorded = self::$shop->rows("SELECT * FROM payments WHERE subscription_id = ? AND source = 'noti' AND pay_cnt = 2", [$subscription['id']]);
            $this->assertCount(1, $recorded, 'the genuine Noti of the charge was recorded');

            $runs = '';
            for ($run = 0; $run < 3; $run++) {
                [$code, $out, $err] = self::$shop->chargeDue();
                $this->assertSame(0, $code, $err);
                $runs .= $out;
            }
            $this->assertStringContainsString("charge $chargeId: settle:charged", $runs);
            $this->assertSame(1, Sandbox::count('recurring_charge'), "one cycle, one charge:\n$runs");
            $charge = self::charge($chargeId);
            $this->assertSame('charged', $charge['status'], $runs);
            $this->assertSame($recorded[0]['tid'], $charge['tid']);
        } finally {
            Sandbox::notiUrl(null);
        }
    }

    /** A retry of a cycle whose payment is already known is settled from the ledger, with no call. */
    public function testARetryOfACycleAlreadyPaidIsNotCharged(): void
    {
        $subscription = self::active();
        $chargeId = self::queueCharge($subscription, 1);   // cycle 1: billkeygen's own charge
        Sandbox::reset();
        [$code, $out, $err] = self::$shop->chargeDue();
        $this->assertSame(0, $code, $err);
        $this->assertStringContainsString("charge $chargeId: charged", $out);
        $this->assertSame(0, Sandbox::count('recurring_charge'));
        $this->assertSame($subscription['first_tid'], self::charge($chargeId)['tid']);
    }

    /**
     * One way per subscription: signing up with CookiePay's schedule marks it 'schedule', and
     * charge-due then never charges one of its cycles itself (the schedule charges them; both would
     * charge twice) — it refuses without calling CookiePay.
     */
    public function testChargeDueRefusesToChargeACycleOfAScheduleModeSubscription(): void
    {
        $subscription = self::active();
        $this->assertSame('schedule', $subscription['mode']);
        $chargeId = self::queueCharge($subscription, 2, 'cycle');
        Sandbox::reset();
        [$code, $out, $err] = self::$shop->chargeDue();
        $this->assertSame(0, $code, $err);
        $this->assertStringContainsString("charge $chargeId: refused", $out);
        $this->assertSame(0, Sandbox::count('recurring_charge'), 'CookiePay was not asked');
        $charge = self::charge($chargeId);
        $this->assertSame('refused', $charge['status']);
        $this->assertStringContainsString('schedule', $charge['error']);
        // Later runs leave it alone.
        [, $out] = self::$shop->chargeDue();
        $this->assertStringNotContainsString("charge $chargeId:", $out);
        $this->assertSame(0, Sandbox::count('recurring_charge'));
    }

    private static function charge(int $id): array
    {
        return self::$shop->rows('SELECT * FROM charges WHERE id = ?', [$id])[0];
    }

    public function testChargeDueRunTwiceAtTheSameTimeChargesOnce(): void
    {
        $subscription = self::active();
        $chargeId = self::queueCharge($subscription, 2);
        Sandbox::reset();
        // A slow CookiePay keeps the first run inside its call while the second one looks.
        Sandbox::fault('recurring_charge', 'delay', 2, ['delay_ms' => 1500]);

        $logs = [self::$shop->dir . '/run1.log', self::$shop->dir . '/run2.log'];
        // Both runs list the charge as due before either claims it (SHOP_CHARGE_DUE_PAUSE_MS).
        $pause = ['SHOP_CHARGE_DUE_PAUSE_MS' => '700'];
        $runs = [self::$shop->spawnChargeDue($logs[0], $pause), self::$shop->spawnChargeDue($logs[1], $pause)];
        $codes = [];
        foreach ($runs as $run) {
            $deadline = microtime(true) + 30;
            while (($status = proc_get_status($run))['running'] && microtime(true) < $deadline) {
                usleep(20000);
            }
            $codes[] = $status['exitcode'];
            Processes::stop($run);
        }
        $output = file_get_contents($logs[0]) . file_get_contents($logs[1]);
        $this->assertSame([0, 0], $codes, $output);
        $this->assertSame(1, Sandbox::count('recurring_charge'), "exactly one charge:\n$output");
        $this->assertSame(1, substr_count($output, "charge $chargeId: charged"), $output);
        $this->assertSame(1, substr_count($output, "charge $chargeId: skipped"), "the other run saw it due and lost the claim:\n$output");

        $charge = self::charge($chargeId);
        $this->assertSame('charged', $charge['status']);
        $this->assertNotEmpty($charge['tid']);
        $payment = self::$shop->rows('SELECT * FROM payments WHERE tid = ?', [$charge['tid']]);
        $this->assertCount(1, $payment);
        $this->assertSame('charge-due', $payment[0]['source']);
        $this->assertStringStartsWith('SRS', $payment[0]['orderno']);
        Sandbox::client()->verify($charge['tid'], ['ORDERNO' => $payment[0]['orderno'], 'AMOUNT' => 9900]);

        // Later runs leave it alone.
        [$code, $out] = self::$shop->chargeDue();
        $this->assertSame(0, $code);
        $this->assertStringNotContainsString("charge $chargeId:", $out);
        $this->assertSame(1, Sandbox::count('recurring_charge'));
    }

    public function testAnUnknownOutcomeIsSettledByPaysearchNotChargedAgain(): void
    {
        $subscription = self::active();

        // The charge went through but the answer was cut off: unknown; paysearch finds it.
        $chargeId = self::queueCharge($subscription, 2);
        Sandbox::reset();
        Sandbox::fault('recurring_charge', 'truncate', 1);
        [$code, $out, $err] = self::$shop->chargeDue();
        $this->assertSame(0, $code, $err);
        $this->assertStringContainsString("charge $chargeId: unknown", $out);
        $this->assertSame('unknown', self::charge($chargeId)['status']);

        [, $out] = self::$shop->chargeDue();
        $this->assertStringContainsString("charge $chargeId: settle:charged", $out);
        $charge = self::charge($chargeId);
        $this->assertSame('charged', $charge['status']);
        $this->assertSame(1, Sandbox::count('recurring_charge'), 'settled by looking it up, never charged again');
        $this->assertSame('paysearch', self::$shop->rows('SELECT source FROM payments WHERE tid = ?', [$charge['tid']])[0]['source']);

        // The connection was reset before CookiePay did anything: unknown, then paysearch shows no
        // such payment, so the charge is due again, and charged once.
        $chargeId = self::queueCharge($subscription, 3);
        Sandbox::reset();
        Sandbox::fault('recurring_charge', 'reset', 1);
        [, $out] = self::$shop->chargeDue();
        $this->assertStringContainsString("charge $chargeId: unknown", $out);
        [, $out] = self::$shop->chargeDue();
        $this->assertStringContainsString("charge $chargeId: settle:pending", $out);
        [, $out] = self::$shop->chargeDue();
        $this->assertStringContainsString("charge $chargeId: charged", $out);
        $this->assertSame(2, Sandbox::count('recurring_charge'));
        $this->assertSame('charged', self::charge($chargeId)['status']);
    }

    public function testADeclinedRetryIsRecordedAsFailed(): void
    {
        $subscription = self::active();
        Sandbox::client()->scheduleCancel($subscription['reserve_id']);
        $chargeId = self::queueCharge($subscription, 2);
        [$code, $out] = self::$shop->chargeDue();
        $this->assertSame(0, $code);
        $this->assertStringContainsString("charge $chargeId: failed", $out);
        $charge = self::charge($chargeId);
        $this->assertSame('failed', $charge['status']);
        $this->assertStringStartsWith('E103', $charge['error']);
    }

    public function testTheRefundButtonRefundsPartOfAPayment(): void
    {
        $subscription = self::active();
        $tid = $subscription['first_tid'];

        [$status, $headers, $page] = self::$shop->post('/refund.php', ['tid' => $tid, 'amount' => '3000', 'reason' => '한 박스 누락']);
        $this->assertSame(200, $status, $page);
        $this->assertSame('refunded', $headers['x-refund-result']);
        $payment = self::$shop->rows('SELECT * FROM payments WHERE tid = ?', [$tid])[0];
        $this->assertSame(3000, (int) $payment['refunded']);
        $refunds = self::$shop->rows('SELECT * FROM refunds WHERE tid = ?', [$tid]);
        $this->assertCount(1, $refunds);
        $this->assertSame(3000, (int) $refunds[0]['amount']);
        $this->assertNotEmpty($refunds[0]['cancel_tid']);

        [$status, $headers] = self::$shop->post('/refund.php', ['tid' => $tid, 'amount' => '9000', 'reason' => '너무 많이']);
        $this->assertSame(409, $status);
        $this->assertSame('refused', $headers['x-refund-result']);

        [, $headers] = self::$shop->post('/refund.php', ['tid' => $tid, 'reason' => '나머지']);
        $this->assertSame('refunded', $headers['x-refund-result']);
        [, $headers] = self::$shop->post('/refund.php', ['tid' => $tid, 'reason' => '또']);
        $this->assertSame('already-cancelled', $headers['x-refund-result']);
        $this->assertSame(9900, (int) self::$shop->rows('SELECT refunded FROM payments WHERE tid = ?', [$tid])[0]['refunded']);
        $this->assertSame(4, Sandbox::count('cancel'));

        // A TID the shop never recorded is not refunded.
        [$status, $headers] = self::$shop->post('/refund.php', ['tid' => 'SBX000000000000NONE', 'amount' => '100']);
        $this->assertSame(404, $status);
        $this->assertSame(4, Sandbox::count('cancel'));
    }

    public function testASettledPaymentNeeds9029Handling(): void
    {
        $subscription = self::active();
        Sandbox::settle($subscription['first_tid']);
        [$status, $headers, $page] = self::$shop->post('/refund.php', ['tid' => $subscription['first_tid'], 'reason' => '정산 후']);
        $this->assertSame(409, $status);
        $this->assertSame('settled', $headers['x-refund-result']);
        $this->assertStringContainsString('입금후 취소', $page);
    }

    public function testASignUpWithAnUnknownOutcomeIsLookedUpNotChargedAgain(): void
    {
        // The answer was cut off after CookiePay charged: the buyer is told not to pay again…
        Sandbox::fault('billkeygen', 'truncate', 1);
        [$status, $headers, $page, $row] = self::signUp(self::$shop);
        $this->assertSame(202, $status, $page);
        $this->assertSame('unknown', $headers['x-subscription-result']);
        $this->assertStringContainsString('다시 결제하지 마세요', $page);
        $this->assertSame('unknown', $row['status']);

        // …and charge-due finds the payment by ORDERNO and hands the rest to staff.
        [$code, $out, $err] = self::$shop->chargeDue();
        $this->assertSame(0, $code, $err);
        $this->assertStringContainsString('subscription ' . $row['id'] . ': charged, needs staff', $out);
        $settled = self::$shop->rows('SELECT * FROM subscriptions WHERE id = ?', [$row['id']])[0];
        $this->assertSame('unknown', $settled['status']);
        $this->assertNotEmpty($settled['first_tid']);
        $this->assertCount(1, self::$shop->rows('SELECT * FROM payments WHERE subscription_id = ?', [$row['id']]));

        // Reset before CookiePay did anything: paysearch shows no payment, the sign-up failed.
        Sandbox::fault('billkeygen', 'reset', 1);
        [, $headers, , $row] = self::signUp(self::$shop);
        $this->assertSame('unknown', $headers['x-subscription-result']);
        [, $out] = self::$shop->chargeDue();
        $this->assertStringContainsString('subscription ' . $row['id'] . ': not charged', $out);
        $this->assertSame('failed', self::$shop->rows('SELECT status FROM subscriptions WHERE id = ?', [$row['id']])[0]['status']);
        $this->assertSame(2, Sandbox::count('billkeygen'), 'nothing was charged again');
    }
}
