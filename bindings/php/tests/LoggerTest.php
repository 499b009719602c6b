<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\ValidationException;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * The config's "logger" (issue 22, item 5): any PSR-3 logger, duck-typed, on both backends; one
 * record per HTTP exchange and never a secret in it.
 */
final class LoggerTest extends TestCase
{
    /** A PSR-3 logger as far as the binding can tell: an object with log(). */
    private static function logger(bool $throws = false)
    {
        return new class ($throws) {
            /** @var array[] */
            public $records = [];
            /** @var bool */
            private $throws;

            public function __construct(bool $throws)
            {
                $this->throws = $throws;
            }

            public function log($level, $message, array $context = []): void
            {
                $this->records[] = ['level' => $level, 'message' => (string) $message, 'context' => $context];
                if ($this->throws) {
                    throw new \RuntimeException('logger down');
                }
            }
        };
    }

    public function testEveryExchangeIsLoggedWithoutASecret(): void
    {
        $logger = self::logger();
        $config = Sandbox::config(['logger' => $logger]);
        $client = new Client($config);
        $request = Sandbox::subscription();
        $signUp = $client->billkeygen($request);
        $charge = $client->recurringCharge($signUp['RESERVE_ID'], $signUp['BILLKEY']);
        $this->assertSame('0000', $charge['RESULTCODE']);
        $token = $client->token()['TOKEN'];

        $charges = array_values(array_filter($logger->records, static function (array $r): bool {
            return $r['context']['operation'] === 'recurring_charge'
                && $r['context']['path'] === '/Subscribe/recurrence_request_payment';
        }));
        $this->assertCount(1, $charges, 'one record per exchange: ' . json_encode($logger->records));
        $record = $charges[0]['context'];
        $this->assertSame('info', $charges[0]['level']);
        $this->assertSame('POST', $record['method']);
        $this->assertSame(200, $record['status']);
        $this->assertSame(1, $record['attempt']);
        $this->assertSame('answered', $record['outcome']);
        $this->assertIsInt($record['duration_ms']);
        $this->assertFalse($record['may_have_taken_effect']);
        $this->assertSame(
            ['operation', 'method', 'path', 'status', 'duration_ms', 'attempt', 'outcome', 'may_have_taken_effect'],
            array_keys($record)
        );
        $this->assertStringStartsWith('cookiepay recurring_charge POST /Subscribe/recurrence_request_payment -> 200 in ', $charges[0]['message']);
        $operations = array_unique(array_map(static function (array $r): string {
            return $r['context']['operation'];
        }, $logger->records));
        $this->assertContains('billkeygen', $operations);

        $all = json_encode($logger->records);
        foreach ([$config['api_key'], $token, $signUp['BILLKEY'], $request['CARDNO'], $request['CARDAUTH']] as $secret) {
            $this->assertStringNotContainsString($secret, $all);
        }
        $this->assertStringNotContainsString('CARD', $all);
    }

    public function testAFailingLoggerBreaksNoCallAndAnAttemptIsNumbered(): void
    {
        $logger = self::logger(true);
        $client = new Client(Sandbox::config(['logger' => $logger]));
        $this->assertNotSame('', $client->token(true)['TOKEN']);
        $this->assertCount(1, $logger->records);
        $this->assertSame('token', $logger->records[0]['context']['operation']);
        $this->assertSame(1, $logger->records[0]['context']['attempt']);
    }

    /** Both backends number attempts and say what a lost answer means alike (transport.rs post_each). */
    public function testRetriedAttemptsAndALostAnswerAreEachARecord(): void
    {
        Sandbox::reset();
        $logger = self::logger();
        $client = new Client(Sandbox::config(['logger' => $logger, 'retry_base_delay_ms' => 10, 'retry_max_delay_ms' => 50]));
        $paid = Sandbox::pay($client, ['AMOUNT' => 1000]);
        $this->assertNotSame('', $paid['payment']['TID'] ?? '');
        $client->token();
        $logger->records = [];
        Sandbox::fault('paycert', 'http_500', 2);
        $client->paycert($paid['payment']['TID']);
        $seen = array_map(static function (array $r): array {
            return [$r['context']['operation'], $r['context']['attempt'], $r['context']['status'], $r['level']];
        }, $logger->records);
        $this->assertSame([
            ['paycert', 1, 500, 'warning'],
            ['paycert', 2, 500, 'warning'],
            ['paycert', 3, 200, 'info'],
        ], $seen);

        $logger->records = [];
        Sandbox::fault('ready', 'reset', 1);
        try {
            $client->ready(Sandbox::order());
            $this->fail('a reset connection is an error');
        } catch (\CookiePay\Exception\NetworkException $e) {
        }
        $this->assertCount(1, $logger->records, 'sent once');
        $record = $logger->records[0]['context'];
        $this->assertSame(['ready', null, 'network', true], [$record['operation'], $record['status'], $record['outcome'], $record['may_have_taken_effect']]);
        Sandbox::reset();
    }

    /** Each client's exchanges go to its own logger, also after other clients came and went. */
    public function testTwoClientsEachLogToTheirOwnLogger(): void
    {
        $first = self::logger();
        $second = self::logger();
        $a = new Client(Sandbox::config(['logger' => $first]));
        $gone = new Client(Sandbox::config(['logger' => self::logger()]));
        $gone->close();
        $b = new Client(Sandbox::config(['logger' => $second]));
        $a->token(true);
        $b->token(true);
        $b->token(true);
        $this->assertCount(1, $first->records);
        $this->assertCount(2, $second->records);
        $a->close();
        $b->token(true);
        $this->assertCount(1, $first->records);
        $this->assertCount(3, $second->records);
    }

    /**
     * PHP FFI frees the C callbacks it made only when the request (a CLI worker: the process) ends:
     * a worker that opens a client with a logger per job must not grow by one callback a client.
     */
    public function testManyLoggedClientsKeepMemoryFlat(): void
    {
        $config = Sandbox::config(['logger' => self::logger()]);
        for ($i = 0; $i < 50; $i++) {
            (new Client($config))->close();
        }
        gc_collect_cycles();
        $before = memory_get_usage();
        for ($i = 0; $i < 2000; $i++) {
            (new Client($config))->close();
        }
        gc_collect_cycles();
        $growth = memory_get_usage() - $before;
        $this->assertLessThan(256 * 1024, $growth, "2000 logged clients grew PHP's memory by $growth bytes");
    }

    public function testALoggerWithoutLogIsAValidationError(): void
    {
        try {
            new Client(Sandbox::config(['logger' => 'php://stderr']));
            $this->fail('accepted a string as the logger');
        } catch (ValidationException $e) {
            $this->assertSame(['logger'], $e->getFieldNames());
        }
    }

    public function testAnUnknownKeyIsStillRefused(): void
    {
        $this->expectException(ValidationException::class);
        new Client(Sandbox::config(['loger' => self::logger()]));
    }
}
