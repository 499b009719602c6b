<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\ValidationException;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * The life of a subscription against the sandbox: billkeygen (with and without a schedule), recurring
 * charges, refunds, the end of the schedule and the key, paysearch, receipts, the escape hatch, Notis.
 */
final class SubscriptionTest extends TestCase
{
    protected function setUp(): void
    {
        Sandbox::reset();
    }

    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    /** billkeygen with a monthly schedule: the answer of a charged and scheduled subscription. */
    private static function subscribe(Client $client, array $overrides = [], int $lastPayCnt = 12): array
    {
        $request = Sandbox::subscription($overrides, true, $lastPayCnt);
        $answer = $client->billkeygen($request);
        self::assertTrue($answer['charged']);
        self::assertTrue($answer['scheduled'], json_encode($answer, JSON_UNESCAPED_UNICODE));
        return ['request' => $request, 'answer' => $answer];
    }

    public function testBillkeygenWithAScheduleChargesOnceAndSchedules(): void
    {
        $client = Sandbox::client();
        $sub = self::subscribe($client, ['AMOUNT' => 12900, 'ETC1' => 'member-7']);
        $answer = $sub['answer'];

        $this->assertSame('0000', $answer['RESULTCODE']);
        $this->assertMatchesRegularExpression('/^[a-z0-9]{20}$/', $answer['BILLKEY']);
        $this->assertNotSame('', $answer['TID']);
        $this->assertNotSame('', $answer['RESERVE_ID']);
        $this->assertSame('0000', $answer['RESERVE_RESULTCODE']);
        $this->assertSame($sub['request']['ORDERNO'], $answer['ORDERNO']);
        $this->assertSame($sub['request']['ORDERNO'], $answer['RESERVE_ORDERNO']);
        $this->assertSame('12900', $answer['AMOUNT']);
        $this->assertSame('member-7', $answer['ETC1']);
        $this->assertSame('1', $answer['RESERVE_NOW_PAY_CNT']);
        $this->assertMatchesRegularExpression('/^\d{4}-\d{2}-\d{2}$/', $answer['RESERVE_NEXT_PAY_DATE']);

        // The first charge is a real payment: paycert agrees with the order.
        $verified = $client->verify($answer['TID'], ['ORDERNO' => $sub['request']['ORDERNO'], 'AMOUNT' => 12900]);
        $this->assertSame($answer['TID'], $verified['TID']);

        // Exactly one billkeygen went out (and nothing was retried).
        $this->assertSame(1, Sandbox::count('billkeygen'));
    }

    public function testBillkeygenWithoutAScheduleIsChargedWithScheduledNull(): void
    {
        $answer = Sandbox::client()->billkeygen(Sandbox::subscription([], false));
        $this->assertTrue($answer['charged']);
        $this->assertNull($answer['scheduled']);
        $this->assertNotSame('', $answer['BILLKEY']);
        $this->assertNotSame('', $answer['TID']);
    }

    public function testChargedButNotScheduledIsStillASuccess(): void
    {
        // PAY_DAY "99" is no day of a month: the sandbox charges the card, then refuses the schedule.
        $answer = Sandbox::client()->billkeygen(Sandbox::subscription(['PAY_DAY' => '99']));
        $this->assertTrue($answer['charged']);
        $this->assertFalse($answer['scheduled'], 'charged, but the schedule failed: the shop must not charge again');
        $this->assertNotSame('', $answer['TID']);
        $this->assertNotSame('', $answer['BILLKEY']);
        $this->assertNotSame('0000', $answer['RESERVE_RESULTCODE']);
        $this->assertNotSame('', $answer['RESERVE_RESULTMSG']);
        $this->assertSame(1, Sandbox::count('billkeygen'));
    }

    public function testADeclinedCardIsAnApiErrorWithItsCode(): void
    {
        try {
            Sandbox::client()->billkeygen(Sandbox::subscription(['CARDNO' => Sandbox::CARD_DECLINE_LIMIT]));
            $this->fail('the card is declined');
        } catch (ApiException $e) {
            $this->assertSame('C001', $e->getApiCode());
            $this->assertSame('한도초과', $e->getApiMessage());
        }
    }

    public function testBadCardFieldsAreAllNamedAndNothingIsSent(): void
    {
        $client = Sandbox::client(['shared' => false]);
        $lastMonth = date('ym', strtotime('first day of last month'));
        try {
            $client->billkeygen(Sandbox::subscription([
                'CARDNO' => '4111111111111112',   // Luhn fails
                'EXPIREDT' => $lastMonth,          // in the past
                'CARDAUTH' => '90010',             // 5 digits
                'CARDPWD' => '123',                // 3 digits
            ]));
            $this->fail('every card field is wrong');
        } catch (ValidationException $e) {
            $names = $e->getFieldNames();
            sort($names);
            $this->assertSame(['CARDAUTH', 'CARDNO', 'CARDPWD', 'EXPIREDT'], $names);
            foreach ($e->getFields() as $field) {
                $this->assertNotSame('', $field['rule']);
                $this->assertNotSame('', $field['message']);
            }
        }
        // Not even a TOKEN was asked for.
        $this->assertSame([], array_filter(Sandbox::counts()), json_encode(Sandbox::counts()));

        // Each rule alone is enough.
        foreach (['CARDNO' => '1234567812345678', 'EXPIREDT' => '1301', 'CARDAUTH' => '12345', 'CARDPWD' => '1'] as $field => $bad) {
            try {
                $client->billkeygen(Sandbox::subscription([$field => $bad]));
                $this->fail("$field $bad is refused");
            } catch (ValidationException $e) {
                $this->assertSame([$field], $e->getFieldNames());
            }
        }
        // A 10-digit business number is a valid CARDAUTH.
        $this->assertTrue($client->billkeygen(Sandbox::subscription(['CARDAUTH' => '1234567890']))['charged']);
    }

    public function testRecurringChargeChargesTheSchedule(): void
    {
        $client = Sandbox::client();
        $sub = self::subscribe($client, ['AMOUNT' => 9900]);
        $charge = $client->recurringCharge($sub['answer']['RESERVE_ID'], $sub['answer']['BILLKEY']);

        $this->assertSame('0000', $charge['RESULTCODE']);
        $this->assertNotSame($sub['answer']['TID'], $charge['TID']);
        $this->assertStringStartsWith('SRS', $charge['ORDERNO']);
        $this->assertSame('9900', $charge['AMOUNT']);
        $this->assertSame($sub['answer']['RESERVE_ID'], $charge['RESERVE_ID']);
        $this->assertGreaterThanOrEqual(2, (int) $charge['PAY_CNT']);
        $this->assertSame($charge['ACCEPT_NO'], $charge['ACCEPTNO'], 'both spellings');

        $cert = $client->verify($charge['TID'], ['ORDERNO' => $charge['ORDERNO'], 'AMOUNT' => 9900]);
        $this->assertSame($charge['TID'], $cert['TID']);
        $this->assertSame(1, Sandbox::count('recurring_charge'));
    }

    public function testEndingASubscriptionScheduleCancelTwiceAndBillkeyDelete(): void
    {
        $client = Sandbox::client();
        $sub = self::subscribe($client)['answer'];

        $first = $client->scheduleCancel($sub['RESERVE_ID']);
        $this->assertFalse($first['already_cancelled']);
        $this->assertNull($first['cancelled_at']);

        // CookiePay's E103 is not an error: the schedule is cancelled, since when.
        $again = $client->scheduleCancel($sub['RESERVE_ID']);
        $this->assertTrue($again['already_cancelled']);
        $this->assertMatchesRegularExpression('/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/', $again['cancelled_at']);

        // A cancelled schedule cannot be charged: E103 here IS an error.
        try {
            $client->recurringCharge($sub['RESERVE_ID'], $sub['BILLKEY']);
            $this->fail('the schedule is cancelled');
        } catch (ApiException $e) {
            $this->assertSame('E103', $e->getApiCode());
        }

        $deleted = $client->billkeyDelete($sub['BILLKEY']);
        $this->assertIsArray($deleted);
        $this->assertSame(1, Sandbox::count('billkey_delete'));
        $this->assertSame(2, Sandbox::count('schedule_cancel'));
    }

    public function testPartialRefundThenOverRefundThenAlreadyCancelled(): void
    {
        $client = Sandbox::client();
        $tid = self::subscribe($client, ['AMOUNT' => 10000])['answer']['TID'];

        $partial = $client->cancel($tid, '부분 환불', 3000);
        $this->assertSame('0000', $partial['cancel_code']);
        $this->assertSame('3000', (string) $partial['cancel_amt']);
        $this->assertFalse($partial['already_cancelled']);
        $this->assertNotSame('', $partial['cancel_tid']);

        try {
            $client->cancel($tid, '너무 많이', 7001);
            $this->fail('only 7000 remain');
        } catch (ApiException $e) {
            $this->assertSame('E072', $e->getApiCode(), 'the sandbox\'s code for more than the remaining balance');
        }

        $rest = $client->cancel($tid, '나머지 환불');
        $this->assertSame('0000', $rest['cancel_code']);
        $this->assertSame('7000', (string) $rest['cancel_amt']);
        $this->assertFalse($rest['already_cancelled']);

        $again = $client->cancel($tid, '다시');
        $this->assertTrue($again['already_cancelled']);
        $this->assertSame(4, Sandbox::count('cancel'), 'each cancel went out exactly once');
    }

    public function testARefundAfterSettlementIs9029(): void
    {
        $client = Sandbox::client();
        $tid = self::subscribe($client)['answer']['TID'];
        Sandbox::settle($tid);
        try {
            $client->cancel($tid, '정산 후 취소');
            $this->fail('settled payments need 입금후 취소');
        } catch (ApiException $e) {
            $this->assertSame('9029', $e->getApiCode());
            $this->assertStringContainsString('입금후 취소', $e->getMessage());
        }
    }

    public function testCancelRefusesUnknownRefundAccountFields(): void
    {
        $this->expectException(\CookiePay\Exception\InvalidArgumentException::class);
        $this->expectExceptionMessage('accountNo');
        Sandbox::client()->cancel('SBX0', 'x', null, ['bank' => '국민', 'accountNo' => '1']);
    }

    public function testPaysearchByTidAndByDays(): void
    {
        $client = Sandbox::client();
        $sub = self::subscribe($client, ['AMOUNT' => 4400])['answer'];

        $found = $client->paysearchByTid($sub['TID']);
        $this->assertCount(1, $found);
        $this->assertSame($sub['TID'], $found[0]['TID']);
        $this->assertSame('4400', $found[0]['AMOUNT']);
        $this->assertSame($sub['ORDERNO'], $found[0]['ORDERNO']);

        $today = self::sandboxToday($found[0]);
        $range = $client->paysearch($today, $today);
        $this->assertContains($sub['TID'], array_column($range, 'TID'));
    }

    public function testPaysearchWithNothingFoundIsAnEmptyList(): void
    {
        $client = Sandbox::client();
        $this->assertSame([], $client->paysearchByTid('SBX000000000000NONE'));
        $this->assertSame([], $client->paysearch('2001-01-01', '2001-01-31'));
        $this->assertSame(2, Sandbox::count('paysearch'));
    }

    public function testReceiptUrlNeedsNoNetwork(): void
    {
        $client = Sandbox::client();
        $tid = self::subscribe($client)['answer']['TID'];
        Sandbox::reset();

        $url = $client->receiptUrl($tid);
        $this->assertSame(Sandbox::$http . '/api/receipt?tid=' . rawurlencode(base64_encode($tid)), $url);
        $this->assertSame([], array_filter(Sandbox::counts()), 'no request');

        $page = file_get_contents($url);
        $this->assertIsString($page);
        $this->assertStringContainsString($tid, $page);
    }

    public function testTheEscapeHatchIsNeverRetried(): void
    {
        $client = Sandbox::client();
        $tid = self::subscribe($client)['answer']['TID'];

        $answer = $client->request('/api/paycert', ['tid' => $tid], ['token']);
        $this->assertSame(200, $answer['status']);
        $this->assertSame('0000', $answer['body']['RESULTCODE']);
        $this->assertSame($tid, $answer['body']['TID']);

        // Without the TOKEN header CookiePay refuses it: an answer, not an exception.
        $refused = $client->request('/api/paycert', ['tid' => $tid], []);
        $this->assertSame('E003', $refused['body']['RESULTCODE']);

        // paycert() retries a 500; the escape hatch does not.
        Sandbox::reset();
        Sandbox::fault('paycert', 'http_500', 1);
        try {
            $status = $client->request('/api/paycert', ['tid' => $tid])['status'];
        } catch (\CookiePay\Exception\HttpException $e) {
            $status = $e->getStatus();
        }
        $this->assertSame(500, $status, 'the 500 reaches the caller');
        $this->assertSame(1, Sandbox::count('paycert'));
    }

    public function testParseNotiOfPaymentRecurringAndCancelBodies(): void
    {
        $payment = Client::parseNoti((string) json_encode([
            'PAY_METHOD' => 'CARD', 'API_ID' => Sandbox::API_ID, 'ORDERNO' => 'A-1', 'AMOUNT' => '9900',
            'TID' => 'SBX26112700000012345', 'BUYERNAME' => '홍길동', 'ACCEPT_DATE' => '20261127101010',
            'ACCEPT_NO' => '12345678', 'RESULTCODE' => '0000', 'RESULTMSG' => '성공',
        ], JSON_UNESCAPED_UNICODE));
        $this->assertSame('payment', $payment['kind']);
        $this->assertSame('SBX26112700000012345', $payment['TID']);
        $this->assertSame('홍길동', $payment['BUYERNAME']);
        $this->assertIsString($payment['dedup_key']);
        $this->assertNotSame('', $payment['dedup_key']);

        $recurringBody = [
            'API_ID' => Sandbox::API_ID, 'ORDERNO' => 'SRS20261127101010000001', 'VENDOR_ORDER_NO' => null,
            'AMOUNT' => '9900', 'TID' => 'SBX26112700000054321', 'BILLKEY' => 'abcdefghij0123456789',
            'RESULTCODE' => '0000', 'RESULTMSG' => '성공', 'RESERVE_ID' => 'r0123456789abcdefghijklmnop',
            'RESERVE_ORDERNO' => 'A-1', 'PAY_CNT' => '3', 'LAST_PAY_CNT' => '12', 'TRY_CNT' => '1',
            'NEXT_PAY_DATE' => '2027-01-10', 'PAY_METHOD' => 'CARD',
        ];
        $recurring = Client::parseNoti((string) json_encode($recurringBody));
        $this->assertSame('recurring', $recurring['kind']);
        $this->assertSame('3', $recurring['PAY_CNT']);
        $this->assertSame('r0123456789abcdefghijklmnop', $recurring['RESERVE_ID']);

        // The same Noti again has the same key; another charge has another.
        $this->assertSame($recurring['dedup_key'], Client::parseNoti((string) json_encode($recurringBody))['dedup_key']);
        $next = Client::parseNoti((string) json_encode(['PAY_CNT' => '4', 'TID' => 'SBX26112700000099999'] + $recurringBody));
        $this->assertNotSame($recurring['dedup_key'], $next['dedup_key']);
        $this->assertNotSame($payment['dedup_key'], $recurring['dedup_key']);

        $cancel = Client::parseNoti(self::sandboxNotiBody('cancel'));
        $this->assertSame('cancel', $cancel['kind']);
        $this->assertNotSame($payment['dedup_key'], $cancel['dedup_key']);

        $file = tempnam(sys_get_temp_dir(), 'cookiepay-noti');
        file_put_contents($file, json_encode($recurringBody));
        try {
            $this->assertSame($recurring, Client::parseNotiFromInput($file));
        } finally {
            unlink($file);
        }
    }

    public function testParseNotiRefusesWhatIsNotANoti(): void
    {
        foreach (['', 'RESULTCODE=0000&TID=x', '[1,2]', "{\"TID\":\"a\0\"}"] as $body) {
            try {
                Client::parseNoti($body);
                $this->fail('not a Noti: ' . json_encode($body));
            } catch (\CookiePay\Exception\CookiePayException $e) {
                $this->assertContains($e->getKind(), ['invalid_argument', 'validation', 'decode'], $e->getMessage());
            }
        }
    }

    /**
     * The body of a Noti of this kind as the sandbox really sends it: a payment refunded while Notis go
     * to a port where nobody listens (the sandbox keeps what it sent in /_sandbox/notis).
     */
    private static function sandboxNotiBody(string $kind): string
    {
        $client = Sandbox::client();
        Sandbox::notiUrl('http://127.0.0.1:1/noti'); // tcpmux: nobody listens, no test is handed it
        try {
            $tid = self::subscribe($client)['answer']['TID'];
            $client->cancel($tid, 'Noti 견본');
        } finally {
            Sandbox::notiUrl(null);
        }
        foreach (array_reverse(Sandbox::notis()['notis']) as $noti) {
            $body = (string) json_encode($noti['body'], JSON_UNESCAPED_UNICODE);
            if (Client::parseNoti($body)['kind'] === $kind) {
                return $body;
            }
        }
        self::fail("the sandbox sent no $kind Noti: " . json_encode(Sandbox::notis(), JSON_UNESCAPED_UNICODE));
    }

    /** The sandbox's own date (its clock may be ahead of ours): from ACCEPTDATE, YYYYMMDDHHMMSS. */
    private static function sandboxToday(array $payment): string
    {
        $date = isset($payment['ACCEPTDATE']) ? $payment['ACCEPTDATE'] : $payment['ACCEPT_DATE'];
        return substr($date, 0, 4) . '-' . substr($date, 4, 2) . '-' . substr($date, 6, 2);
    }
}
