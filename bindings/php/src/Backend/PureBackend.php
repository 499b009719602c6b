<?php

namespace CookiePay\Backend;

use CookiePay\Backend\Pure\Config;
use CookiePay\Backend\Pure\ConfirmNoti;
use CookiePay\Backend\Pure\Failure;
use CookiePay\Backend\Pure\Gateway;
use CookiePay\Backend\Pure\Inbound;
use CookiePay\Backend\Pure\Json;
use CookiePay\Backend\Pure\Operations;
use CookiePay\Backend\Pure\Secrets;
use CookiePay\Exception\CookiePayException;

/**
 * The core's behaviour in plain PHP (ext-curl, ext-json), for hosts where FFI is off: the same
 * requests, validation, TOKEN policy, retries, scrubbing and error objects as libcookiepay, whose
 * Rust source (src/) is the specification. Its parts live in Backend/Pure/.
 *
 * @internal use CookiePay\Client
 */
final class PureBackend implements Backend
{
    /** The core's version this port follows (Cargo.toml). */
    const VERSION = '0.1.0';
    const MAX_REQUEST_BYTES = 1048576;

    const OPERATIONS = [
        'cookiepay_token' => 'token',
        'cookiepay_ready' => 'ready',
        'cookiepay_decrypt' => 'decrypt',
        'cookiepay_paycert' => 'paycert',
        'cookiepay_verify' => 'verify',
        'cookiepay_billkeygen' => 'billkeygen',
        'cookiepay_recurring_charge' => 'recurringCharge',
        'cookiepay_schedule_cancel' => 'scheduleCancel',
        'cookiepay_billkey_delete' => 'billkeyDelete',
        'cookiepay_cancel' => 'cancel',
        'cookiepay_paysearch' => 'paysearch',
        'cookiepay_receipt_url' => 'receiptUrl',
        'cookiepay_request' => 'request',
        // Not an Operations method: confirm_noti.rs lives in Pure/ConfirmNoti.php, on paycert.
        'cookiepay_confirm_noti' => 'confirmNoti',
    ];

    /** @var Gateway|null null once closed */
    private $gateway;
    /** @var Operations|null */
    private $operations;

    /** @throws CookiePayException invalid_argument or validation for a bad config, as the core */
    public function __construct(
        #[\SensitiveParameter]
        string $configJson,
        ?ExchangeLog $log = null
    ) {
        try {
            $config = Config::fromJson($configJson);
        } catch (Failure $f) {
            $error = self::errorOf($f, []);
            throw CookiePayException::fromError($error[0], $error[1]);
        }
        $this->gateway = new Gateway($config, $log === null ? null : [$log, 'add']);
        $this->operations = new Operations($this->gateway);
    }

    public function name(): string
    {
        return 'php';
    }

    public function call(
        string $function,
        #[\SensitiveParameter]
        string $requestJson
    ): array {
        $request = null;
        try {
            $request = self::parseRequest($requestJson);
            return $this->run($function, $request);
        } catch (Failure $f) {
            // Built here, not in a helper taking the secrets: a trace shows its frames' arguments.
            $error = self::errorOf($f, $this->secrets($request));
            throw CookiePayException::fromError($error[0], $error[1]);
        }
    }

    public function callSensitive(
        string $function,
        #[\SensitiveParameter]
        string &$requestJson
    ): array {
        $request = null;
        try {
            $json = $requestJson;
            $requestJson = '';
            $request = self::parseRequest($json);
            $json = '';
            return $this->run($function, $request);
        } catch (Failure $f) {
            // Built here, not in a helper taking the secrets: a trace shows its frames' arguments.
            $error = self::errorOf($f, $this->secrets($request));
            throw CookiePayException::fromError($error[0], $error[1]);
        }
    }

    public function close(): void
    {
        $this->gateway = null;
        $this->operations = null;
    }

    public static function parseReturn(string $body): array
    {
        try {
            return Inbound::parseReturn($body);
        } catch (Failure $f) {
            $error = self::errorOf($f, []);
            throw CookiePayException::fromError($error[0], $error[1]);
        }
    }

    public static function parseNoti(string $body): array
    {
        try {
            if (strpos($body, "\0") !== false) {
                throw Failure::invalid('the Noti body contains a NUL byte');
            }
            return Json::plain(Inbound::parseNoti($body));
        } catch (Failure $f) {
            $error = self::errorOf($f, []);
            throw CookiePayException::fromError($error[0], $error[1]);
        }
    }

    private function run(string $function, array $request): array
    {
        if ($this->operations === null) {
            throw Failure::invalid('client is NULL');
        }
        if (!isset(self::OPERATIONS[$function])) {
            throw Failure::internal('no operation ' . $function);
        }
        $method = self::OPERATIONS[$function];
        // The exchanges name the operation as the core's do (channel.rs in_operation).
        $this->gateway->operation = substr($function, strlen('cookiepay_'));
        try {
            if ($method === 'confirmNoti') {
                return Json::plain(ConfirmNoti::call($this->gateway, $request));
            }
            return Json::plain($this->operations->$method($request));
        } finally {
            $this->gateway->operation = '';
        }
    }

    private static function parseRequest(string $json): array
    {
        if (strlen($json) > self::MAX_REQUEST_BYTES) {
            throw Failure::invalid('the request is larger than ' . self::MAX_REQUEST_BYTES . ' bytes');
        }
        $request = Json::decode($json, $kind);
        if ($kind === 'invalid') {
            throw Failure::invalid('the request is not valid JSON');
        }
        if ($kind !== 'object') {
            throw Failure::invalid('the request must be a JSON object');
        }
        return $request;
    }

    /** What an error of this call must not show: the key, the cached TOKEN, the request's card data. */
    private function secrets(?array $request): array
    {
        $secrets = $this->gateway !== null ? $this->gateway->secrets() : [];
        return $request !== null ? array_merge($secrets, Secrets::cardValues($request)) : $secrets;
    }

    /**
     * The error object of a failure, scrubbed as a whole (as the core scrubs its envelope).
     *
     * @return array [error, its JSON]
     */
    private static function errorOf(
        Failure $f,
        #[\SensitiveParameter]
        array $secrets
    ): array {
        $json = Secrets::scrub(Json::encode($f->toError()), $secrets);
        $error = json_decode($json, true);
        if (!is_array($error)) {
            $error = ['kind' => 'internal', 'message' => 'internal error: the error of a ' . $f->kind . ' failure could not be written'];
            $json = Json::encode($error);
        }
        return [$error, $json];
    }
}
