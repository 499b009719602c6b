<?php

namespace CookiePay\Tests;

use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * php-fpm and pcntl workers fork: a child must be able to use a client its parent already used (the
 * core rebuilds its HTTP pool in the child), and the parent must keep working.
 *
 * @requires extension pcntl
 * @requires extension posix
 */
final class ForkTest extends TestCase
{
    public function testAChildUsesTheClientItsParentUsed(): void
    {
        $client = Sandbox::client(['timeout_ms' => 5000]);
        $paid = Sandbox::pay($client);
        $tid = $paid['payment']['TID'];
        $parentToken = $client->token()['TOKEN'];
        $this->assertSame($tid, $client->paycert($tid)['TID'], 'the parent has a live pool before forking');

        $resultFile = tempnam(sys_get_temp_dir(), 'cookiepay-fork');
        $pid = pcntl_fork();
        $this->assertNotSame(-1, $pid, 'fork failed');
        if ($pid === 0) {
            $this->runChild($client, $tid, $paid['order']['ORDERNO'], $resultFile);
        }

        $status = $this->waitForChild($pid, 30);
        $result = json_decode((string) file_get_contents($resultFile), true);
        unlink($resultFile);
        $this->assertTrue(pcntl_wifexited($status), 'the child exited normally (it did not hang or crash)');
        $this->assertSame(0, pcntl_wexitstatus($status), json_encode($result));
        $this->assertSame($tid, $result['paycert_tid']);
        $this->assertSame($tid, $result['verify_tid']);
        $this->assertTrue($result['closed'], 'the child could free the client');

        // The parent's pool and TOKEN cache are untouched by the child.
        $this->assertSame($tid, $client->paycert($tid)['TID']);
        $again = $client->token();
        $this->assertTrue($again['cached']);
        $this->assertSame($parentToken, $again['TOKEN']);
    }

    /** In the child: use the inherited client, free it, report. */
    private function runChild($client, string $tid, string $orderNo, string $resultFile): void
    {
        $result = [];
        $code = 1;
        try {
            $result['paycert_tid'] = $client->paycert($tid)['TID'];
            $result['verify_tid'] = $client->verify($tid, ['ORDERNO' => $orderNo, 'AMOUNT' => 9900])['TID'];
            $client->close();
            $result['closed'] = true;
            $code = 0;
        } catch (\Throwable $e) {
            $result['error'] = get_class($e) . ': ' . $e->getMessage();
        }
        file_put_contents($resultFile, json_encode($result));
        // The sandbox's shutdown hook only acts in the process that started it.
        exit($code);
    }

    private function waitForChild(int $pid, int $seconds): int
    {
        $status = 0;
        $deadline = microtime(true) + $seconds;
        while (pcntl_waitpid($pid, $status, WNOHANG) === 0) {
            if (microtime(true) > $deadline) {
                posix_kill($pid, SIGKILL);
                pcntl_waitpid($pid, $status);
                $this->fail("the child did not finish within $seconds s (a fork-unsafe pool hangs)");
            }
            usleep(10000);
        }
        return $status;
    }
}
