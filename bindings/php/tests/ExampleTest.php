<?php

namespace CookiePay\Tests;

use CookiePay\Tests\Support\Http;
use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PDO;
use PHPUnit\Framework\TestCase;

/**
 * examples/php under `php -S` (examples/php/serve.sh, the preload recipe): checkout → the sandbox's
 * window → the return form the sandbox produced, posted over HTTP → the order is paid exactly once.
 */
final class ExampleTest extends TestCase
{
    /** @var resource|null */
    private static $server;
    /** @var string */
    private static $dir = '';
    /** @var string */
    private static $shop = '';

    public static function setUpBeforeClass(): void
    {
        self::$dir = Sandbox::tempDir('cookiepay-php-example');
        $port = Sandbox::freePort();
        self::$shop = "http://127.0.0.1:$port";
        self::$server = Processes::spawn(
            ['bash', Sandbox::repoRoot() . '/examples/php/serve.sh', "127.0.0.1:$port"],
            self::$dir . '/server.log',
            [
                'PATH' => (string) getenv('PATH'),
                'COOKIEPAY_LIB' => Sandbox::libraryPath(),
                'COOKIEPAY_SANDBOX_URL' => Sandbox::$http,
                'COOKIEPAY_EXAMPLE_DATA' => self::$dir,
                'COOKIEPAY_PHP_BACKEND' => Support\Backends::name(),
            ]
        );
        Processes::waitFor(function () use ($port) {
            return Processes::canConnect('127.0.0.1', $port);
        }, self::$server, 'php -S (examples/php)', self::$dir . '/server.log');
    }

    public static function tearDownAfterClass(): void
    {
        Processes::stop(self::$server);
        self::$server = null;
        Sandbox::removeTree(self::$dir);
    }

    private static function db(): PDO
    {
        return new PDO('sqlite:' . self::$dir . '/shop.sqlite', null, null, [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
        ]);
    }

    private static function order(string $orderNo): array
    {
        $find = self::db()->prepare('SELECT * FROM orders WHERE orderno = ?');
        $find->execute([$orderNo]);
        $row = $find->fetch();
        self::assertIsArray($row, "order $orderNo is stored");
        return $row;
    }

    /** @return array [status code, headers (lower-case name => value), body] */
    private static function http(string $method, string $url, string $body = '', string $type = 'application/x-www-form-urlencoded'): array
    {
        $answer = Http::send($method, $url, $body, $type);
        self::assertNotNull($answer, "$method $url: no answer");
        return $answer;
    }

    /** The buyer orders, then pays in the window: returns [orderno, the sandbox's checkout answer]. */
    private function checkoutAndPay(string $cardNo, string $product = 'cookie-monthly'): array
    {
        [$status, $headers, $page] = self::http('POST', self::$shop . '/checkout.php', http_build_query(['product' => $product, 'buyer' => '홍길동']));
        $this->assertSame(200, $status, $page);
        $orderNo = $headers['x-order-no'];
        $this->assertSame('pending', self::order($orderNo)['status']);
        $this->assertStringContainsString('/pay/window/', $page);

        $checkout = Sandbox::checkout($page, $cardNo);
        $this->assertSame(self::$shop . '/return.php', $checkout['return_url']);
        return [$orderNo, $checkout];
    }

    public function testTheShopPageRenders(): void
    {
        [$status, , $page] = self::http('GET', self::$shop . '/');
        $this->assertSame(200, $status);
        $this->assertStringContainsString('쿠키 정기배송 (월간)', $page);
    }

    public function testAReturnPostMarksTheOrderPaidExactlyOnce(): void
    {
        [$orderNo, $checkout] = $this->checkoutAndPay(Sandbox::CARD_APPROVE);

        [$status, $headers, $page] = self::http('POST', $checkout['return_url'], $checkout['form_body']);
        $this->assertSame(200, $status, $page);
        $this->assertSame('paid', $headers['x-payment-result']);
        $paid = self::order($orderNo);
        $this->assertSame('paid', $paid['status']);
        $this->assertSame(9900, (int) $paid['amount']);
        $this->assertStringStartsWith('SBX', $paid['tid']);
        $this->assertNotEmpty($paid['billkey']);
        $this->assertNotEmpty($paid['paid_at']);

        // The same post again (a reload, a replay): nothing changes, and the page says so.
        [$status, $headers, $page] = self::http('POST', $checkout['return_url'], $checkout['form_body']);
        $this->assertSame(200, $status);
        $this->assertSame('already-paid', $headers['x-payment-result']);
        $this->assertStringContainsString('아무것도 바꾸지 않았습니다', $page);
        $this->assertSame($paid, self::order($orderNo));
    }

    public function testADeclinedCardLeavesTheOrderPending(): void
    {
        [$orderNo, $checkout] = $this->checkoutAndPay(Sandbox::CARD_DECLINE_LIMIT);
        [$status, $headers, $page] = self::http('POST', $checkout['return_url'], $checkout['form_body']);
        $this->assertSame(200, $status);
        $this->assertSame('declined', $headers['x-payment-result']);
        $this->assertStringContainsString('한도초과', $page);
        $this->assertSame('pending', self::order($orderNo)['status']);
    }

    public function testAPaymentThatDoesNotMatchTheStoredOrderIsNotMarkedPaid(): void
    {
        [$orderNo, $checkout] = $this->checkoutAndPay(Sandbox::CARD_APPROVE, 'cookie-gift');
        // The shop's record says otherwise than CookiePay's (as after a tampered amount).
        self::db()->prepare('UPDATE orders SET amount = 100 WHERE orderno = ?')->execute([$orderNo]);

        [$status, $headers] = self::http('POST', $checkout['return_url'], $checkout['form_body']);
        $this->assertSame(409, $status);
        $this->assertSame('mismatch', $headers['x-payment-result']);
        $this->assertSame('pending', self::order($orderNo)['status']);
        $this->assertNull(self::order($orderNo)['tid']);
    }

    /**
     * Issue 11 item 3: a buyer paid but the browser never came back; someone who learnt the TID posts
     * the payment's fields in plaintext with their own BILLKEY. The order is marked paid only because
     * paycert confirms that payment for it, and the stored BILLKEY is never the attacker's.
     */
    public function testAForgedPlaintextPostWithARealTidNeverStoresItsBillkey(): void
    {
        [$orderNo, $checkout] = $this->checkoutAndPay(Sandbox::CARD_APPROVE, 'cookie-gift');
        $tid = Sandbox::client()->decrypt(\CookiePay\Client::parseReturn($checkout['form_body'])['ENC_DATA'])['TID'];
        [$otherOrder] = $this->checkoutAndPay(Sandbox::CARD_DECLINE_LIMIT, 'cookie-gift');
        $attacker = ['BILLKEY' => 'ATTACKERBILLKEY0123456789', 'ACCEPTNO' => '99999999', 'CARDNAME' => '공격카드'];

        // The review's case: the order is paid (paycert confirms it), with paycert's fields, no BILLKEY.
        $forged = ['RESULTCODE' => '0000', 'RESULTMSG' => 'ok', 'TID' => $tid, 'ORDERNO' => $orderNo, 'AMOUNT' => '25000'] + $attacker;
        [$status, $headers, $page] = self::http('POST', self::$shop . '/return.php', http_build_query($forged));
        $this->assertSame(200, $status, $page);
        $this->assertSame('paid', $headers['x-payment-result']);
        $this->assertNull(self::order($orderNo)['billkey'], 'a BILLKEY only a plaintext post carries is never stored');

        // The same TID claimed for another pending order of the same amount: paycert names the order
        // the payment belongs to, which is paid already; the other order stays pending.
        [$status, $headers, $page] = self::http('POST', self::$shop . '/return.php', http_build_query(['ORDERNO' => $otherOrder] + $forged));
        $this->assertSame(200, $status, $page);
        $this->assertSame('already-paid', $headers['x-payment-result']);
        $this->assertSame('pending', self::order($otherOrder)['status']);
        $paid = self::order($orderNo);
        $this->assertSame('paid', $paid['status']);
        $this->assertSame($tid, $paid['tid']);
        $this->assertNull($paid['billkey'], 'a BILLKEY only a plaintext post carries is never stored');
        $cert = Sandbox::client()->paycert($tid);
        $this->assertSame($cert['ACCEPTNO'], $paid['accept_no']);
        $this->assertSame($cert['CARDNAME'], $paid['card_name']);
        foreach (['billkey', 'accept_no', 'card_name'] as $column) {
            $this->assertNotContains($paid[$column], $attacker);
            $this->assertNull(self::order($otherOrder)[$column]);
        }

        // A TID CookiePay does not know, and a post that sets its own success: nothing changes.
        $unknown = http_build_query(['RESULTCODE' => '0000', 'TID' => 'SBX000000000000NONE', 'ORDERNO' => $otherOrder] + $attacker);
        [$status, $headers] = self::http('POST', self::$shop . '/return.php', $unknown);
        $this->assertSame(502, $status);
        $this->assertSame('error', $headers['x-payment-result']);
        [$status, $headers] = self::http('POST', self::$shop . '/return.php', 'RESULTCODE=9999&success=1&encrypted=0&TID=' . $tid);
        $this->assertSame(400, $status);
        $this->assertSame('invalid', $headers['x-payment-result']);
        $this->assertSame('pending', self::order($otherOrder)['status']);
        $this->assertSame($paid, self::order($orderNo));
    }

    public function testAPostThatIsNotFromCookiePayIsRefused(): void
    {
        [$status, $headers] = self::http('POST', self::$shop . '/return.php', 'hello=world');
        $this->assertSame(400, $status);
        $this->assertSame('invalid', $headers['x-payment-result']);
    }
}
