<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\DecodeException;
use CookiePay\Exception\HttpException;
use CookiePay\Exception\InternalException;
use CookiePay\Exception\InvalidArgumentException;
use CookiePay\Exception\LibraryException;
use CookiePay\Exception\NetworkException;
use CookiePay\Exception\TimeoutException;
use CookiePay\Exception\ValidationException;
use CookiePay\Exception\VerificationException;
use CookiePay\Native;
use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/** Every error kind reaches PHP as its own exception class with its fields. */
final class ExceptionsTest extends TestCase
{
    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    /**
     * @template T of CookiePayException
     * @param class-string<T> $class
     * @return T
     */
    private function expectThrown(string $class, callable $call): CookiePayException
    {
        try {
            $call();
        } catch (CookiePayException $e) {
            $this->assertSame($class, get_class($e), $e->getMessage());
            $this->assertSame($e->getKind(), json_decode($e->getErrorJson(), true)['kind']);
            $this->assertSame($e->getMessage(), $e->getError()['message']);
            return $e;
        }
        $this->fail("expected $class");
    }

    public function testInvalidArgument(): void
    {
        $e = $this->expectThrown(InvalidArgumentException::class, function () {
            Client::parseReturn('   ');
        });
        $this->assertSame('invalid_argument', $e->getKind());

        // A closed client reaches the core as NULL.
        $client = Sandbox::client();
        $client->close();
        $client->close();
        $e = $this->expectThrown(InvalidArgumentException::class, function () use ($client) {
            $client->token();
        });
        $this->assertStringContainsString('NULL', $e->getMessage());

        // Text that is not UTF-8 cannot become JSON: refused before the core.
        $this->expectThrown(InvalidArgumentException::class, function () {
            Sandbox::client()->ready(Sandbox::order(['BUYERNAME' => "\xB1\xE8"]));
        });
        $this->expectThrown(InvalidArgumentException::class, function () {
            Client::parseReturn("RESULTCODE=0000\0&ENC_DATA=x");
        });
    }

    /**
     * Issue 11 item 2: the post comes from the buyer's browser, so it cannot vote on its own success.
     * The same crafted posts give the same answer in the C#, Java and PHP suites: the core decides,
     * the binding hands it every byte with the length (a NUL is not cut, nor refused by PHP itself).
     */
    public function testAReturnPostCannotSetItsOwnSuccess(): void
    {
        $crafted = [
            'RESULTCODE=9999&success=false' => 'the return post carries a field named success: not a CookiePay return post',
            'RESULTCODE=9999&success=1&encrypted=0' => 'the return post carries a field named encrypted: not a CookiePay return post',
            "RESULTCODE=0000&TID=T1\0&ENC_DATA=x" => 'the return body contains a NUL byte',
            "RESULTCODE=0000\0" => 'the return body contains a NUL byte',
        ];
        foreach ($crafted as $body => $message) {
            $e = $this->expectThrown(InvalidArgumentException::class, function () use ($body) {
                Client::parseReturn($body);
            });
            $this->assertSame($message, $e->getMessage(), json_encode($body));
        }

        // A decline computes the boolean false, never a string that PHP would take for true.
        $declined = Client::parseReturn('RESULTCODE=9999&RESULTMSG=x');
        $this->assertFalse($declined['success']);
        $this->assertFalse($declined['encrypted']);
        $this->assertSame('9999', $declined['RESULTCODE']);
    }

    public function testValidationListsEveryField(): void
    {
        $e = $this->expectThrown(ValidationException::class, function () {
            new Client(['lib_path' => Sandbox::libraryPath(), 'env' => 'prod', 'timeout_ms' => 0]);
        });
        $this->assertSame('validation', $e->getKind());
        foreach (['env', 'timeout_ms', 'api_id', 'api_key'] as $field) {
            $this->assertContains($field, $e->getFieldNames());
        }

        $e = $this->expectThrown(ValidationException::class, function () {
            Sandbox::client()->ready(['ORDERNO' => 'A-1', 'AMOUNT' => '12a', 'PRODUCTNAME' => 'a & b']);
        });
        $names = $e->getFieldNames();
        foreach (['AMOUNT', 'PRODUCTNAME', 'BUYERNAME', 'RETURNURL'] as $field) {
            $this->assertContains($field, $names);
        }
        $this->assertSame(['field', 'rule', 'message'], array_keys($e->getFields()[0]));
        $this->assertSame(0, Sandbox::stats()['requests']['ready']['total'], 'nothing was sent');

        // The message alone says what to fix: each field with its rule (as getFields() does), no value.
        foreach ($e->getFields() as $i => $f) {
            if ($i < 5) {
                $this->assertStringContainsString($f['field'] . ' (' . $f['rule'], $e->getMessage());
            }
        }
        $this->assertStringStartsWith(count($e->getFields()) . ' fields failed validation: ', $e->getMessage());
        $this->assertStringNotContainsString('12a', $e->getMessage());
        $this->assertStringNotContainsString('a & b', $e->getMessage());

        // A misspelt option is named with the option it is nearest to.
        $e = $this->expectThrown(ValidationException::class, function () {
            new Client(['lib_path' => Sandbox::libraryPath(), 'env' => 'sandbox', 'api_id' => 'a', 'api_key' => 'k1234', 'timout_ms' => 100]);
        });
        $this->assertSame('1 field failed validation: timout_ms (unknown; did you mean timeout_ms?)', $e->getMessage());

        $this->expectThrown(ValidationException::class, function () {
            Client::parseReturn('hello=world');
        });
    }

    /** `catch (CookiePayException $e) { if ($e->isOutcomeUnknown()) … }` works for every kind. */
    public function testEveryExceptionAnswersWhetherTheOutcomeIsUnknown(): void
    {
        try {
            Sandbox::client()->ready(['ORDERNO' => 'A-1', 'AMOUNT' => '12a']);
            $this->fail('expected a validation error');
        } catch (CookiePayException $e) {
            $this->assertInstanceOf(ValidationException::class, $e);
            $this->assertFalse($e->isOutcomeUnknown());
            $this->assertSame('', $e->getOutcome());
        }
        foreach (array_keys(CookiePayException::KIND_CLASSES) as $kind) {
            $e = CookiePayException::fromError(['kind' => $kind, 'message' => 'm', 'outcome' => 'unknown']);
            $this->assertTrue($e->isOutcomeUnknown(), $kind);
        }
        $this->assertFalse((new LibraryException('m'))->isOutcomeUnknown());
    }

    public function testApiErrorsCarryCodeAndResponse(): void
    {
        $e = $this->expectThrown(ApiException::class, function () {
            Sandbox::client(['api_key' => 'sbxkey_wrong_wrong_wrong'])->token();
        });
        $this->assertSame('E004', $e->getApiCode());
        $this->assertNotSame('', $e->getApiMessage());
        $this->assertSame('E004', $e->getResponse()['RTN_CD']);

        $e = $this->expectThrown(ApiException::class, function () {
            Sandbox::client()->paycert('SBX000000000000NONE');
        });
        $this->assertSame('E022', $e->getApiCode());
        $this->assertNull($e->getLayer());

        $e = $this->expectThrown(ApiException::class, function () {
            Sandbox::client()->decrypt('bm90IHJlYWxseSBlbmNyeXB0ZWQ=');
        });
        $this->assertSame('outer', $e->getLayer());
    }

    public function testADeclinedCardIsAnInnerApiError(): void
    {
        $client = Sandbox::client();
        $paid = Sandbox::pay($client, [], Sandbox::CARD_DECLINE_LIMIT);
        $post = Client::parseReturn($paid['form_body']);
        $this->assertFalse($post['success']);
        $this->assertSame('C001', $post['RESULTCODE']);

        $e = $this->expectThrown(ApiException::class, function () use ($client, $post) {
            $client->decrypt($post['ENC_DATA']);
        });
        $this->assertSame('inner', $e->getLayer());
        $this->assertSame('C001', $e->getApiCode());
        $this->assertSame('한도초과', $e->getApiMessage());
    }

    public function testVerificationFailedListsMismatchesAndCancellation(): void
    {
        $client = Sandbox::client();
        $paid = Sandbox::pay($client, ['AMOUNT' => 9900]);
        $tid = $paid['payment']['TID'];

        $e = $this->expectThrown(VerificationException::class, function () use ($client, $tid, $paid) {
            $client->verify($tid, ['ORDERNO' => $paid['order']['ORDERNO'], 'AMOUNT' => 99000]);
        });
        $this->assertSame([['field' => 'AMOUNT', 'expected' => 99000, 'actual' => '9900']], $e->getMismatches());
        $this->assertSame($tid, $e->getPayment()['TID']);

        Sandbox::cancel($tid);
        $e = $this->expectThrown(VerificationException::class, function () use ($client, $tid, $paid) {
            $client->verify($tid, ['ORDERNO' => $paid['order']['ORDERNO'], 'AMOUNT' => 9900]);
        });
        $this->assertNotSame('', $e->getPayment()['CANCELDATE']);
    }

    public function testNetworkErrorsSayWhichPhase(): void
    {
        // Its sockets go through Node: a refused connection shows only when the answer is read.
        Support\Backends::requireNativePhp('a refused connection is reported as phase "read", not "connect"');
        $closed = Sandbox::freePort();
        $e = $this->expectThrown(NetworkException::class, function () use ($closed) {
            Sandbox::client(['base_url' => "http://127.0.0.1:$closed", 'max_retries' => 0])->token();
        });
        $this->assertSame('connect', $e->getPhase());
        $this->assertSame('not_applied', $e->getOutcome());
        $this->assertFalse($e->isOutcomeUnknown());

        // HTTPS without the sandbox's CA: the handshake is refused.
        $e = $this->expectThrown(NetworkException::class, function () {
            Sandbox::client(['base_url' => Sandbox::$https, 'max_retries' => 0])->token();
        });
        $this->assertSame('tls', $e->getPhase());

        Sandbox::fault('paycert', 'reset', 1);
        $client = Sandbox::client(['max_retries' => 0]);
        $client->token();
        $e = $this->expectThrown(NetworkException::class, function () use ($client) {
            $client->paycert('SBX000000000000NONE');
        });
        $this->assertSame('read', $e->getPhase());
    }

    public function testTimeoutSaysWhetherTheOutcomeIsUnknown(): void
    {
        $client = Sandbox::client(['timeout_ms' => 300, 'max_retries' => 0]);
        $client->token();
        Sandbox::fault('paycert', 'delay', 1, ['delay_ms' => 2000]);
        $e = $this->expectThrown(TimeoutException::class, function () use ($client) {
            $client->paycert('SBX000000000000NONE');
        });
        $this->assertSame('not_applied', $e->getOutcome());

        Sandbox::fault('ready', 'delay', 1, ['delay_ms' => 2000]);
        $e = $this->expectThrown(TimeoutException::class, function () use ($client) {
            $client->ready(Sandbox::order());
        });
        $this->assertSame('unknown', $e->getOutcome());
        $this->assertTrue($e->isOutcomeUnknown());
    }

    public function testHttpErrorKeepsStatusAndExcerpt(): void
    {
        $client = Sandbox::client(['max_retries' => 0]);
        $client->token();
        Sandbox::fault('paycert', 'http_500', 1);
        $e = $this->expectThrown(HttpException::class, function () use ($client) {
            $client->paycert('SBX000000000000NONE');
        });
        $this->assertSame(500, $e->getStatus());
        $this->assertStringContainsString('text/html', (string) $e->getContentType());
        $this->assertStringContainsString('Internal Server Error', $e->getExcerpt());
    }

    public function testDecodeErrorKeepsTheExcerpt(): void
    {
        $client = Sandbox::client(['max_retries' => 0]);
        $client->token();
        Sandbox::fault('paycert', 'invalid_json', 1);
        $e = $this->expectThrown(DecodeException::class, function () use ($client) {
            $client->paycert('SBX000000000000NONE');
        });
        $this->assertStringContainsString('RESULTCODE', $e->getExcerpt());
    }

    /** No call can make the core fail internally on purpose: the mapping is checked on its envelope. */
    public function testInternalAndUnknownKindsFromTheEnvelope(): void
    {
        $e = $this->expectThrown(InternalException::class, function () {
            Native::unwrap('{"ok":false,"error":{"kind":"internal","message":"internal error: caught"}}');
        });
        $this->assertSame('internal', $e->getKind());

        $e = $this->expectThrown(CookiePayException::class, function () {
            Native::unwrap('{"ok":false,"error":{"kind":"from_the_future","message":"new","extra":{}}}');
        });
        $this->assertSame('from_the_future', $e->getKind());
        $this->assertSame('{"kind":"from_the_future","message":"new","extra":{}}', $e->getErrorJson());

        $this->expectThrown(InternalException::class, function () {
            Native::unwrap('not json');
        });
    }

    public function testEveryKindOfTheCoreHasItsClass(): void
    {
        $readme = (string) file_get_contents(Sandbox::repoRoot() . '/README.md');
        $this->assertSame(1, preg_match('/^### Error kinds\n(.*?)\n###/ms', $readme, $section));
        $this->assertGreaterThan(0, preg_match_all('/^\| `([a-z_]+)` \|/m', $section[1], $m));
        $kinds = array_values(array_diff($m[1], ['kind']));
        $this->assertEqualsCanonicalizing($kinds, array_keys(CookiePayException::KIND_CLASSES));
        foreach (CookiePayException::KIND_CLASSES as $class) {
            $this->assertTrue(is_subclass_of($class, CookiePayException::class));
        }
    }

    public function testAMissingLibraryNamesWhatWasTried(): void
    {
        Support\Backends::requireFfi('how the FFI backend reports a missing libcookiepay');
        $script = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
            . 'try { new CookiePay\Client(["lib_path" => "/nonexistent/libcookiepay.so"]); }'
            . 'catch (CookiePay\Exception\LibraryException $e) { echo $e->getKind(), "|", $e->getMessage(); }';
        [$code, $out] = Processes::run([PHP_BINARY, '-r', $script]);
        $this->assertSame(0, $code);
        $this->assertStringStartsWith('library|libcookiepay not found', $out);
        $this->assertStringContainsString('/nonexistent/libcookiepay.so', $out);
    }

    /** ffi.enable=0 (or preload outside the CLI, see FpmTest) and a PHP without the FFI extension. */
    public function testRestrictedOrMissingFfiNamesThePhpIniSetting(): void
    {
        Support\Backends::requireFfi('how the FFI backend, when asked for, reports FFI off (auto falls back: BackendTest)');
        $script = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
            . 'try { CookiePay\Client::version(); echo "loaded"; }'
            . 'catch (CookiePay\Exception\LibraryException $e) { echo get_class($e), "|", $e->getMessage(); }';
        $env = ['COOKIEPAY_LIB' => Sandbox::libraryPath(), 'PATH' => (string) getenv('PATH'), 'COOKIEPAY_PHP_BACKEND' => 'ffi'];

        [$code, $out] = Processes::run([PHP_BINARY, '-d', 'ffi.enable=0', '-r', $script], $env);
        $this->assertSame(0, $code, $out);
        $this->assertStringStartsWith(LibraryException::class . '|PHP FFI is restricted', $out);
        $this->assertStringContainsString('ffi.enable=true', $out);
        $this->assertStringContainsString('opcache.preload', $out);

        // -n: no php.ini and no conf.d, so Debian's extension=ffi line is not read.
        [$code, $out] = Processes::run([PHP_BINARY, '-n', '-r', $script], $env);
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('extension=ffi', $out);

        [$code, $out] = Processes::run([PHP_BINARY, '-r', $script], $env);
        $this->assertSame('loaded', $out, 'the CLI may use FFI with the default ffi.enable=preload');
    }
}
