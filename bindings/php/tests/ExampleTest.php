<?php

namespace CookiePay\Tests;

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
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => "Content-Type: $type\r\n",
            'content' => $body,
            'ignore_errors' => true,
            'follow_location' => 0,
            'timeout' => 20,
        ]]);
        $answer = file_get_contents($url, false, $context);
        self::assertIsString($answer, "$method $url");
        $headers = [];
        foreach (array_slice($http_response_header, 1) as $line) {
            $parts = explode(':', $line, 2);
            if (count($parts) === 2) {
                $headers[strtolower(trim($parts[0]))] = trim($parts[1]);
            }
        }
        preg_match('/^HTTP\/\S+ (\d+)/', $http_response_header[0], $m);
        return [(int) $m[1], $headers, $answer];
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

    public function testAPostThatIsNotFromCookiePayIsRefused(): void
    {
        [$status, $headers] = self::http('POST', self::$shop . '/return.php', 'hello=world');
        $this->assertSame(400, $status);
        $this->assertSame('invalid', $headers['x-payment-result']);
    }
}
