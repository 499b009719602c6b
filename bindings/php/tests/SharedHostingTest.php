<?php

namespace CookiePay\Tests;

use CookiePay\Tests\Support\Http;
use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PDO;
use PHPUnit\Framework\TestCase;

/**
 * The example shop on a host like most 영카트/그누보드 and WordPress shops have: FFI off (or not even
 * installed), no preloading, the usual disable_functions and an open_basedir of the shop, the package
 * and a temp folder. With the default "auto" backend the shop takes a payment end to end on the pure
 * backend, with not a single PHP warning. Runs in both suite runs: the host decides, not the run.
 */
final class SharedHostingTest extends TestCase
{
    /** What hosting panels disable: running programs, and pcntl. */
    const DISABLED = 'exec,shell_exec,system,passthru,proc_open,popen,proc_nice,pcntl_exec,pcntl_fork,pcntl_waitpid,'
        . 'pcntl_wait,pcntl_signal,pcntl_signal_get_handler,pcntl_signal_dispatch,pcntl_sigprocmask,pcntl_sigwaitinfo,'
        . 'pcntl_sigtimedwait,pcntl_wifexited,pcntl_wifstopped,pcntl_wifcontinued,pcntl_wifsignaled,pcntl_wexitstatus,'
        . 'pcntl_wtermsig,pcntl_wstopsig,pcntl_alarm,pcntl_get_last_error,pcntl_errno,pcntl_getpriority,'
        . 'pcntl_setpriority,pcntl_strerror,pcntl_async_signals,pcntl_unshare';

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

    /** @return array the two ways a host has no FFI */
    public function hosts(): array
    {
        return [
            'ffi.enable=0' => [['-d', 'ffi.enable=0']],
            // -n: no php.ini, so only the extensions a host without FFI would load.
            'FFI extension not loaded' => [['-n', '-d', 'extension=curl', '-d', 'extension=pdo', '-d', 'extension=pdo_sqlite']],
        ];
    }

    /** @dataProvider hosts */
    public function testTheShopTakesAPaymentOnThePureBackend(array $ini): void
    {
        $this->dir = Sandbox::tempDir('cookiepay-php-hosting');
        mkdir($this->dir . '/data');
        $root = Sandbox::repoRoot();
        $port = Sandbox::freePort();
        $shop = "http://127.0.0.1:$port";
        $command = array_merge([PHP_BINARY], $ini, [
            '-d', 'opcache.preload=',
            '-d', 'disable_functions=' . self::DISABLED,
            '-d', 'open_basedir=' . implode(':', [$root . '/examples/php', $root . '/bindings/php', $this->dir]),
            '-d', 'error_reporting=-1',
            '-d', 'display_errors=0',
            '-d', 'log_errors=1',
            '-d', 'error_log=' . $this->dir . '/php-errors.log',
            '-S', "127.0.0.1:$port", '-t', $root . '/examples/php/public',
        ]);
        $this->server = Processes::spawn($command, $this->dir . '/server.log', [
            'PATH' => (string) getenv('PATH'),
            // The library is even there: FFI being off is what decides.
            'COOKIEPAY_LIB' => Sandbox::libraryPath(),
            'COOKIEPAY_SANDBOX_URL' => Sandbox::$http,
            'COOKIEPAY_EXAMPLE_DATA' => $this->dir . '/data',
        ]);
        $dir = $this->dir;
        Processes::waitFor(function () use ($port) {
            return Processes::canConnect('127.0.0.1', $port);
        }, $this->server, 'php -S (shared hosting)', $dir . '/server.log');

        [$status, $headers, $page] = self::http('POST', "$shop/checkout.php", http_build_query(['product' => 'cookie-monthly', 'buyer' => '홍길동']));
        $this->assertSame(200, $status, $page . self::log($dir));
        $this->assertSame('php', $headers['x-cookiepay-backend'], 'the pure backend took over');
        $orderNo = $headers['x-order-no'];

        $checkout = Sandbox::checkout($page, Sandbox::CARD_APPROVE);
        [$status, $headers, $page] = self::http('POST', $checkout['return_url'], $checkout['form_body']);
        $this->assertSame(200, $status, $page . self::log($dir));
        $this->assertSame('php', $headers['x-cookiepay-backend']);
        $this->assertSame('paid', $headers['x-payment-result'], $page);

        $db = new PDO('sqlite:' . $dir . '/data/shop.sqlite', null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        $row = $db->query('SELECT status, amount, tid FROM orders WHERE orderno = ' . $db->quote($orderNo))->fetch(PDO::FETCH_ASSOC);
        $this->assertSame('paid', $row['status']);
        $this->assertSame(9900, (int) $row['amount']);
        $this->assertStringStartsWith('SBX', $row['tid']);

        $errors = is_file($dir . '/php-errors.log') ? (string) file_get_contents($dir . '/php-errors.log') : '';
        $this->assertSame('', $errors, 'no PHP warning, notice or error on the host');
        $this->assertDoesNotMatchRegularExpression('/PHP (Warning|Notice|Deprecated|Fatal)/', (string) file_get_contents($dir . '/server.log'));
    }

    private static function log(string $dir): string
    {
        return "\n" . @file_get_contents($dir . '/server.log') . @file_get_contents($dir . '/php-errors.log');
    }

    /** @return array [status, headers (lower-case name => value), body] */
    private static function http(string $method, string $url, string $body): array
    {
        $answer = Http::send($method, $url, $body);
        self::assertNotNull($answer, "$method $url: no answer");
        return $answer;
    }
}
