<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\HttpException;
use CookiePay\Exception\NetworkException;
use CookiePay\Exception\ValidationException;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * No API key, TOKEN or card data in any exception: message, error JSON, string form, or a dump of
 * the exception with its trace arguments (phpunit.xml turns zend.exception_ignore_args off).
 */
final class SecretsTest extends TestCase
{
    const WRONG_KEY = 'sbxkey_WRONG_but_still_secret_0123456789abcdef';

    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    private function assertHidesSecrets(CookiePayException $e, array $secrets): void
    {
        $views = [
            'message' => $e->getMessage(),
            'error JSON' => $e->getErrorJson(),
            'error array' => var_export($e->getError(), true),
            'string with trace' => (string) $e,
            'print_r' => print_r($e, true),
            'trace arguments' => self::traceArguments($e),
        ];
        $this->assertStringContainsString('Client', $views['trace arguments'] . $views['string with trace']);
        foreach ($views as $view => $text) {
            foreach ($secrets as $secret) {
                // Not assertStringNotContainsString: its failure message would print the whole dump.
                $this->assertFalse(strpos($text, $secret) !== false, "a secret is in the $view of " . get_class($e));
            }
        }
    }

    /** What a logger that serializes getTrace() would write: every frame's arguments. */
    private static function traceArguments(CookiePayException $e): string
    {
        $out = '';
        foreach ($e->getTrace() as $frame) {
            $out .= (isset($frame['class']) ? $frame['class'] . '::' : '') . $frame['function'] . ' ';
            foreach (isset($frame['args']) ? $frame['args'] : [] as $arg) {
                $out .= is_object($arg) ? get_class($arg) : (string) json_encode($arg, JSON_PARTIAL_OUTPUT_ON_ERROR | JSON_UNESCAPED_UNICODE);
                $out .= ' ';
            }
            $out .= "\n";
        }
        return $out;
    }

    public function testABadConfigDoesNotEchoTheKey(): void
    {
        try {
            new Client(Sandbox::config(['api_key' => self::WRONG_KEY, 'timeout_ms' => -1]));
            $this->fail('timeout_ms -1 is out of range');
        } catch (ValidationException $e) {
            $this->assertSame(['timeout_ms'], $e->getFieldNames());
            $this->assertHidesSecrets($e, [self::WRONG_KEY]);
        }

        // A key with a space is refused; the message names the field, not the value.
        try {
            new Client(Sandbox::config(['api_key' => 'secret with space 123456']));
            $this->fail('a key with a space is refused');
        } catch (ValidationException $e) {
            $this->assertSame(['api_key'], $e->getFieldNames());
            $this->assertHidesSecrets($e, ['secret with space 123456']);
        }
    }

    public function testARejectedKeyIsNotInTheApiError(): void
    {
        try {
            Sandbox::client(['api_key' => self::WRONG_KEY])->token();
            $this->fail('the sandbox refuses a wrong key');
        } catch (ApiException $e) {
            $this->assertSame('E004', $e->getApiCode());
            $this->assertHidesSecrets($e, [self::WRONG_KEY]);
        }
    }

    public function testNetworkErrorsHideTheKey(): void
    {
        $port = Sandbox::freePort();
        try {
            Sandbox::client(['base_url' => "http://127.0.0.1:$port", 'max_retries' => 0])->token();
            $this->fail('nobody listens there');
        } catch (NetworkException $e) {
            $this->assertHidesSecrets($e, [Sandbox::API_KEY]);
        }
    }

    public function testTheTokenIsNotInLaterErrors(): void
    {
        $client = Sandbox::client(['max_retries' => 0]);
        $token = $client->token()['TOKEN'];
        $this->assertGreaterThan(20, strlen($token));
        try {
            $client->paycert('SBX000000000000NONE');
            $this->fail('unknown TID');
        } catch (ApiException $e) {
            $this->assertHidesSecrets($e, [$token, Sandbox::API_KEY]);
        }
        Sandbox::fault('paycert', 'http_500', 1);
        try {
            $client->paycert('SBX000000000000NONE');
            $this->fail('the fault answers 500');
        } catch (HttpException $e) {
            $this->assertHidesSecrets($e, [$token, Sandbox::API_KEY]);
        }
    }

    public function testCardDataNeverComesBack(): void
    {
        $client = Sandbox::client();
        $paid = Sandbox::pay($client);
        $everything = json_encode($paid['payment']) . json_encode($client->paycert($paid['payment']['TID']));
        $this->assertStringNotContainsString(Sandbox::CARD_APPROVE, $everything);

        $declined = Sandbox::pay($client, [], Sandbox::CARD_DECLINE_LIMIT);
        try {
            $client->decrypt(Client::parseReturn($declined['form_body'])['ENC_DATA']);
            $this->fail('the card was declined');
        } catch (ApiException $e) {
            $this->assertHidesSecrets($e, [Sandbox::CARD_DECLINE_LIMIT, '900101', Sandbox::API_KEY]);
        }
    }
}
