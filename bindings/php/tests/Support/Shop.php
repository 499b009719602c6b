<?php

namespace CookiePay\Tests\Support;

use PDO;
use RuntimeException;

/**
 * The example shop (examples/php) under `php -S` through serve.sh (the preload recipe), with its own
 * SQLite folder, plus its charge-due cron script run as the CLI would.
 */
final class Shop
{
    /** @var resource|null */
    private $server;
    /** @var string */
    public $dir;
    /** @var string */
    public $url;
    /** @var array */
    private $env;

    /** @param array $env extra environment for the shop (both the server and charge-due) */
    public function __construct(string $sandboxUrl, array $env = [])
    {
        $this->dir = Sandbox::tempDir('cookiepay-php-shop');
        $port = Sandbox::freePort();
        $this->url = "http://127.0.0.1:$port";
        $this->env = $env + [
            'PATH' => (string) getenv('PATH'),
            'COOKIEPAY_LIB' => Sandbox::libraryPath(),
            'COOKIEPAY_SANDBOX_URL' => $sandboxUrl,
            'COOKIEPAY_EXAMPLE_DATA' => $this->dir,
            'COOKIEPAY_PHP_BACKEND' => Backends::name(),
            // Several workers: CookiePay may post a Noti while the shop is inside a call to it.
            'PHP_CLI_SERVER_WORKERS' => '4',
        ];
        $this->server = Processes::spawn(
            ['bash', Sandbox::repoRoot() . '/examples/php/serve.sh', "127.0.0.1:$port"],
            $this->dir . '/server.log',
            $this->env
        );
        try {
            Processes::waitFor(function () use ($port) {
                return Processes::canConnect('127.0.0.1', $port);
            }, $this->server, 'php -S (examples/php)', $this->dir . '/server.log');
        } catch (\Throwable $e) {
            $this->stop();
            throw $e;
        }
    }

    public function stop(): void
    {
        if ($this->server !== null) {
            // php -S with workers forks them; they outlive a stopped master unless stopped too.
            $workers = self::childrenOf((int) proc_get_status($this->server)['pid']);
            Processes::stop($this->server);
            $this->server = null;
            foreach ($workers as $pid) {
                posix_kill($pid, SIGTERM);
            }
            $deadline = microtime(true) + 5;
            while (array_filter($workers, 'posix_getpgid') !== [] && microtime(true) < $deadline) {
                usleep(20000);
            }
            foreach (array_filter($workers, 'posix_getpgid') as $pid) {
                posix_kill($pid, SIGKILL);
            }
        }
        Sandbox::removeTree($this->dir);
    }

    /** @return int[] the processes whose parent is $parent (from /proc) */
    private static function childrenOf(int $parent): array
    {
        $children = [];
        foreach (glob('/proc/[0-9]*/stat') ?: [] as $file) {
            $stat = @file_get_contents($file);
            if (!is_string($stat) || ($end = strrpos($stat, ')')) === false) {
                continue;
            }
            $fields = explode(' ', trim(substr($stat, $end + 2)));
            if (isset($fields[1]) && (int) $fields[1] === $parent) {
                $children[] = (int) substr($stat, 0, (int) strpos($stat, ' '));
            }
        }
        return $children;
    }

    public function db(): PDO
    {
        return new PDO('sqlite:' . $this->dir . '/shop.sqlite', null, null, [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
            PDO::ATTR_TIMEOUT => 10,
        ]);
    }

    /** @return array rows of a query with parameters */
    public function rows(string $sql, array $params = []): array
    {
        $query = $this->db()->prepare($sql);
        $query->execute($params);
        return $query->fetchAll();
    }

    /** @return array [status code, headers (lower-case name => value), body] */
    public function http(string $method, string $path, string $body = '', string $type = 'application/x-www-form-urlencoded'): array
    {
        $answer = Http::send($method, $this->url . $path, $body, $type);
        if ($answer === null) {
            throw new RuntimeException("$method $path: no answer\n" . @file_get_contents($this->dir . '/server.log'));
        }
        return $answer;
    }

    /** POST a form. */
    public function post(string $path, array $fields): array
    {
        return $this->http('POST', $path, http_build_query($fields));
    }

    /** @return string[] the command that runs examples/php/charge-due.php */
    public function chargeDueCommand(): array
    {
        return [PHP_BINARY, Sandbox::repoRoot() . '/examples/php/charge-due.php'];
    }

    /** Run charge-due once; returns [exit code, stdout, stderr]. */
    public function chargeDue(array $env = []): array
    {
        return Processes::run($this->chargeDueCommand(), $env + $this->env);
    }

    /** Start charge-due without waiting; its output goes to $log. @return resource */
    public function spawnChargeDue(string $log, array $env = [])
    {
        return Processes::spawn($this->chargeDueCommand(), $log, $env + $this->env);
    }

    public function serverLog(): string
    {
        return (string) @file_get_contents($this->dir . '/server.log');
    }
}
