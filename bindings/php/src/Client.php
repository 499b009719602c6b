<?php

namespace CookiePay;

use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\InvalidArgumentException;
use FFI\CData;

/**
 * A CookiePay client for one credential pair (연동 id + key). Every method returns the core's `data`
 * as a plain array, or throws the CookiePayException subclass of the error kind.
 *
 * Requests are the manual's field names; the core validates, retries, caches the TOKEN and keeps the
 * connections alive. See the repository README for every field.
 */
final class Client
{
    /** @var CData|null the native handle; null once closed */
    private $handle;

    /** @var string for debug output: the id, never the key */
    private $apiId;

    /**
     * @param array $config api_id, api_key, env ("sandbox"/"live") or base_url, connect_timeout_ms,
     *     timeout_ms, ca_cert_pem, max_retries, retry_base_delay_ms, retry_max_delay_ms; and lib_path,
     *     the libcookiepay file to load (default: COOKIEPAY_LIB, then the package's lib/ folder)
     * @throws CookiePayException ValidationException for a bad config, LibraryException when FFI or
     *     the library cannot be used
     */
    public function __construct(
        #[\SensitiveParameter]
        array $config
    ) {
        $libPath = isset($config['lib_path']) ? (string) $config['lib_path'] : null;
        unset($config['lib_path']);
        $config['binding'] = 'php/' . PHP_VERSION;
        $this->handle = Native::newClient(Native::encode($config), $libPath);
        $this->apiId = isset($config['api_id']) && is_string($config['api_id']) ? $config['api_id'] : '';
    }

    /**
     * The TOKEN for paycert, cached until shortly before it expires.
     *
     * @return array ['TOKEN' => ..., 'expires_at' => unix seconds, 'cached' => bool]
     */
    public function token(bool $forceRefresh = false): array
    {
        return $this->call('cookiepay_token', $forceRefresh ? ['force_refresh' => true] : []);
    }

    /**
     * Open the payment window (/pay/ready). Store the order as pending first: a TimeoutException
     * with an unknown outcome means the window may exist.
     *
     * @param array $order ORDERNO, PRODUCTNAME, AMOUNT, BUYERNAME, RETURNURL and the optional fields
     * @return array ['html' => the window to send to the browser, 'ORDERNO' => ..., 'AMOUNT' => ...]
     */
    public function ready(array $order): array
    {
        return $this->call('cookiepay_ready', $order);
    }

    /**
     * Decrypt the ENC_DATA of the return post.
     *
     * @return array the payment: RESULTCODE, ORDERNO, AMOUNT, TID, BILLKEY, ACCEPTNO/ACCEPT_NO, ...
     */
    public function decrypt(string $encData): array
    {
        return $this->call('cookiepay_decrypt', ['ENC_DATA' => $encData]);
    }

    /**
     * The payment as CookiePay has it (/api/paycert).
     */
    public function paycert(string $tid): array
    {
        return $this->call('cookiepay_paycert', ['tid' => $tid]);
    }

    /**
     * paycert, compared with what you stored (결제정보 검증): every key of $expected must match, and
     * the payment must not be cancelled; otherwise VerificationException.
     *
     * @param array $expected e.g. ['ORDERNO' => 'A-1', 'AMOUNT' => 9900]
     * @return array the payment
     */
    public function verify(string $tid, array $expected): array
    {
        return $this->call('cookiepay_verify', ['tid' => $tid, 'expected' => (object) $expected]);
    }

    /**
     * Parse the raw body CookiePay's window posts to RETURNURL (give the raw body, not $_POST:
     * ENC_DATA is Base64 and its '+' must survive). No network.
     *
     * @return array ['encrypted' => bool, 'success' => bool, 'API_ID', 'RESULTCODE', 'RESULTMSG', 'ENC_DATA' ...]
     */
    public static function parseReturn(string $rawBody): array
    {
        return Native::parseReturn($rawBody);
    }

    /**
     * parseReturn() of this request's raw body (php://input).
     */
    public static function parseReturnFromInput(string $stream = 'php://input'): array
    {
        $body = @file_get_contents($stream);
        if ($body === false) {
            throw new InvalidArgumentException('cannot read the request body from ' . $stream);
        }
        return Native::parseReturn($body);
    }

    /** The libcookiepay version, e.g. "0.1.0". */
    public static function version(): string
    {
        return Native::version();
    }

    /** Release the native client now instead of at garbage collection; later calls throw. */
    public function close(): void
    {
        if ($this->handle !== null) {
            $handle = $this->handle;
            $this->handle = null;
            Native::freeClient($handle);
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    /** Two objects owning one native handle would free it twice. */
    private function __clone()
    {
    }

    public function __debugInfo(): array
    {
        return ['api_id' => $this->apiId, 'open' => $this->handle !== null];
    }

    private function call(string $function, array $request): array
    {
        return Native::call($function, $this->handle, Native::encode($request));
    }
}
