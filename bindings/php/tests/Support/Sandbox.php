<?php

namespace CookiePay\Tests\Support;

use CookiePay\Client;
use RuntimeException;

/**
 * One cookiepay-sandbox for the whole PHPUnit run, on ephemeral ports (HTTP and HTTPS), started by
 * tests/bootstrap.php and stopped at shutdown by the process that started it (not by a forked child).
 */
final class Sandbox
{
    const API_ID = 'sandbox_demo01';
    const API_KEY = 'sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
    const CARD_APPROVE = '4111111111111111';
    const CARD_DECLINE_LIMIT = '4000000000009995';
    /** Approves every charge but the 3rd of its subscription (sandbox/README.md, "Test cards"). */
    const CARD_DUNNING = '4000000000000333';

    /** @var resource|null */
    private static $process;
    /** @var int */
    private static $ownerPid = 0;
    /** @var string */
    private static $dir = '';
    /** @var string */
    public static $http = '';
    /** @var string */
    public static $https = '';
    /** @var string */
    public static $caPem = '';

    public static function repoRoot(): string
    {
        return dirname(__DIR__, 4);
    }

    public static function libraryPath(): string
    {
        $lib = getenv('COOKIEPAY_LIB');
        return is_string($lib) && $lib !== '' ? $lib : self::repoRoot() . '/target/release/libcookiepay.so';
    }

    public static function start(): void
    {
        // A sandbox the caller started and stops (bindings/php/test-versions.sh, for the PHPs run under
        // WebAssembly): its folder holds ready.json and ca.pem.
        $dir = getenv('COOKIEPAY_SANDBOX_DIR');
        if (is_string($dir) && $dir !== '') {
            $info = json_decode((string) file_get_contents($dir . '/ready.json'), true);
            if (!is_array($info) || !isset($info['http'], $info['https'])) {
                throw new RuntimeException("COOKIEPAY_SANDBOX_DIR=$dir: no sandbox ready.json there");
            }
            self::$http = $info['http'];
            self::$https = $info['https'];
            self::$caPem = (string) file_get_contents($dir . '/ca.pem');
            return;
        }
        $started = self::spawn();
        self::$process = $started['process'];
        self::$dir = $started['dir'];
        self::$http = $started['http'];
        self::$https = $started['https'];
        self::$caPem = (string) file_get_contents(self::$dir . '/ca.pem');
        self::$ownerPid = getmypid();
        register_shutdown_function([self::class, 'stop']);
    }

    /**
     * Start another cookiepay-sandbox (on ephemeral ports, HTTPS too): for tests that move its clock,
     * which would otherwise move for every later test.
     *
     * @return array ['process' => resource, 'dir' => …, 'http' => URL, 'https' => URL]
     */
    public static function spawn(): array
    {
        Backends::requireNativePhp(Processes::CANNOT_STOP);
        $bin = getenv('COOKIEPAY_SANDBOX_BIN');
        if (!is_string($bin) || $bin === '') {
            $bin = self::repoRoot() . '/target/release/cookiepay-sandbox';
        }
        if (!is_executable($bin)) {
            throw new RuntimeException("cookiepay-sandbox not found at $bin: cargo build --release -p cookiepay-sandbox");
        }
        $dir = self::tempDir('cookiepay-php-sandbox');
        $ready = $dir . '/ready.json';
        $log = $dir . '/sandbox.log';
        $process = proc_open(
            [$bin, '--port', '0', '--tls', '--ca-out', $dir . '/ca.pem', '--ready-file', $ready],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']],
            $pipes
        );
        if (!is_resource($process)) {
            throw new RuntimeException('cannot start cookiepay-sandbox');
        }
        $deadline = microtime(true) + 10;
        while (!is_file($ready) || filesize($ready) === 0) {
            $status = proc_get_status($process);
            if (!$status['running']) {
                throw new RuntimeException("cookiepay-sandbox exited early:\n" . file_get_contents($log));
            }
            if (microtime(true) > $deadline) {
                throw new RuntimeException('cookiepay-sandbox not ready within 10 s');
            }
            usleep(20000);
            clearstatcache();
        }
        $info = json_decode((string) file_get_contents($ready), true);
        return ['process' => $process, 'dir' => $dir, 'http' => $info['http'], 'https' => $info['https']];
    }

    /** Stop a sandbox from spawn(). */
    public static function stopSpawned(array $started): void
    {
        Processes::stop($started['process']);
        self::removeTree($started['dir']);
    }

    /**
     * Point every helper of this class (and Sandbox::client()) at another sandbox's URL; returns the
     * previous one, to give back afterwards.
     */
    public static function useUrl(string $http): string
    {
        $previous = self::$http;
        self::$http = $http;
        return $previous;
    }

    public static function stop(): void
    {
        if (self::$process === null || getmypid() !== self::$ownerPid) {
            return;
        }
        proc_terminate(self::$process, 15);
        proc_close(self::$process);
        self::$process = null;
        self::removeTree(self::$dir);
    }

    /** Client config for the sandbox's demo merchant over plain HTTP. */
    public static function config(array $overrides = []): array
    {
        return $overrides + [
            'base_url' => self::$http,
            'api_id' => self::API_ID,
            'api_key' => self::API_KEY,
            'lib_path' => self::libraryPath(),
        ];
    }

    public static function client(array $overrides = []): Client
    {
        return new Client(self::config($overrides));
    }

    /** A fresh order in the manual's field names. */
    public static function order(array $overrides = []): array
    {
        static $counter = 0;
        $counter++;
        return $overrides + [
            'ORDERNO' => sprintf('PHP-%d-%d-%s', getmypid(), $counter, bin2hex(random_bytes(4))),
            'PRODUCTNAME' => '쿠키 정기구독',
            'AMOUNT' => 9900,
            'BUYERNAME' => '홍길동',
            'RETURNURL' => 'https://shop.example/return',
        ];
    }

    /**
     * What the buyer's browser does in the window: submit the card; returns the sandbox's answer
     * with form_body (the raw body posted to RETURNURL) and return_url.
     */
    public static function checkout(string $windowHtml, string $cardNo = self::CARD_APPROVE): array
    {
        return self::postJson('/_sandbox/checkout', [
            'window_html' => $windowHtml,
            'card' => ['CARDNO' => $cardNo, 'EXPIREDT' => '3012', 'CARDAUTH' => '900101', 'CARDPWD' => '12', 'QUOTA' => '00'],
        ]);
    }

    /**
     * ready → window → return post → decrypt: a real approved payment.
     *
     * @return array ['order' => ..., 'form_body' => ..., 'payment' => decrypted]
     */
    public static function pay(Client $client, array $orderOverrides = [], string $cardNo = self::CARD_APPROVE): array
    {
        $order = self::order($orderOverrides);
        $window = $client->ready($order);
        $checkout = self::checkout($window['html'], $cardNo);
        $parsed = Client::parseReturn($checkout['form_body']);
        $payment = $parsed['success'] ? $client->decrypt($parsed['ENC_DATA']) : [];
        return ['order' => $order, 'form_body' => $checkout['form_body'], 'payment' => $payment];
    }

    /** Card fields for billkeygen: the approving test card unless overridden. */
    public static function card(array $overrides = []): array
    {
        return $overrides + [
            'CARDNO' => self::CARD_APPROVE,
            'EXPIREDT' => '3012',
            'CARDAUTH' => '900101',
            'CARDPWD' => '12',
            'QUOTA' => '00',
        ];
    }

    /**
     * A billkeygen request: a fresh order, the card, and a monthly schedule (unless $schedule is
     * false) charged for $lastPayCnt cycles in all (the first one is billkeygen's own charge).
     */
    public static function subscription(array $overrides = [], bool $schedule = true, int $lastPayCnt = 12): array
    {
        $order = self::order();
        unset($order['RETURNURL']);
        $request = $overrides + self::card() + $order;
        if ($schedule) {
            $request += [
                'RECURRENCE_PAY' => 'Y',
                'RECURRENCE_TYPE' => 'M',
                'PAY_DAY' => '10',
                'START_PAY_CNT' => '1',
                'LAST_PAY_CNT' => (string) $lastPayCnt,
            ];
        }
        return $request;
    }

    /** Move the sandbox's clock forward; due recurring charges run (and their Notis go out). */
    public static function advanceDays(int $days): array
    {
        return self::postJson('/_sandbox/clock', ['advance_days' => $days]);
    }

    /** Where the sandbox POSTs Notis from now on (null: nowhere). */
    public static function notiUrl(?string $url): array
    {
        return self::postJson('/_sandbox/noti', ['url' => $url]);
    }

    /** The Notis the sandbox sent so far: {"url", "notis": [{"id","kind","body" (an object),"attempts","delivered",…}]}. */
    public static function notis(): array
    {
        return self::request('GET', '/_sandbox/notis', null);
    }

    public static function subscriptions(): array
    {
        return self::request('GET', '/_sandbox/subscriptions', null);
    }

    /** The payment counts as settled (입금 완료): its next cancel answers 9029. */
    public static function settle(string $tid): void
    {
        self::postJson('/_sandbox/payments/' . rawurlencode($tid) . '/settle', []);
    }

    /** The number of requests an endpoint received since the last reset. */
    public static function count(string $endpoint): int
    {
        $requests = self::stats()['requests'];
        return isset($requests[$endpoint]['total']) ? (int) $requests[$endpoint]['total'] : 0;
    }

    /** Every endpoint's count since the last reset, e.g. ['token' => 1, 'billkeygen' => 1]. */
    public static function counts(): array
    {
        $counts = [];
        foreach (self::stats()['requests'] as $endpoint => $numbers) {
            $counts[$endpoint] = (int) $numbers['total'];
        }
        return $counts;
    }

    public static function fault(string $endpoint, string $mode, int $count = 1, array $extra = []): void
    {
        self::postJson('/_sandbox/faults', ['endpoint' => $endpoint, 'mode' => $mode, 'count' => $count] + $extra);
    }

    /** Clear faults and counters (payments stay). */
    public static function reset(): void
    {
        self::postJson('/_sandbox/reset', []);
    }

    public static function stats(): array
    {
        return self::request('GET', '/_sandbox/stats', null);
    }

    public static function cancel(string $tid): void
    {
        self::postJson('/_sandbox/payments/' . rawurlencode($tid) . '/cancel', []);
    }

    public static function postJson(string $path, array $body): array
    {
        return self::request('POST', $path, (string) json_encode((object) $body, JSON_UNESCAPED_UNICODE));
    }

    public static function request(string $method, string $path, ?string $body): array
    {
        $answer = Http::send($method, self::$http . $path, $body === null ? '' : $body, 'application/json');
        $decoded = $answer !== null ? json_decode($answer[2], true) : null;
        $status = $answer !== null ? (string) $answer[0] : 'no answer';
        if (!is_array($decoded) || $status !== '200') {
            throw new RuntimeException("sandbox $method $path: $status " . var_export($answer !== null ? $answer[2] : null, true));
        }
        return $decoded;
    }

    public static function tempDir(string $prefix): string
    {
        $dir = sys_get_temp_dir() . '/' . $prefix . '-' . getmypid() . '-' . bin2hex(random_bytes(4));
        if (!mkdir($dir, 0755)) {
            throw new RuntimeException("cannot create $dir");
        }
        chmod($dir, 0755);
        return $dir;
    }

    public static function removeTree(string $dir): void
    {
        // Only a folder of our own under the temp dir: never '' or '/' (a tearDown after a skipped
        // setUp, whose folder was never made, once removed /bin this way).
        if (strpos($dir, sys_get_temp_dir() . '/cookiepay-') !== 0 || !is_dir($dir) || is_link($dir)) {
            return;
        }
        $items = new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS),
            \RecursiveIteratorIterator::CHILD_FIRST
        );
        foreach ($items as $item) {
            $item->isDir() && !$item->isLink() ? rmdir($item->getPathname()) : unlink($item->getPathname());
        }
        rmdir($dir);
    }

    /** A TCP port nobody listens on right now (for php -S, which needs a number). */
    public static function freePort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        if ($server === false) {
            throw new RuntimeException("no free port: $errstr");
        }
        $name = (string) stream_socket_get_name($server, false);
        fclose($server);
        return (int) substr($name, strrpos($name, ':') + 1);
    }
}
