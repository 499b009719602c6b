<?php

namespace CookiePay\Backend\Pure;

/**
 * HTTP to CookiePay over ext-curl (transport.rs): one curl handle per process (per trust setting), so
 * its connection cache keeps connections alive from call to call (PHP drops it when a web request ends);
 * one deadline per exchange (timeout_ms, connect included), the 1 MiB answer cap, and retries of
 * repeatable calls only.
 *
 * @internal
 */
final class Transport
{
    const MAX_RESPONSE_BYTES = 1048576;
    const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

    /**
     * @var array the process's handles: one per trust anchors and proxy choice (libcurl would reuse a
     *     TLS connection verified against another CA bundle), in practice one
     */
    private static $curl = [];
    /** @var int the process that made $curl: a fork()ed child must not share its sockets */
    private static $pid = 0;
    /** @var array handles inherited over fork(): kept, never closed, so the parent's connections survive */
    private static $inherited = [];
    /** @var string|null the system's CA bundle, read once */
    private static $systemBundle;
    /** @var array pem hash => CA file, where CURLOPT_CAINFO_BLOB is missing */
    private static $caFiles = [];
    /** @var bool|null whether CURLOPT_CAINFO_BLOB exists (PHP 8.2+ with libcurl 7.77+); tests turn it off */
    private static $blob;

    /** @var Config */
    private $config;

    public function __construct(Config $config)
    {
        $this->config = $config;
    }

    public function baseUrl(): string
    {
        return $this->config->baseUrl;
    }

    /**
     * POST $body to $path; retried (reads only) on connection errors and 5xx. Any status is returned.
     *
     * @param string[] $headers "Name: value" lines
     * @return array ['status' => int, 'content_type' => ?string, 'body' => string]
     */
    public function post(string $path, array $headers, string $body, bool $sendOnce, ?callable $each = null): array
    {
        $retries = $sendOnce ? 0 : $this->config->maxRetries;
        for ($attempt = 0;; $attempt++) {
            $failure = null;
            $answer = null;
            $started = microtime(true);
            try {
                $answer = $this->postOnce($path, $headers, $body, $sendOnce);
                $retry = $answer['status'] >= 500;
            } catch (Failure $f) {
                $failure = $f;
                // DNS and TLS failures do not heal in a second; connection drops often do.
                $retry = $f->kind === 'network' && ($f->fields['phase'] === 'connect' || $f->fields['phase'] === 'read');
            }
            if ($each !== null) {
                // Each attempt as it ends, numbered from 1 (transport.rs post_each).
                $each($attempt + 1, $answer, $failure, (microtime(true) - $started) * 1000);
            }
            if (!$retry || $attempt >= $retries) {
                if ($failure !== null) {
                    throw $failure;
                }
                return $answer;
            }
            usleep($this->backoffMicros($attempt));
        }
    }

    /** Exponential backoff with jitter in [50%, 100%] of the step, capped. */
    private function backoffMicros(int $attempt): int
    {
        $step = min($this->config->retryBaseDelayMs * (2 ** min($attempt, 30)), $this->config->retryMaxDelayMs);
        return (int) ($step * (0.5 + mt_rand(0, 999) / 2000) * 1000);
    }

    private function postOnce(string $path, array $headers, string $body, bool $sendOnce): array
    {
        $curl = $this->handle();
        $received = '';
        $tooLarge = false;
        $offset = 0;
        $options = [
            CURLOPT_URL => $this->config->requestBase . $path,
            // The body comes from a read callback that cannot rewind: when a kept-alive connection dies
            // after the request was written, libcurl cannot send it again behind our back (it would),
            // and the failure is reported as the core reports it.
            CURLOPT_UPLOAD => true,
            CURLOPT_CUSTOMREQUEST => 'POST',
            CURLOPT_INFILESIZE => strlen($body),
            CURLOPT_READFUNCTION => function ($ch, $stream, int $length) use (&$body, &$offset): string {
                $chunk = (string) substr($body, $offset, $length);
                $offset += strlen($chunk);
                return $chunk;
            },
            CURLOPT_HTTPHEADER => array_merge(['Content-Type: ' . self::JSON_CONTENT_TYPE, 'Expect:'], $headers),
            CURLOPT_USERAGENT => $this->config->userAgent,
            CURLOPT_CONNECTTIMEOUT_MS => $this->config->connectTimeoutMs,
            CURLOPT_TIMEOUT_MS => $this->config->timeoutMs,
            // A redirected POST would silently become a GET elsewhere: report it instead.
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_HTTP_VERSION => CURL_HTTP_VERSION_1_1,
            CURLOPT_TCP_NODELAY => true,
            CURLOPT_NOSIGNAL => true,
            CURLOPT_SSL_VERIFYPEER => true,
            CURLOPT_SSL_VERIFYHOST => 2,
            CURLOPT_MAXFILESIZE => self::MAX_RESPONSE_BYTES,
            CURLOPT_WRITEFUNCTION => function ($ch, string $data) use (&$received, &$tooLarge): int {
                if (strlen($received) + strlen($data) > self::MAX_RESPONSE_BYTES) {
                    $tooLarge = true;
                    return 0;
                }
                $received .= $data;
                return strlen($data);
            },
        ];
        if ($this->config->caCertPem !== null && !(self::$blob ?? defined('CURLOPT_CAINFO_BLOB'))) {
            $options[CURLOPT_CAINFO] = self::caFile($this->config->caCertPem);
        }
        // Every option that varies between calls is set on every call; the trust anchors and the proxy
        // choice are the handle's own (set once: reloading a CA bundle per call costs a millisecond).
        curl_setopt_array($curl, $options);
        $started = microtime(true);
        $ok = curl_exec($curl);
        $errno = curl_errno($curl);
        if ($ok === false || $errno !== 0) {
            throw $this->classify($curl, $errno, $tooLarge, $sendOnce, (microtime(true) - $started) * 1000);
        }
        $type = curl_getinfo($curl, CURLINFO_CONTENT_TYPE);
        return [
            'status' => (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE),
            'content_type' => is_string($type) ? $type : null,
            'body' => $received,
        ];
    }

    /** @param resource|\CurlHandle $curl */
    private function classify($curl, int $errno, bool $tooLarge, bool $sendOnce, float $elapsedMs): Failure
    {
        $sent = $sendOnce ? Failure::UNKNOWN : Failure::NOT_APPLIED;
        $cause = curl_error($curl);
        if ($tooLarge || $errno === 63 || ($errno === 23 && $tooLarge)) {
            return Failure::decode(sprintf("CookiePay's answer is larger than %d bytes", self::MAX_RESPONSE_BYTES), '');
        }
        if ($errno === 28) {
            // A connect timeout means nothing was sent; the whole deadline leaves it open.
            $connected = (float) curl_getinfo($curl, CURLINFO_PRETRANSFER_TIME) > 0;
            $connectTimeout = !$connected && $elapsedMs < $this->config->timeoutMs - 1;
            return Failure::timeout($this->config->timeoutMs, $connectTimeout ? Failure::NOT_APPLIED : $sent);
        }
        if ($errno === 5 || $errno === 6) {
            return Failure::network('dns', 'the host name did not resolve: ' . $cause, Failure::NOT_APPLIED);
        }
        if ($errno === 7) {
            return Failure::network('connect', 'could not connect (is a firewall blocking outgoing HTTPS?): ' . $cause, Failure::NOT_APPLIED);
        }
        if (in_array($errno, [35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98], true)) {
            return Failure::network(
                'tls',
                'TLS handshake failed (an inspecting proxy, or a CA the client does not trust?): ' . $cause,
                Failure::NOT_APPLIED
            );
        }
        return Failure::network('read', 'connection failed while waiting for the answer: ' . $cause, $sent);
    }

    /** @return resource|\CurlHandle this config's handle: one per trust anchors and proxy choice */
    private function handle()
    {
        $pid = (int) getmypid();
        if (self::$pid !== $pid) {
            // A fork()ed child must not talk on its parent's connections, nor close them.
            foreach (self::$curl as $inherited) {
                self::$inherited[] = $inherited;
            }
            self::$curl = [];
            self::$pid = $pid;
        }
        $pem = $this->config->caCertPem;
        $blob = self::$blob ?? defined('CURLOPT_CAINFO_BLOB');
        $key = ($this->config->envProxy ? 'proxy:' : 'direct:') . ($pem === null ? '' : sha1($pem) . ($blob ? ':blob' : ':file'));
        if (!isset(self::$curl[$key])) {
            $curl = curl_init();
            if ($curl === false) {
                throw Failure::internal('curl_init failed');
            }
            $fixed = [];
            if (!$this->config->envProxy) {
                $fixed[CURLOPT_PROXY] = '';
                $fixed[CURLOPT_NOPROXY] = '*';
            }
            if ($pem !== null && $blob) {
                $fixed[constant('CURLOPT_CAINFO_BLOB')] = self::systemBundle() . "\n" . $pem . "\n";
            }
            curl_setopt_array($curl, $fixed);
            self::$curl[$key] = $curl;
        }
        return self::$curl[$key];
    }

    /**
     * Where CURLOPT_CAINFO_BLOB is missing (PHP before 8.2): the system's anchors and ca_cert_pem in a
     * file of our own (tempnam: a new name, mode 0600), never one found under a guessable name in a temp
     * folder other users may share; removed when the request ends, written again when needed.
     */
    private static function caFile(string $pem): string
    {
        $bundle = self::systemBundle() . "\n" . $pem . "\n";
        $key = sha1($bundle);
        if (!isset(self::$caFiles[$key]) || !@is_file(self::$caFiles[$key])) {
            $file = @tempnam(sys_get_temp_dir(), 'cookiepay-ca-');
            if ($file === false || @file_put_contents($file, $bundle) === false) {
                throw Failure::invalid('cannot write ca_cert_pem to a file in ' . sys_get_temp_dir());
            }
            register_shutdown_function(function () use ($file): void {
                @unlink($file);
            });
            self::$caFiles[$key] = $file;
        }
        return self::$caFiles[$key];
    }

    private static function systemBundle(): string
    {
        if (self::$systemBundle === null) {
            self::$systemBundle = '';
            $candidates = [(string) ini_get('curl.cainfo'), (string) ini_get('openssl.cafile'), '/etc/ssl/certs/ca-certificates.crt',
                '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem', '/etc/ssl/ca-bundle.pem'];
            foreach ($candidates as $file) {
                // open_basedir may hide it: then only ca_cert_pem is trusted.
                if ($file !== '' && @is_readable($file)) {
                    self::$systemBundle = (string) @file_get_contents($file);
                    break;
                }
            }
        }
        return self::$systemBundle;
    }
}
