<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\CookiePayException;
use CookiePay\Native;
use CookiePay\Tests\Support\Backends;
use CookiePay\Tests\Support\Internals;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * The contract vectors (tests/vectors/*.json, format in its README), replayed through CookiePay\Client
 * on the backend of this run against the sandbox's replay server. One test per vector, named by it.
 *
 * Requests go through Client's public methods when the request is one they can express exactly
 * (typed arguments); otherwise (a number where a string is due, an extra key) the JSON goes to the
 * client's backend unchanged, as the C ABI would take it.
 */
final class VectorsTest extends TestCase
{
    protected function tearDown(): void
    {
        // Disarm: the other tests use the same sandbox as CookiePay.
        Sandbox::request('DELETE', '/_sandbox/replay', null);
    }

    /** @var array file => its vectors by name, read once */
    private static $loaded = [];

    /**
     * Names only: PHPUnit keeps the provided data in the suite, and SecretsTest dumps traces that
     * reach the suite (the vectors hold the same test cards).
     */
    public function vectors(): array
    {
        $out = [];
        $files = glob(Sandbox::repoRoot() . '/tests/vectors/*.json') ?: [];
        sort($files);
        foreach ($files as $file) {
            foreach (self::load(basename($file)) as $name => $vector) {
                $out[$name] = [basename($file), $name];
            }
        }
        return $out;
    }

    private static function load(string $file): array
    {
        if (!isset(self::$loaded[$file])) {
            $doc = json_decode((string) file_get_contents(Sandbox::repoRoot() . '/tests/vectors/' . $file));
            self::$loaded[$file] = [];
            foreach ($doc->vectors as $vector) {
                self::$loaded[$file][$vector->name] = $vector;
            }
        }
        return self::$loaded[$file];
    }

    public function testThereAreVectors(): void
    {
        $this->assertGreaterThan(10, count($this->vectors()));
    }

    /** @dataProvider vectors */
    public function testVector(string $file, string $name): void
    {
        $vector = self::load($file)[$name];
        $where = sprintf('[%s backend] vector %s (%s)', Backends::name(), $vector->name, $file);
        Sandbox::request('POST', '/_sandbox/replay', self::json(['gateway' => isset($vector->gateway) ? $vector->gateway : []]));

        $client = null;
        $results = [];
        foreach ($vector->steps as $i => $step) {
            $call = $step->call;
            $got = null;
            try {
                if ($call === 'new_client') {
                    $client = $this->newClient($vector);
                    $got = ['ok' => true, 'data' => []];
                } elseif ($call === 'parse_return') {
                    $got = ['ok' => true, 'data' => Client::parseReturn((string) $step->request->body)];
                } elseif ($call === 'parse_noti') {
                    $got = ['ok' => true, 'data' => Client::parseNoti((string) $step->request->body)];
                } else {
                    if ($client === null) {
                        $client = $this->newClient($vector);
                    }
                    $got = ['ok' => true, 'data' => self::callThrough($client, $call, $step->request)];
                }
            } catch (CookiePayException $e) {
                $got = ['ok' => false, 'error' => $e->getError(), 'message' => $e->getMessage(), 'json' => $e->getErrorJson()];
            }
            $results[] = $got;
            $problem = self::subset(self::plain($step->expect), ['ok' => $got['ok']] + ($got['ok'] ? ['data' => $got['data']] : ['error' => $got['error']]), 'expect');
            $this->assertNull($problem, "$where, step $i ($call): $problem\ngot " . self::json($got));
        }

        $record = Sandbox::request('GET', '/_sandbox/replay', null);
        if (isset($vector->sent)) {
            $sent = $record['requests'];
            $this->assertCount(count($vector->sent), $sent, "$where: requests sent\n" . self::json(array_column($sent, 'path')));
            foreach ($vector->sent as $j => $want) {
                $got = $sent[$j];
                $this->assertSame($want->path, $got['path'], "$where: request $j's path");
                $actual = ['path' => $got['path'], 'method' => $got['method'], 'headers' => $got['headers']];
                $json = json_decode($got['body'], true);
                if (json_last_error() === JSON_ERROR_NONE) {
                    $actual['json'] = $json;
                }
                $actual['form'] = self::form($got['body']);
                $problem = self::subset(self::plain($want), $actual, "sent[$j]");
                $this->assertNull($problem, "$where: $problem\nsent " . self::json($got));
            }
            $this->assertSame(0, $record['remaining'], "$where: gateway answers left unused");
        }

        foreach (isset($vector->secrets) ? $vector->secrets : [] as $secret) {
            foreach ($results as $i => $got) {
                $text = self::json($got) . print_r($got, true);
                $this->assertFalse(strpos($text, $secret) !== false, "$where: a secret is in the result of step $i");
            }
        }
    }

    private function newClient(\stdClass $vector): Client
    {
        $config = self::plain(isset($vector->config) ? $vector->config : new \stdClass());
        $config['base_url'] = Sandbox::$http;
        $config['shared'] = false;
        $config['lib_path'] = Sandbox::libraryPath();
        return new Client($config);
    }

    /** One operation: through the public method that expresses the request exactly, else the backend. */
    private static function callThrough(Client $client, string $call, \stdClass $request): array
    {
        $r = get_object_vars($request);
        $only = function (array $keys) use ($r): bool {
            return array_diff(array_keys($r), $keys) === [];
        };
        $strings = function (array $keys) use ($r): bool {
            foreach ($keys as $k) {
                if (!isset($r[$k]) || !is_string($r[$k])) {
                    return false;
                }
            }
            return true;
        };
        switch ($call) {
            case 'token':
                if ($only(['force_refresh']) && (!isset($r['force_refresh']) || is_bool($r['force_refresh']))) {
                    return $client->token(!empty($r['force_refresh']));
                }
                break;
            case 'ready':
            case 'billkeygen':
                if (self::scalars($r)) {
                    return $call === 'ready' ? $client->ready($r) : $client->billkeygen($r);
                }
                break;
            case 'decrypt':
                if ($only(['ENC_DATA']) && $strings(['ENC_DATA'])) {
                    return $client->decrypt($r['ENC_DATA']);
                }
                break;
            case 'paycert':
                if ($only(['tid']) && $strings(['tid'])) {
                    return $client->paycert($r['tid']);
                }
                break;
            case 'verify':
                if ($only(['tid', 'expected']) && $strings(['tid']) && isset($r['expected']) && $r['expected'] instanceof \stdClass
                    && self::scalars(get_object_vars($r['expected']))) {
                    return $client->verify($r['tid'], get_object_vars($r['expected']));
                }
                break;
            case 'recurring_charge':
                if ($only(['RESERVE_ID', 'BILLKEY']) && $strings(['RESERVE_ID', 'BILLKEY'])) {
                    return $client->recurringCharge($r['RESERVE_ID'], $r['BILLKEY']);
                }
                break;
            case 'schedule_cancel':
                if ($only(['RESERVE_ID']) && $strings(['RESERVE_ID'])) {
                    return $client->scheduleCancel($r['RESERVE_ID']);
                }
                break;
            case 'billkey_delete':
                if ($only(['BILLKEY']) && $strings(['BILLKEY'])) {
                    return $client->billkeyDelete($r['BILLKEY']);
                }
                break;
            case 'cancel':
                $account = array_intersect_key($r, array_flip(['bank', 'account_no', 'account_name']));
                if ($only(['tid', 'reason', 'amount', 'bank', 'account_no', 'account_name']) && $strings(['tid', 'reason'])
                    && (!isset($r['amount']) || is_int($r['amount'])) && self::scalars($account)) {
                    return $client->cancel($r['tid'], $r['reason'], isset($r['amount']) ? $r['amount'] : null, $account);
                }
                break;
            case 'paysearch':
                if ($only(['tid']) && $strings(['tid'])) {
                    return ['payments' => $client->paysearchByTid($r['tid'])];
                }
                if ($only(['from', 'to']) && $strings(['from', 'to'])) {
                    return ['payments' => $client->paysearch($r['from'], $r['to'])];
                }
                break;
            case 'receipt_url':
                if ($only(['tid']) && $strings(['tid'])) {
                    return ['url' => $client->receiptUrl($r['tid'])];
                }
                break;
            case 'confirm_noti':
                if ($only(['body']) && $strings(['body'])) {
                    return $client->confirmNoti(['body' => $r['body']]);
                }
                break;
            case 'request':
                if ($only(['path', 'auth', 'body']) && $strings(['path']) && isset($r['auth']) && is_array($r['auth'])
                    && (!isset($r['body']) || ($r['body'] instanceof \stdClass && self::scalars(get_object_vars($r['body']))))) {
                    $body = isset($r['body']) ? get_object_vars($r['body']) : [];
                    return $client->request($r['path'], $body, $r['auth']);
                }
                break;
        }
        return Internals::property(Client::class, 'backend')->getValue($client)->call('cookiepay_' . $call, self::json($request));
    }

    private static function scalars(array $values): bool
    {
        foreach ($values as $v) {
            if (is_array($v) || is_object($v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * $expected ⊆ $actual as tests/vectors/README.md defines it; the first difference, or null.
     *
     * @param mixed $expected decoded with objects as arrays, {"$absent"}/{"$any"} included
     * @param mixed $actual
     */
    private static function subset($expected, $actual, string $at, bool $present = true): ?string
    {
        if (is_array($expected) && count($expected) === 1 && isset($expected['$absent']) && $expected['$absent'] === true) {
            return $present ? "$at: expected no value, got " . self::json($actual) : null;
        }
        if (is_array($expected) && count($expected) === 1 && isset($expected['$any']) && $expected['$any'] === true) {
            return $present ? null : "$at: missing";
        }
        if (!$present) {
            return "$at: missing (expected " . self::json($expected) . ')';
        }
        if (is_array($expected) && self::isList($expected) && $expected !== []) {
            if (!is_array($actual) || !self::isList($actual) || count($actual) !== count($expected)) {
                return "$at: expected " . count($expected) . ' elements, got ' . self::json($actual);
            }
            foreach ($expected as $i => $e) {
                $problem = self::subset($e, $actual[$i], "{$at}[$i]");
                if ($problem !== null) {
                    return $problem;
                }
            }
            return null;
        }
        if (is_array($expected)) {
            if (!is_array($actual)) {
                return "$at: expected an object, got " . self::json($actual);
            }
            foreach ($expected as $k => $e) {
                $problem = self::subset($e, array_key_exists($k, $actual) ? $actual[$k] : null, "$at.$k", array_key_exists($k, $actual));
                if ($problem !== null) {
                    return $problem;
                }
            }
            return null;
        }
        if ((is_int($expected) || is_float($expected)) && (is_int($actual) || is_float($actual))) {
            return $expected == $actual ? null : "$at: expected $expected, got $actual";
        }
        return $expected === $actual ? null : "$at: expected " . self::json($expected) . ', got ' . self::json($actual);
    }

    private static function isList(array $a): bool
    {
        return $a === [] || array_keys($a) === range(0, count($a) - 1);
    }

    /** @param mixed $value */
    private static function plain($value)
    {
        return json_decode(self::json($value), true);
    }

    /** @param mixed $value */
    private static function json($value): string
    {
        return (string) json_encode($value, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR);
    }

    /** A urlencoded body as an object (the last value of a repeated name, as the Rust runner). */
    private static function form(string $body): array
    {
        $out = [];
        foreach (explode('&', $body) as $pair) {
            if ($pair === '') {
                continue;
            }
            $eq = strpos($pair, '=');
            $out[urldecode($eq === false ? $pair : substr($pair, 0, $eq))] = urldecode($eq === false ? '' : substr($pair, $eq + 1));
        }
        return $out;
    }
}
