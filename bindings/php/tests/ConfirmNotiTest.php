<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\NotiNotConfirmedException;
use CookiePay\Exception\ValidationException;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * confirmNoti against the sandbox, on both backends: the sandbox's own Notis (read from what it
 * sent), replayed as they are or forged; only paycert's answer ever comes back.
 */
final class ConfirmNotiTest extends TestCase
{
    protected function setUp(): void
    {
        Sandbox::reset();
        // Notis to a port where nobody listens: the sandbox keeps what it sent in /_sandbox/notis.
        Sandbox::notiUrl('http://127.0.0.1:' . Sandbox::freePort() . '/noti');
    }

    protected function tearDown(): void
    {
        Sandbox::notiUrl(null);
        Sandbox::reset();
    }

    /** The body of the one Noti the sandbox sent as $kind about $tid, as the raw text it posted. */
    private static function sentNoti(string $kind, string $tid): array
    {
        $found = [];
        foreach (Sandbox::notis()['notis'] as $noti) {
            if ($noti['kind'] === $kind && isset($noti['body']['TID']) && $noti['body']['TID'] === $tid) {
                $found[] = $noti['body'];
            }
        }
        self::assertCount(1, $found, "$kind Notis of $tid");
        return $found[0];
    }

    private static function raw(array $body): string
    {
        return (string) json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    }

    private static function refused(Client $client, array $body, string $reason): NotiNotConfirmedException
    {
        try {
            $client->confirmNoti(['body' => self::raw($body)]);
        } catch (NotiNotConfirmedException $e) {
            self::assertSame($reason, $e->getReason(), $e->getErrorJson());
            self::assertSame('noti_not_confirmed', $e->getKind());
            return $e;
        }
        self::fail("a Noti with reason $reason was confirmed: " . self::raw($body));
    }

    public function testAGenuinePaymentNotiComesBackAsPaycertsAnswer(): void
    {
        $client = Sandbox::client();
        $tid = Sandbox::pay($client, ['AMOUNT' => 2500, 'ETC1' => 'from-the-order'])['payment']['TID'];
        $body = self::sentNoti('payment', $tid);

        $confirmed = $client->confirmNoti(['body' => self::raw($body)]);

        $expected = $client->paycert($tid) + ['kind' => 'payment', 'dedup_key' => 'payment:' . $tid];
        ksort($expected);
        ksort($confirmed);
        $this->assertSame($expected, $confirmed);
        foreach (['ETC1', 'QUOTA', 'CARDNO', 'API_ID'] as $onlyInBody) {
            $this->assertArrayHasKey($onlyInBody, $body);
            $this->assertArrayNotHasKey($onlyInBody, $confirmed, "$onlyInBody came from the body");
        }
    }

    public function testAForgedAmountOrOrderNumberIsRefused(): void
    {
        $client = Sandbox::client();
        $paid = Sandbox::pay($client, ['AMOUNT' => 2500]);
        $genuine = self::sentNoti('payment', $paid['payment']['TID']);

        $e = self::refused($client, ['AMOUNT' => '25'] + $genuine, 'mismatch');
        $this->assertSame([['field' => 'AMOUNT', 'expected' => '25', 'actual' => '2500']], $e->getMismatches());

        $e = self::refused($client, ['ORDERNO' => 'SOMEONE-ELSES'] + $genuine, 'mismatch');
        $this->assertSame('ORDERNO', $e->getMismatches()[0]['field']);
        $this->assertSame($paid['order']['ORDERNO'], $e->getMismatches()[0]['actual']);

        // Naming only the TID confirms: to CookiePay's amount, not a claimed one.
        $bare = $client->confirmNoti(['body' => self::raw(['TID' => $paid['payment']['TID']])]);
        $this->assertSame('2500', $bare['AMOUNT']);
    }

    public function testUnknownOrMissingTidsAreNotConfirmed(): void
    {
        $client = Sandbox::client();
        $e = self::refused($client, ['TID' => 'SBX-NO-SUCH-TID', 'ORDERNO' => 'A1', 'AMOUNT' => '1000'], 'unknown_tid');
        $this->assertNotSame('0000', $e->getApiCode());
        $this->assertNotSame('', (string) $e->getApiCode());
        // A declined recurring charge's Noti has no TID: nothing in it can be confirmed.
        self::refused($client, ['RESERVE_ID' => 'r1', 'PAY_CNT' => '9', 'TID' => '', 'RESULTCODE' => 'C001'], 'no_tid');
        $this->expectException(ValidationException::class);
        $client->confirmNoti([]);
    }

    public function testKindCancelOnlyWhenPaycertShowsTheCancellation(): void
    {
        $client = Sandbox::client();
        $tid = Sandbox::pay($client, ['AMOUNT' => 3000])['payment']['TID'];
        $approval = self::sentNoti('payment', $tid);

        self::refused($client, ['CANCELDATE' => '20260101120000', 'CANCELMSG' => '취소'] + $approval, 'not_cancelled');

        $client->cancel($tid, '환불');
        $cancelled = $client->confirmNoti(['body' => self::raw(self::sentNoti('cancel', $tid))]);
        $cert = $client->paycert($tid);
        $this->assertSame('cancel', $cancelled['kind']);
        $this->assertSame('cancel:' . $tid . ':' . $cert['CANCELDATE'], $cancelled['dedup_key']);
        $this->assertArrayNotHasKey('CANCEL_AMT', $cancelled);
        // The approval's Noti, delivered late, is what CookiePay now shows: a cancelled payment.
        $this->assertSame($cancelled['dedup_key'], $client->confirmNoti(['body' => self::raw($approval)])['dedup_key']);
    }
}
