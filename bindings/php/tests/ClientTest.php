<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Native;
use CookiePay\Exception\HttpException;
use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/** Every method of Client against the sandbox, and the whole authenticated flow. */
final class ClientTest extends TestCase
{
    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    public function testVersionIsTheCoreCrateVersion(): void
    {
        $cargo = (string) file_get_contents(Sandbox::repoRoot() . '/Cargo.toml');
        $this->assertSame(1, preg_match('/^version = "([^"]+)"/m', $cargo, $m));
        $this->assertSame($m[1], Client::version());
    }

    public function testTheLibraryWasLoadedFromTheExplicitPath(): void
    {
        Support\Backends::requireFfi('which libcookiepay file FFI loaded');
        Sandbox::client();
        $this->assertSame(realpath(Sandbox::libraryPath()), Native::source());
    }

    public function testTokenIsCachedUntilForcedToRefresh(): void
    {
        $client = Sandbox::client();
        $first = $client->token();
        $this->assertFalse($first['cached']);
        $this->assertNotSame('', $first['TOKEN']);
        $this->assertGreaterThan(time(), $first['expires_at']);

        $second = $client->token();
        $this->assertTrue($second['cached']);
        $this->assertSame($first['TOKEN'], $second['TOKEN']);

        $forced = $client->token(true);
        $this->assertFalse($forced['cached']);
        $this->assertSame(2, Sandbox::stats()['requests']['token']['total']);
    }

    public function testReadyReturnsTheWindowHtml(): void
    {
        $order = Sandbox::order(['AMOUNT' => '12000']);
        $window = Sandbox::client()->ready($order);
        $this->assertStringContainsString('/pay/window/', $window['html']);
        $this->assertSame($order['ORDERNO'], $window['ORDERNO']);
        $this->assertEquals(12000, $window['AMOUNT']);
    }

    public function testTheWholeFlowReadyWindowReturnDecryptPaycertVerify(): void
    {
        $client = Sandbox::client();
        $order = Sandbox::order(['AMOUNT' => 15000, 'ETC1' => 'member-42']);
        $window = $client->ready($order);

        $checkout = Sandbox::checkout($window['html']);
        $post = $client->parseReturn($checkout['form_body']);
        $this->assertTrue($post['encrypted']);
        $this->assertTrue($post['success']);
        $this->assertSame(self::API_ID(), $post['API_ID']);
        $this->assertSame($checkout['fields']['ENC_DATA'], $post['ENC_DATA'], 'Base64 + and / survive the form encoding');

        $payment = $client->decrypt($post['ENC_DATA']);
        $this->assertSame('0000', $payment['RESULTCODE']);
        $this->assertSame($order['ORDERNO'], $payment['ORDERNO']);
        $this->assertSame('15000', $payment['AMOUNT']);
        $this->assertSame('member-42', $payment['ETC1']);
        $this->assertNotEmpty($payment['BILLKEY']);
        $this->assertSame($payment['ACCEPTNO'], $payment['ACCEPT_NO'], 'both spellings of the vendor');

        $cert = $client->paycert($payment['TID']);
        $this->assertSame($payment['TID'], $cert['TID']);
        $this->assertSame($order['ORDERNO'], $cert['ORDERNO']);
        $this->assertSame('15000', $cert['AMOUNT']);
        $this->assertSame($cert['PAYMETHOD'], $cert['PAY_METHOD']);

        $verified = $client->verify($payment['TID'], ['ORDERNO' => $order['ORDERNO'], 'AMOUNT' => 15000]);
        $this->assertSame($payment['TID'], $verified['TID']);
    }

    public function testKoreanAndEmojiRoundTrip(): void
    {
        $client = Sandbox::client();
        $text = [
            'PRODUCTNAME' => '쿠키🍪 정기구독 — 월간',
            'BUYERNAME' => '김철수😀',
            'ETC1' => '한글 👍🏽 emoji 𝄞 "quoted" \\ back/slash',
        ];
        $paid = Sandbox::pay($client, $text);
        $this->assertSame($text['ETC1'], $paid['payment']['ETC1']);

        $cert = $client->paycert($paid['payment']['TID']);
        $this->assertSame($text['PRODUCTNAME'], $cert['PRODUCTNAME']);
        $this->assertSame($text['BUYERNAME'], $cert['BUYERNAME']);

        // The Korean message of the window travels through the form encoding too.
        $this->assertSame('성공', Client::parseReturn($paid['form_body'])['RESULTMSG']);
    }

    public function testParseReturnDecodesPlusAndPercent2BRight(): void
    {
        $post = Client::parseReturn("API_ID=x&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5&ENC_DATA=ab%2Bc%2Fd+e%3D%3D\r\n");
        $this->assertSame('ab+c/d+e==', $post['ENC_DATA']);
        $this->assertSame('성공', $post['RESULTMSG']);
        $this->assertTrue($post['success']);

        $plain = Client::parseReturn('RESULTCODE=0000&TID=T1&ACCEPT_NO=123&PRODUCTNAME=a+b');
        $this->assertFalse($plain['encrypted']);
        $this->assertSame('123', $plain['ACCEPTNO']);
        $this->assertSame('a b', $plain['PRODUCTNAME']);
    }

    public function testParseReturnFromInputReadsTheRawBody(): void
    {
        $file = tempnam(sys_get_temp_dir(), 'cookiepay-input');
        file_put_contents($file, 'RESULTCODE=C001&RESULTMSG=%ED%95%9C%EB%8F%84%EC%B4%88%EA%B3%BC&ENC_DATA=a%2Bb');
        try {
            $post = Client::parseReturnFromInput($file);
        } finally {
            unlink($file);
        }
        $this->assertFalse($post['success']);
        $this->assertSame('한도초과', $post['RESULTMSG']);
        $this->assertSame('a+b', $post['ENC_DATA']);
    }

    public function testHttpsWithTheSandboxCaCertificate(): void
    {
        $client = Sandbox::client(['base_url' => Sandbox::$https, 'ca_cert_pem' => Sandbox::$caPem]);
        $this->assertNotSame('', $client->token()['TOKEN']);
    }

    public function testTheUserAgentNamesThisBinding(): void
    {
        $dir = Sandbox::tempDir('cookiepay-php-ua');
        $server = Processes::spawn(
            [PHP_BINARY, __DIR__ . '/Support/header-capture.php', "$dir/port", "$dir/head"],
            "$dir/log"
        );
        try {
            Processes::waitFor(function () use ($dir) {
                return is_file("$dir/port");
            }, $server, 'header-capture server', "$dir/log");
            $port = (int) file_get_contents("$dir/port");
            // A caller-supplied "binding" is replaced by the real one.
            $client = Sandbox::client(['base_url' => "http://127.0.0.1:$port", 'max_retries' => 0, 'binding' => 'other/1']);
            try {
                $client->token();
                $this->fail('the capture server answers 500');
            } catch (HttpException $e) {
                $this->assertSame(500, $e->getStatus());
            }
            $head = (string) file_get_contents("$dir/head");
            $this->assertMatchesRegularExpression(
                '/^user-agent: cookiepay\/' . preg_quote(Client::version(), '/') . ' php\/' . preg_quote(PHP_VERSION, '/') . '\r$/mi',
                $head
            );
        } finally {
            Processes::stop($server);
            Sandbox::removeTree($dir);
        }
    }

    public function testDebugOutputShowsNoKey(): void
    {
        $client = Sandbox::client();
        $dump = print_r($client, true) . var_export($client, true);
        ob_start();
        var_dump($client);
        $dump .= ob_get_clean();
        $this->assertStringContainsString(Sandbox::API_ID, print_r($client, true));
        $this->assertStringNotContainsString(Sandbox::API_KEY, $dump);
    }

    private static function API_ID(): string
    {
        return Sandbox::API_ID;
    }
}
