<?php

namespace CookiePay\Tests;

use CookiePay\Client;
use CookiePay\Exception\LibraryException;
use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * Debian's php-fpm with the default ffi.enable=preload: with the README's preload recipe, 300
 * requests through the same two workers make real calls; without it, the binding's exception names
 * the php.ini setting.
 */
final class FpmTest extends TestCase
{
    const REQUESTS = 300;
    const WORKERS = 2;

    /** @var string */
    private $dir = '';
    /** @var resource|null */
    private $fpm;

    protected function setUp(): void
    {
        Support\Backends::requireFfi('the php-fpm preload recipe of the FFI backend (the pure backend under a web server: SharedHostingTest)');
        $this->dir = Sandbox::tempDir('cookiepay-php-fpm');
    }

    protected function tearDown(): void
    {
        if ($this->fpm !== null) {
            Processes::stop($this->fpm);
            $this->fpm = null;
        }
        Sandbox::removeTree($this->dir);
        Sandbox::reset();
    }

    public function testPreloadRecipeServesManyRequestsFromTheSameWorkers(): void
    {
        [$code, $header, $err] = Processes::run(
            [PHP_BINARY, dirname(__DIR__) . '/bin/cookiepay-preload-header', Sandbox::libraryPath()]
        );
        $this->assertSame(0, $code, $err);
        $this->assertStringStartsWith("#define FFI_SCOPE \"cookiepay\"\n#define FFI_LIB \"", $header);
        file_put_contents("{$this->dir}/cookiepay.h", $header);

        $ini = "ffi.enable = preload\n"
            . "ffi.preload = {$this->dir}/cookiepay.h\n"
            . "opcache.enable = 1\n"
            . 'opcache.preload = ' . dirname(__DIR__) . "/preload.php\n"
            // As root PHP preloads only as a named user; root itself keeps the test independent of
            // where CI checked the repository out (production uses www-data, README).
            . (posix_getuid() === 0 ? "opcache.preload_user = root\n" : '');
        $master = $this->startFpm($ini);

        $client = Sandbox::client();
        $paid = Sandbox::pay($client);
        $params = [
            'TID' => $paid['payment']['TID'],
            'ORDERNO' => $paid['order']['ORDERNO'],
            'AMOUNT' => (string) $paid['order']['AMOUNT'],
            'FORM_BODY' => $paid['form_body'],
        ];
        // The lifecycle calls under the preload recipe too (billkeygen: the by-reference path).
        $answer = $this->request($params + ['BILLKEYGEN' => '1']);
        $this->assertTrue($answer['ok'], json_encode($answer, JSON_UNESCAPED_UNICODE));
        $this->assertTrue($answer['billkeygen_charged']);
        $this->assertSame('payment:' . $params['TID'], $answer['noti_key']);
        $this->assertStringStartsWith(Sandbox::$http . '/api/receipt?tid=', $answer['receipt_url']);

        $paycertBefore = Sandbox::stats()['requests']['paycert']['total'];

        $requestsPerPid = [];
        for ($i = 0; $i < self::REQUESTS; $i++) {
            $answer = $this->request($params);
            $this->assertTrue($answer['ok'], "request $i: " . json_encode($answer, JSON_UNESCAPED_UNICODE));
            $this->assertSame($params['TID'], $answer['tid']);
            $this->assertTrue($answer['token_ok']);
            $this->assertTrue($answer['return_success']);
            $this->assertSame('preloaded FFI scope "cookiepay" (ffi.preload)', $answer['source']);
            $this->assertGreaterThanOrEqual(1, $answer['logged'], 'the logger saw paycert');
            $requestsPerPid[$answer['pid']] = (isset($requestsPerPid[$answer['pid']]) ? $requestsPerPid[$answer['pid']] : 0) + 1;
        }

        fwrite(STDERR, sprintf("\n[php-fpm] %d requests, worker pids => requests: %s\n", self::REQUESTS, json_encode($requestsPerPid)));
        $this->assertLessThanOrEqual(self::WORKERS, count($requestsPerPid), 'only the static workers answered');
        $this->assertArrayNotHasKey($master, $requestsPerPid, 'workers, not the master');
        $this->assertGreaterThanOrEqual(self::REQUESTS / self::WORKERS, max($requestsPerPid), 'a worker served many requests');
        $this->assertSame(
            self::REQUESTS,
            Sandbox::stats()['requests']['paycert']['total'] - $paycertBefore,
            'every request reached the sandbox'
        );
        $log = (string) file_get_contents("{$this->dir}/fpm.log");
        $this->assertDoesNotMatchRegularExpression('/exited on signal|exited with code|ERROR|WARNING/', $log);
    }

    public function testWithoutThePreloadRecipeTheExceptionNamesThePhpIniSetting(): void
    {
        $this->startFpm("ffi.enable = preload\n");
        $answer = $this->request(['TID' => 'SBX0', 'ORDERNO' => 'X', 'AMOUNT' => '1', 'FORM_BODY' => 'RESULTCODE=0000']);
        $this->assertFalse($answer['ok']);
        $this->assertSame(LibraryException::class, $answer['class']);
        $this->assertStringContainsString('ffi.enable=\'preload\', SAPI fpm-fcgi', $answer['message']);
        $this->assertStringContainsString('ffi.enable=true', $answer['message']);
        $this->assertStringContainsString('opcache.preload', $answer['message']);
    }

    public function testFfiEnableTrueAlsoWorksWithoutPreloading(): void
    {
        $this->startFpm("ffi.enable = true\n");
        $client = Sandbox::client();
        $paid = Sandbox::pay($client);
        $params = [
            'TID' => $paid['payment']['TID'],
            'ORDERNO' => $paid['order']['ORDERNO'],
            'AMOUNT' => (string) $paid['order']['AMOUNT'],
            'FORM_BODY' => $paid['form_body'],
            'COOKIEPAY_LIB' => Sandbox::libraryPath(),
        ];
        // Without preloading every request loads (and at its end unloads) the library again.
        for ($i = 0; $i < 40; $i++) {
            $answer = $this->request($params);
            $this->assertTrue($answer['ok'], json_encode($answer, JSON_UNESCAPED_UNICODE));
            $this->assertSame(realpath(Sandbox::libraryPath()), $answer['source']);
        }
    }

    /** Start php-fpm with this php.ini; returns the master's pid. */
    private function startFpm(string $ini): int
    {
        $binary = Processes::which('php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION);
        file_put_contents("{$this->dir}/php.ini", $ini
            . "log_errors = On\nerror_log = {$this->dir}/php-errors.log\ndisplay_errors = Off\n");
        file_put_contents("{$this->dir}/fpm.conf", implode("\n", [
            '[global]',
            "error_log = {$this->dir}/fpm.log",
            "pid = {$this->dir}/fpm.pid",
            'daemonize = no',
            '[cookiepay-test]',
            "listen = {$this->dir}/fpm.sock",
            'listen.mode = 0666',
            'pm = static',
            'pm.max_children = ' . self::WORKERS,
            'clear_env = yes',
            'env[COOKIEPAY_PHP_BACKEND] = ffi',
            'catch_workers_output = yes',
            '',
        ]));
        $command = [$binary, '--nodaemonize', '--fpm-config', "{$this->dir}/fpm.conf", '-c', "{$this->dir}/php.ini"];
        if (posix_getuid() === 0) {
            $command[] = '--allow-to-run-as-root';
        }
        $this->fpm = Processes::spawn($command, "{$this->dir}/fpm.out");
        $dir = $this->dir;
        Processes::waitFor(function () use ($dir) {
            return file_exists("$dir/fpm.sock") && is_file("$dir/fpm.pid");
        }, $this->fpm, 'php-fpm', "{$this->dir}/fpm.out");
        return (int) file_get_contents("{$this->dir}/fpm.pid");
    }

    /** One FastCGI request to tests/fpm/request.php with cgi-fcgi; returns the decoded JSON body. */
    private function request(array $params): array
    {
        $env = $params + [
            'SCRIPT_FILENAME' => __DIR__ . '/fpm/request.php',
            'SCRIPT_NAME' => '/request.php',
            'REQUEST_METHOD' => 'GET',
            'QUERY_STRING' => '',
            'SERVER_PROTOCOL' => 'HTTP/1.1',
            'GATEWAY_INTERFACE' => 'CGI/1.1',
            'COOKIEPAY_SANDBOX_URL' => Sandbox::$http,
            'COOKIEPAY_API_ID' => Sandbox::API_ID,
            'COOKIEPAY_API_KEY' => Sandbox::API_KEY,
        ];
        [$code, $out, $err] = Processes::run(
            [Processes::which('cgi-fcgi'), '-bind', '-connect', "{$this->dir}/fpm.sock"],
            $env,
            '',
            30
        );
        $this->assertSame(0, $code, "cgi-fcgi: $err");
        $parts = explode("\r\n\r\n", $out, 2);
        $answer = json_decode(isset($parts[1]) ? $parts[1] : '', true);
        $this->assertIsArray($answer, "not JSON from php-fpm: $out\n" . @file_get_contents("{$this->dir}/php-errors.log"));
        return $answer;
    }
}
