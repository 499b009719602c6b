<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\HttpException;
use CookiePay\Exception\InvalidArgumentException;
use CookiePay\Exception\NetworkException;
use CookiePay\Exception\TimeoutException;
use CookiePay\Exception\ValidationException;
use CookiePay\Native;
use CookiePay\Tests\Support\Internals;
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

    /** Card data of billkeygen, distinctive enough not to turn up anywhere by chance. */
    const CARD = ['CARDNO' => '5555555555554444', 'EXPIREDT' => '2911', 'CARDAUTH' => '731224', 'CARDPWD' => '47'];

    /**
     * What must not show: the number (also its first 12 digits) and the birth date anywhere; the short
     * values (too short to search for alone) next to their field names, as json_encode, print_r,
     * var_export and var_dump would write them.
     */
    private static function cardSecrets(array $card): array
    {
        $secrets = [$card['CARDNO'], substr($card['CARDNO'], 0, 12)];
        if (strlen($card['CARDAUTH']) >= 6) {
            $secrets[] = $card['CARDAUTH'];
        }
        foreach ($card as $field => $value) {
            $secrets[] = "\"$field\":\"$value\"";
            $secrets[] = "[$field] => $value";
            $secrets[] = "'$field' => '$value'";
            $secrets[] = "[\"$field\"]=>\n" . '  string(' . strlen($value) . ") \"$value\"";
        }
        return $secrets;
    }

    /** What a careless shop prints: var_dump, print_r, var_export of the exception and the client. */
    private function assertDumpsHideCard(CookiePayException $e, Client $client, array $secrets): void
    {
        ob_start();
        var_dump($e, $client);
        $dump = ob_get_clean() . print_r($client, true) . var_export($e->getError(), true) . json_encode($e->getTrace());
        foreach ($secrets as $secret) {
            $this->assertFalse(strpos($dump, $secret) !== false, 'a card value is in a dump of ' . get_class($e));
        }
    }

    public function testBillkeygenValidationErrorsNameFieldsNotValues(): void
    {
        $client = Sandbox::client();
        $bad = ['CARDNO' => '4111111111111112', 'EXPIREDT' => '0101', 'CARDAUTH' => '73122', 'CARDPWD' => '471'];
        try {
            $client->billkeygen(Sandbox::subscription($bad));
            $this->fail('every card field is wrong');
        } catch (ValidationException $e) {
            $this->assertCount(4, $e->getFieldNames());
            $secrets = array_merge(self::cardSecrets($bad), [Sandbox::API_KEY]);
            $this->assertHidesSecrets($e, $secrets);
            $this->assertDumpsHideCard($e, $client, $secrets);
        }
    }

    public function testBillkeygenDeclinesAndNetworkErrorsCarryNoCardData(): void
    {
        $client = Sandbox::client(['max_retries' => 0, 'timeout_ms' => 400]);
        $secrets = array_merge(self::cardSecrets(self::CARD), [Sandbox::API_KEY]);

        $answer = $client->billkeygen(Sandbox::subscription(self::CARD));
        $this->assertTrue($answer['charged']);
        foreach ($secrets as $secret) {
            $this->assertFalse(strpos(json_encode($answer), $secret) !== false, 'a card value is in the answer');
        }

        $declined = ['CARDNO' => Sandbox::CARD_DECLINE_LIMIT] + self::CARD;
        try {
            $client->billkeygen(Sandbox::subscription($declined));
            $this->fail('declined');
        } catch (ApiException $e) {
            $this->assertHidesSecrets($e, array_merge(self::cardSecrets($declined), [Sandbox::API_KEY]));
            $this->assertDumpsHideCard($e, $client, self::cardSecrets($declined));
        }

        foreach (['reset' => NetworkException::class, 'delay' => TimeoutException::class, 'http_500' => HttpException::class] as $mode => $class) {
            Sandbox::fault('billkeygen', $mode, 1, ['delay_ms' => 2000]);
            try {
                $client->billkeygen(Sandbox::subscription(self::CARD));
                $this->fail("the $mode fault");
            } catch (CookiePayException $e) {
                $this->assertSame($class, get_class($e));
                $this->assertHidesSecrets($e, $secrets);
                $this->assertDumpsHideCard($e, $client, $secrets);
            }
        }
    }

    public function testAnUnencodableBillkeygenRequestHidesTheCard(): void
    {
        $client = Sandbox::client();
        try {
            $client->billkeygen(Sandbox::subscription(self::CARD + ['BUYERNAME' => "\xB1\xE8"]));
            $this->fail('not UTF-8');
        } catch (InvalidArgumentException $e) {
            $this->assertHidesSecrets($e, self::cardSecrets(self::CARD));
            $this->assertDumpsHideCard($e, $client, self::cardSecrets(self::CARD));
        }
    }

    /**
     * A shop's own function is never marked #[\SensitiveParameter] (and PHP 7.4-8.1 ignore the mark):
     * no frame of a CookiePay exception, nor of the exception it wraps, keeps its arguments.
     */
    public function testNoFrameKeepsItsArguments(): void
    {
        $this->assertSame('0', ini_get('zend.exception_ignore_args'), 'PHP itself keeps arguments here');
        $subscribe = function (array $card, string $apiKey) {
            Sandbox::client(['api_key' => $apiKey])->billkeygen(Sandbox::subscription($card));
        };
        $bad = ['CARDNO' => '4111111111111112'] + self::CARD;
        try {
            $subscribe($bad, self::WRONG_KEY);
            $this->fail('the card number fails its check digit');
        } catch (ValidationException $e) {
            $this->assertNoFrameHasArguments($e);
            $this->assertFalse(strpos(print_r($e, true), $bad['CARDNO']) !== false, 'the card is in print_r');
        }

        $wrapped = new \RuntimeException('inner');
        $e = new \CookiePay\Exception\LibraryException('outer', $wrapped);
        $this->assertNoFrameHasArguments($e);
        $this->assertNoFrameHasArguments($wrapped);
    }

    private function assertNoFrameHasArguments(\Throwable $e): void
    {
        $this->assertNotEmpty($e->getTrace());
        foreach ($e->getTrace() as $i => $frame) {
            $this->assertArrayNotHasKey('args', $frame, "frame $i of " . get_class($e));
        }
    }

    /**
     * PHP before 8.2 ignores #[\SensitiveParameter] and shows a parameter's current value in traces:
     * the binding overwrites the card values it was given once the library has them.
     */
    public function testTheCardIsOverwrittenForOlderPhp(): void
    {
        $redacted = Native::redactCard(self::CARD + ['cardno' => '4111111111111111', 'AMOUNT' => 9900]);
        $this->assertSame(9900, $redacted['AMOUNT']);
        foreach (['CARDNO', 'EXPIREDT', 'CARDAUTH', 'CARDPWD', 'cardno'] as $field) {
            $this->assertSame('[redacted]', $redacted[$field]);
        }

        $json = Native::encode(Sandbox::subscription(self::CARD));
        $client = Sandbox::client();
        $answer = Internals::property(Client::class, 'backend')->getValue($client)->callSensitive('cookiepay_billkeygen', $json);
        $this->assertTrue($answer['charged']);
        $this->assertSame('', $json, 'the JSON with the card is gone from the caller\'s variable');
    }

    /** Canary: the patterns above do find the card in every dump of the raw request. */
    public function testTheCardPatternsSeeARawRequest(): void
    {
        $request = Sandbox::subscription(self::CARD);
        ob_start();
        var_dump($request);
        $dumps = ['json' => json_encode($request), 'print_r' => print_r($request, true),
            'var_export' => var_export($request, true), 'var_dump' => ob_get_clean()];
        foreach ($dumps as $how => $dump) {
            foreach (['EXPIREDT', 'CARDPWD'] as $field) {
                $single = self::cardSecrets(['CARDNO' => '', 'CARDAUTH' => '', $field => self::CARD[$field]]);
                $seen = array_filter($single, function ($secret) use ($dump, $field) {
                    return $secret !== '' && strpos($dump, $secret) !== false && strpos($secret, self::CARD[$field]) !== false;
                });
                $this->assertNotEmpty($seen, "$field in $how");
            }
        }
    }
}
