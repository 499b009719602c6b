<?php

namespace CookiePay\Tests;

use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * With APCu enabled, the pure backend's TOKEN is shared by the workers of one server (php -S with
 * workers here, a php-fpm pool in production): one TOKEN request for all of them, under a key that
 * is a hash, never the API key. The served script forces the pure backend, so this runs in both runs.
 *
 * @requires extension apcu
 */
final class ApcuTest extends TestCase
{
    /** @var resource|null */
    private $server;
    /** @var string */
    private $dir = '';

    protected function tearDown(): void
    {
        if ($this->server !== null) {
            Processes::stop($this->server);
            $this->server = null;
        }
        Sandbox::removeTree($this->dir);
    }

    public function testTheWorkersShareOneToken(): void
    {
        // A sandbox of its own: counting TOKEN requests must not see other tests'.
        $sandbox = Sandbox::spawn();
        try {
            $this->dir = Sandbox::tempDir('cookiepay-php-apcu');
            $port = Sandbox::freePort();
            $this->server = Processes::spawn(
                [PHP_BINARY, '-d', 'apc.enable_cli=1', '-S', "127.0.0.1:$port", '-t', __DIR__ . '/apcu'],
                $this->dir . '/server.log',
                [
                    'PATH' => (string) getenv('PATH'),
                    'PHP_CLI_SERVER_WORKERS' => '4',
                    'COOKIEPAY_SANDBOX_URL' => $sandbox['http'],
                    'COOKIEPAY_API_ID' => Sandbox::API_ID,
                    'COOKIEPAY_API_KEY' => Sandbox::API_KEY,
                ]
            );
            Processes::waitFor(function () use ($port) {
                return Processes::canConnect('127.0.0.1', $port);
            }, $this->server, 'php -S (apcu)', $this->dir . '/server.log');

            $first = self::get("http://127.0.0.1:$port/token.php");
            $this->assertFalse($first['cached'], file_get_contents($this->dir . '/server.log'));
            // Requests at once, each held a while, so that several workers serve them. The workers share
            // one listening socket and the first one awake may accept every waiting connection: more
            // rounds until a second worker has served (on a busy machine one round may not do it).
            $answers = [];
            for ($round = 0; $round < 20 && count(array_unique(array_column($answers, 'pid'))) < 2; $round++) {
                $answers = array_merge($answers, self::getAtOnce("http://127.0.0.1:$port/token.php?wait_ms=300", 8));
            }
            $pids = array_unique(array_column($answers, 'pid'));
            $this->assertGreaterThan(1, count($pids), "several workers served, in $round rounds");
            foreach ($answers as $answer) {
                $this->assertTrue($answer['cached'], 'worker ' . $answer['pid'] . ' fetched a TOKEN of its own');
                $this->assertSame($first['token'], $answer['token']);
            }
            $stats = json_decode((string) file_get_contents($sandbox['http'] . '/_sandbox/stats'), true);
            $this->assertSame(1, (int) $stats['requests']['token']['total'], 'one TOKEN request for every worker');

            $keys = implode("\n", $first['apcu_keys']);
            $this->assertStringContainsString('cookiepay.token.', $keys);
            $this->assertStringNotContainsString(Sandbox::API_KEY, $keys);
            $this->assertStringNotContainsString(substr(Sandbox::API_KEY, 0, 12), $keys);
        } finally {
            Sandbox::stopSpawned($sandbox);
        }
    }

    private static function get(string $url): array
    {
        $answer = json_decode((string) file_get_contents($url), true);
        self::assertIsArray($answer, $url);
        return $answer;
    }

    private static function getAtOnce(string $url, int $n): array
    {
        $multi = curl_multi_init();
        $handles = [];
        for ($i = 0; $i < $n; $i++) {
            $h = curl_init($url);
            curl_setopt($h, CURLOPT_RETURNTRANSFER, true);
            curl_setopt($h, CURLOPT_TIMEOUT, 20);
            curl_multi_add_handle($multi, $h);
            $handles[] = $h;
        }
        do {
            curl_multi_exec($multi, $running);
            curl_multi_select($multi, 0.1);
        } while ($running > 0);
        $answers = [];
        foreach ($handles as $h) {
            $answer = json_decode((string) curl_multi_getcontent($h), true);
            self::assertIsArray($answer, 'a worker answered');
            $answers[] = $answer;
            curl_multi_remove_handle($multi, $h);
        }
        curl_multi_close($multi);
        return $answers;
    }
}
