<?php

namespace CookiePay\Tests;

use CookiePay\Backend\Pure\Transport;
use CookiePay\Client;
use CookiePay\Exception\NetworkException;
use CookiePay\Tests\Support\Internals;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * What only the pure backend has: ca_cert_pem through a temp file on PHPs without
 * CURLOPT_CAINFO_BLOB (before 8.2, what many shared hosts run). Forces the pure backend, so it runs in
 * both suite runs.
 */
final class PureTransportTest extends TestCase
{
    /** @var \ReflectionProperty */
    private $blob;

    protected function setUp(): void
    {
        $this->blob = Internals::property(Transport::class, 'blob');
    }

    protected function tearDown(): void
    {
        $this->blob->setValue(null, null);
    }

    public function testCaCertPemGoesThroughAFileOfItsOwnWithoutTheBlobOption(): void
    {
        $this->blob->setValue(null, false);
        $client = new Client(Sandbox::config(['backend' => 'php', 'base_url' => Sandbox::$https, 'ca_cert_pem' => Sandbox::$caPem, 'shared' => false]));
        $this->assertFalse($client->token()['cached']);
        $this->assertTrue($client->token(true)['cached'] === false, 'a second exchange over the same trust');

        // The files holding this bundle (on a PHP before 8.2 an earlier test may have written it: the
        // file is kept for the process, so it is not necessarily new).
        $files = array_values(array_filter(glob(sys_get_temp_dir() . '/cookiepay-ca-*') ?: [], function (string $file): bool {
            return strpos((string) file_get_contents($file), trim(Sandbox::$caPem)) !== false;
        }));
        $this->assertCount(1, $files, 'one file for this bundle');
        $this->assertSame('0600', substr(sprintf('%o', fileperms($files[0])), -4), 'readable by this user only');
        $this->assertStringContainsString(trim(Sandbox::$caPem), (string) file_get_contents($files[0]));

        // Without the sandbox's CA the same host is refused: the file is what made it trusted.
        $untrusted = new Client(Sandbox::config(['backend' => 'php', 'base_url' => Sandbox::$https, 'max_retries' => 0, 'shared' => false]));
        try {
            $untrusted->token();
            $this->fail('an untrusted certificate was accepted');
        } catch (NetworkException $e) {
            $this->assertSame('tls', $e->getPhase());
        }
    }

    public function testCaCertPemWithTheBlobOption(): void
    {
        if (!defined('CURLOPT_CAINFO_BLOB') && (PHP_VERSION_ID < 80200 || Support\Backends::phpWasm())) {
            $this->markTestSkipped('PHP version: no CURLOPT_CAINFO_BLOB (PHP 8.2+ with libcurl 7.77+; the test above covers the file used instead)');
        }
        $this->assertTrue(defined('CURLOPT_CAINFO_BLOB'), 'PHP 8.2 has CURLOPT_CAINFO_BLOB');
        $client = new Client(Sandbox::config(['backend' => 'php', 'base_url' => Sandbox::$https, 'ca_cert_pem' => Sandbox::$caPem, 'shared' => false]));
        $this->assertFalse($client->token()['cached']);
    }
}
