<?php

namespace CookiePay\Tests\Support;

use RuntimeException;

/** Child processes with bounded waits, so a hung server fails a test instead of the whole run. */
final class Processes
{
    /** Why a server a test would start (and stop) skips under php-wasm. */
    const CANNOT_STOP = 'cannot stop a process it started (proc_terminate does nothing, proc_close waits for ever)';

    /**
     * Run a command to completion.
     *
     * @param array|null $env null = inherit this process's environment
     * @return array [exit code, stdout, stderr]
     */
    public static function run(array $command, ?array $env = null, string $stdin = '', float $timeout = 60.0): array
    {
        self::requireRunnable($command);
        $dir = Sandbox::tempDir('cookiepay-php-run');
        try {
            $process = proc_open(
                $command,
                [0 => ['pipe', 'r'], 1 => ['file', "$dir/out", 'w'], 2 => ['file', "$dir/err", 'w']],
                $pipes,
                null,
                $env
            );
            if (!is_resource($process)) {
                throw new RuntimeException('cannot start ' . $command[0]);
            }
            fwrite($pipes[0], $stdin);
            fclose($pipes[0]);
            $code = self::waitExit($process, $timeout, $command[0]);
            return [$code, (string) file_get_contents("$dir/out"), (string) file_get_contents("$dir/err")];
        } finally {
            Sandbox::removeTree($dir);
        }
    }

    /**
     * Start a long-running command with its output in $log.
     *
     * @return resource
     */
    public static function spawn(array $command, string $log, ?array $env = null)
    {
        self::requireRunnable($command);
        Backends::requireNativePhp(self::CANNOT_STOP);
        $process = proc_open(
            $command,
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']],
            $pipes,
            null,
            $env
        );
        if (!is_resource($process)) {
            throw new RuntimeException('cannot start ' . $command[0]);
        }
        return $process;
    }

    /**
     * Under php-wasm, PHP_BINARY (and the `php` on PATH) is the CLI's shell shim, which drops its
     * arguments, and there is no php -S: a test that needs a second PHP process (the example shop's
     * serve.sh runs php -S) skips, saying so, instead of failing on PHP's usage text.
     */
    private static function requireRunnable(array $command): void
    {
        if ($command[0] === PHP_BINARY || ($command[0] === 'bash' && basename($command[1] ?? '') === 'serve.sh')) {
            Backends::requireNativePhp('needs a second PHP process (php-wasm\'s PHP_BINARY drops its arguments; no php -S)');
        }
    }

    /** SIGTERM, then SIGKILL after 5 s; its child processes too (php -S workers outlive their master). */
    public static function stop($process): void
    {
        if (!is_resource($process)) {
            return;
        }
        $children = self::childrenOf((int) proc_get_status($process)['pid']);
        foreach ($children as $child) {
            posix_kill($child, 15);
        }
        proc_terminate($process, 15);
        $deadline = microtime(true) + 5;
        while (proc_get_status($process)['running'] && microtime(true) < $deadline) {
            usleep(20000);
        }
        if (proc_get_status($process)['running']) {
            proc_terminate($process, 9);
        }
        proc_close($process);
        foreach ($children as $child) {
            if (posix_kill($child, 0)) {
                posix_kill($child, 9);
            }
        }
    }

    /** The pids whose parent is $pid (Linux /proc). */
    private static function childrenOf(int $pid): array
    {
        $children = [];
        foreach (glob('/proc/[0-9]*/stat') ?: [] as $stat) {
            $text = @file_get_contents($stat);
            if ($text === false || ($end = strrpos($text, ')')) === false) {
                continue; // gone meanwhile
            }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
            $fields = explode(' ', substr($text, $end + 2));
            if (isset($fields[1]) && (int) $fields[1] === $pid) {
                $children[] = (int) basename(dirname($stat));
            }
        }
        return $children;
    }

    /** Wait until $ready() is true or the process died or the time is up. */
    public static function waitFor(callable $ready, $process, string $what, string $log, float $timeout = 10.0): void
    {
        $deadline = microtime(true) + $timeout;
        while (!$ready()) {
            if (!proc_get_status($process)['running']) {
                throw new RuntimeException("$what exited early:\n" . @file_get_contents($log));
            }
            if (microtime(true) > $deadline) {
                throw new RuntimeException("$what not ready within {$timeout} s:\n" . @file_get_contents($log));
            }
            usleep(20000);
            clearstatcache();
        }
    }

    public static function canConnect(string $host, int $port): bool
    {
        $socket = @stream_socket_client("tcp://$host:$port", $errno, $errstr, 0.2);
        if ($socket === false) {
            return false;
        }
        fclose($socket);
        return true;
    }

    /** The absolute path of a command on PATH (proc_open with a custom environment has no PATH). */
    public static function which(string $command): string
    {
        foreach (explode(':', (string) getenv('PATH')) as $dir) {
            if ($dir !== '' && is_executable("$dir/$command")) {
                return "$dir/$command";
            }
        }
        foreach (['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'] as $dir) {
            if (is_executable("$dir/$command")) {
                return "$dir/$command";
            }
        }
        throw new RuntimeException("$command not found (bindings/php/test.sh installs it)");
    }

    /** @param resource $process */
    private static function waitExit($process, float $timeout, string $what): int
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            $status = proc_get_status($process);
            if (!$status['running']) {
                proc_close($process);
                return (int) $status['exitcode'];
            }
            if (microtime(true) > $deadline) {
                proc_terminate($process, 9);
                proc_close($process);
                throw new RuntimeException("$what did not finish within {$timeout} s");
            }
            usleep(5000);
        }
    }
}
