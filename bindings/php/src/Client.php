<?php

namespace CookiePay;

use CookiePay\Backend\Backend;
use CookiePay\Backend\ExchangeLog;
use CookiePay\Backend\FfiBackend;
use CookiePay\Backend\LoggedBackend;
use CookiePay\Backend\PureBackend;
use CookiePay\Backend\Selector;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\InvalidArgumentException;
use CookiePay\Exception\NotiNotConfirmedException;
use CookiePay\Exception\ValidationException;

/**
 * A CookiePay client for one credential pair (연동 id + key). Every method returns the core's `data`
 * as a plain array, or throws the CookiePayException subclass of the error kind.
 *
 * Requests are the manual's field names; the core validates, retries, caches the TOKEN and keeps the
 * connections alive. See the repository README for every field.
 *
 * Calls that change state (billkeygen, recurringCharge, cancel, scheduleCancel, billkeyDelete,
 * request) are never retried. When one fails with getOutcome() "unknown", it may have happened:
 * never simply run it again — the exception's message ends with what settles it for that call (a
 * partial refund, for one, shows in no lookup: CookiePay's dashboard). README: "Calls that change
 * state are never retried".
 *
 * Two backends do the work: libcookiepay through FFI, or the same behaviour in plain PHP where FFI is
 * off (backend(); the config's "backend": "ffi", "php" or "auto", the default).
 */
final class Client
{
    /** @var Backend */
    private $backend;

    /** @var bool */
    private $open = true;

    /** @var string for debug output: the id, never the key */
    private $apiId;

    /**
     * @param array $config api_id, api_key, env ("sandbox"/"live") or base_url, connect_timeout_ms,
     *     timeout_ms, ca_cert_pem, max_retries, retry_base_delay_ms, retry_max_delay_ms, shared; and this
     *     binding's backend ("ffi", "php" or "auto": FFI when usable, else plain PHP; default: the
     *     environment variable COOKIEPAY_PHP_BACKEND, else "auto") and lib_path, the libcookiepay file
     *     to load (default: COOKIEPAY_LIB, then the package's lib/ folder); logger, any PSR-3 logger: one
     *     record per HTTP exchange, never a secret (README "Logging")
     * @throws CookiePayException ValidationException for a bad config, LibraryException when FFI or
     *     the library cannot be used with the "ffi" backend
     */
    public function __construct(
        #[\SensitiveParameter]
        array $config
    ) {
        $libPath = isset($config['lib_path']) ? (string) $config['lib_path'] : null;
        $choice = array_key_exists('backend', $config) ? $config['backend'] : null;
        $log = ExchangeLog::of($config['logger'] ?? null);
        unset($config['lib_path'], $config['backend'], $config['logger']);
        $config['binding'] = 'php/' . PHP_VERSION;
        $this->apiId = isset($config['api_id']) && is_string($config['api_id']) ? $config['api_id'] : '';
        $backend = Selector::usePure($choice, $libPath)
            ? new PureBackend(Native::encode($config), $log)
            : new FfiBackend(Native::encode($config), $libPath, $log);
        $this->backend = $log === null ? $backend : new LoggedBackend($backend, $log);
    }

    /** Which backend this client runs on: "ffi" (libcookiepay) or "php" (plain PHP, no FFI). */
    public function backend(): string
    {
        return $this->backend->name();
    }

    /**
     * The TOKEN for paycert, cached until shortly before it expires.
     *
     * @return array ['TOKEN' => ..., 'expires_at' => unix seconds, 'cached' => bool]
     */
    public function token(bool $forceRefresh = false): array
    {
        return $this->backend->call('cookiepay_token', $forceRefresh ? '{"force_refresh":true}' : '{}');
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
        return $this->backend->call('cookiepay_ready', Native::encode($order));
    }

    /**
     * Decrypt the ENC_DATA of the return post.
     *
     * @return array the payment: RESULTCODE, ORDERNO, AMOUNT, TID, BILLKEY, ACCEPTNO/ACCEPT_NO, ...
     */
    public function decrypt(string $encData): array
    {
        return $this->backend->call('cookiepay_decrypt', Native::encode(['ENC_DATA' => $encData]));
    }

    /**
     * The payment as CookiePay has it (/api/paycert).
     */
    public function paycert(string $tid): array
    {
        return $this->backend->call('cookiepay_paycert', Native::encode(['tid' => $tid]));
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
        return $this->backend->call('cookiepay_verify', Native::encode(['tid' => $tid, 'expected' => (object) $expected]));
    }

    /**
     * Issue a billing key and take the first payment (/Subscribe/billkeygen, 비인증 정기결제), and with
     * RECURRENCE_PAY "Y" register a recurring schedule in the same call. The card data passes through
     * your server here only: it is checked before anything is sent (Luhn, EXPIREDT YYMM not past,
     * CARDAUTH 6 or 10 digits, CARDPWD 2 digits) and never appears in an exception, trace or dump.
     *
     * A money call: never retried. A TimeoutException or NetworkException with an unknown outcome
     * means the card may have been charged: look the ORDERNO up with paysearch() before trying again.
     *
     * @param array $request ORDERNO, PRODUCTNAME, AMOUNT, BUYERNAME, optional BUYEREMAIL, BUYERID,
     *     BUYERADDRESS, BUYERPHONE, PRODUCTCODE, ETC1–ETC5; the card: CARDNO, EXPIREDT (YYMM), CARDAUTH
     *     (birth date YYMMDD or 10-digit business number), CARDPWD (first 2 digits), QUOTA ("00"…);
     *     optional schedule RECURRENCE_PAY ("Y"), RECURRENCE_TYPE ("M" monthly, "W" weekly), PAY_DAY,
     *     START_PAY_CNT, LAST_PAY_CNT. API_ID is filled in; ENC_YN is "N" unless given.
     * @return array every field CookiePay answered (BILLKEY, TID, GENDATE, RESERVE_ID, RESERVE_*, …)
     *     plus 'charged' => true and 'scheduled' => true, false or null (no schedule asked for).
     *     'scheduled' false = charged, but the schedule failed (RESERVE_RESULTCODE, RESERVE_RESULTMSG
     *     say why): keep the BILLKEY and TID and do NOT charge again.
     * @throws ValidationException a bad field, every one named, nothing sent
     * @throws ApiException the card was declined (getApiCode(), e.g. "C001")
     */
    public function billkeygen(
        #[\SensitiveParameter]
        array $request
    ): array {
        $json = Native::encodeOrNull($request, $problem);
        // PHP before 8.2 ignores #[\SensitiveParameter], and a trace shows a parameter's current value:
        // overwrite the card fields here so that no exception thrown below carries them.
        $request = Native::redactCard($request);
        if ($json === null) {
            throw new InvalidArgumentException('the request cannot be encoded as JSON: ' . $problem);
        }
        return $this->backend->callSensitive('cookiepay_billkeygen', $json);
    }

    /**
     * Charge a registered schedule now (/Subscribe/recurrence_request_payment), e.g. to retry a
     * cycle that was declined. A money call: never retried; on an unknown outcome look the payment
     * up with paysearch() before charging again.
     *
     * @return array the payment, decrypted: RESULTCODE, TID, ORDERNO (made by CookiePay, "SRS…"),
     *     AMOUNT, PAY_CNT, NEXT_PAY_DATE, ACCEPT_NO/ACCEPTNO, …
     * @throws ApiException declined (its code, getLayer() "inner"), or "E103": the schedule was cancelled
     */
    public function recurringCharge(string $reserveId, string $billkey): array
    {
        return $this->backend->call('cookiepay_recurring_charge', Native::encode(['RESERVE_ID' => $reserveId, 'BILLKEY' => $billkey]));
    }

    /**
     * End a recurring schedule (/Subscribe/recurrence_schedule_cancel). Cancelling one that is
     * already cancelled (CookiePay's E103) is not an error. Sent once (never retried); on an unknown
     * outcome send it again: 'already_cancelled' says whether the lost one had cancelled it.
     *
     * @return array CookiePay's fields plus 'already_cancelled' => bool and 'cancelled_at'
     *     ("YYYY-MM-DD HH:MM:SS" when already cancelled, else null)
     */
    public function scheduleCancel(string $reserveId): array
    {
        return $this->backend->call('cookiepay_schedule_cancel', Native::encode(['RESERVE_ID' => $reserveId]));
    }

    /**
     * Dispose of a billing key (/Subscribe/billingkeycancel, 빌링키 폐기). Ending a subscription is
     * scheduleCancel() and billkeyDelete(): deleting the key is not known to stop its schedule.
     * Sent once (never retried); on an unknown outcome check the key in CookiePay's dashboard (no
     * public answer tells). An "already disposed" answer is an ApiException: disposed of before.
     *
     * @return array CookiePay's fields
     */
    public function billkeyDelete(string $billkey): array
    {
        return $this->backend->call('cookiepay_billkey_delete', Native::encode(['BILLKEY' => $billkey]));
    }

    /**
     * Refund a payment, in whole or in part (/api/cancel). A money call: never retried; on an
     * unknown outcome the message says what settles it: a whole refund, paycert() (CANCELDATE is set
     * when it went through); a partial one, CookiePay's dashboard (no lookup shows it) — never resend
     * it blindly.
     *
     * @param int|null $amount the amount to refund; null = the whole (remaining) payment
     * @param array $refundAccount for a virtual-account payment: 'bank', 'account_no', 'account_name'
     * @return array cancel_tid, cancel_code, cancel_msg, cancel_date, cancel_amt and 'already_cancelled'
     *     => bool (true: CookiePay says it was cancelled before; nothing more was refunded now)
     * @throws ApiException e.g. code "9029": settled already, only 입금후 취소 can refund it
     */
    public function cancel(string $tid, string $reason, ?int $amount = null, array $refundAccount = []): array
    {
        $unknown = array_diff(array_keys($refundAccount), ['bank', 'account_no', 'account_name']);
        if ($unknown !== []) {
            throw new InvalidArgumentException('unknown refund account field(s): ' . implode(', ', $unknown)
                . ' (expected bank, account_no, account_name)');
        }
        $request = ['tid' => $tid, 'reason' => $reason] + $refundAccount;
        if ($amount !== null) {
            $request['amount'] = $amount;
        }
        return $this->backend->call('cookiepay_cancel', Native::encode($request));
    }

    /**
     * Look a payment up by its TID (/api/paysearch): e.g. to settle a money call whose outcome is
     * unknown, or to check a payment a Noti reported.
     *
     * @return array the list of payments found (empty when CookiePay has none: its E008 is not an error)
     */
    public function paysearchByTid(string $tid): array
    {
        return self::payments($this->backend->call('cookiepay_paysearch', Native::encode(['tid' => $tid])));
    }

    /**
     * The payments between two days (/api/paysearch), both included.
     *
     * @param string $from YYYY-MM-DD
     * @param string $to YYYY-MM-DD
     * @return array the list of payments (paycert's fields each); empty when there are none
     */
    public function paysearch(string $from, string $to): array
    {
        return self::payments($this->backend->call('cookiepay_paysearch', Native::encode(['from' => $from, 'to' => $to])));
    }

    /** The address of a payment's receipt (전표) page, to open in a popup. No network. */
    public function receiptUrl(string $tid): string
    {
        $data = $this->backend->call('cookiepay_receipt_url', Native::encode(['tid' => $tid]));
        return isset($data['url']) ? (string) $data['url'] : '';
    }

    /**
     * The escape hatch: POST a JSON body to any CookiePay path with the headers it needs, for an
     * endpoint this library does not wrap yet. Never retried (it may move money).
     *
     * @param string $path e.g. "/api/paylist"
     * @param array $body the JSON body (API_ID is not added for you)
     * @param array $auth which headers to send: any of "api_key" (ApiKey) and "token" (TOKEN)
     * @return array ['status' => the HTTP status, 'body' => the answer: an array when it is JSON, else the text]
     */
    public function request(
        string $path,
        #[\SensitiveParameter]
        array $body,
        array $auth = ['token']
    ): array {
        return $this->backend->call('cookiepay_request', Native::encode(['path' => $path, 'auth' => array_values($auth), 'body' => (object) $body]));
    }

    /**
     * Parse the raw body CookiePay's window posts to RETURNURL (give the raw body, not $_POST:
     * ENC_DATA is Base64 and its '+' must survive). No network.
     *
     * @return array ['encrypted' => bool, 'success' => bool, 'API_ID', 'RESULTCODE', 'RESULTMSG', 'ENC_DATA' ...]
     */
    public static function parseReturn(string $rawBody): array
    {
        return (Selector::$staticPure ?? Selector::decideStatic()) ? PureBackend::parseReturn($rawBody) : Native::parseReturn($rawBody);
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
        return self::parseReturn($body);
    }

    /**
     * Parse the raw JSON body CookiePay POSTs to your 통지 URL (Noti). No network.
     *
     * A Noti is not authenticated: anyone can post one, and every field here is the poster's claim.
     * To act on a Noti use confirmNoti(), which returns CookiePay's own answer instead.
     *
     * @return array its fields plus 'kind' ("payment", "recurring" or "cancel") and 'dedup_key'
     */
    public static function parseNoti(string $rawBody): array
    {
        return (Selector::$staticPure ?? Selector::decideStatic()) ? PureBackend::parseNoti($rawBody) : Native::parseNoti($rawBody);
    }

    /**
     * parseNoti() of this request's raw body (php://input).
     */
    public static function parseNotiFromInput(string $stream = 'php://input'): array
    {
        $body = @file_get_contents($stream);
        if ($body === false) {
            throw new InvalidArgumentException('cannot read the request body from ' . $stream);
        }
        return self::parseNoti($body);
    }

    /**
     * Turn a Noti into CookiePay's facts: its TID is looked up with paycert, and only paycert's
     * answer comes back — never a field of the body (a forged AMOUNT or ORDERNO cannot reach you) —
     * plus 'kind' ("payment", or "cancel" when paycert shows the payment cancelled) and 'dedup_key'
     * ("payment:<TID>" or "cancel:<TID>:<CANCELDATE>"), both from paycert's fields. Claim the
     * dedup_key only after this returns. A read: retried like paycert().
     *
     * @param array $request ['body' => the raw Noti body, as received (php://input)]
     * @return array paycert's fields plus 'kind' and 'dedup_key'
     * @throws NotiNotConfirmedException CookiePay does not back it (getReason(): no_tid — e.g. a
     *     declined recurring charge, which has no payment —, invalid_tid, unknown_tid, mismatch,
     *     not_cancelled): act on nothing in it
     * @throws ApiException|NetworkException|TimeoutException|HttpException|DecodeException paycert
     *     could not be asked (ApiException: no TOKEN, the credentials): neither confirmed nor refuted
     *     (answer so that CookiePay sends it again)
     */
    public function confirmNoti(array $request): array
    {
        return $this->backend->call('cookiepay_confirm_noti', Native::encode($request));
    }

    /**
     * confirmNoti() of this request's raw body (php://input).
     */
    public function confirmNotiFromInput(string $stream = 'php://input'): array
    {
        $body = @file_get_contents($stream);
        if ($body === false) {
            throw new InvalidArgumentException('cannot read the request body from ' . $stream);
        }
        return $this->confirmNoti(['body' => $body]);
    }

    /** The libcookiepay version, e.g. "0.1.0" (the pure backend: the core version it follows). */
    public static function version(): string
    {
        return (Selector::$staticPure ?? Selector::decideStatic()) ? PureBackend::VERSION : Native::version();
    }

    /** Release the client now instead of at garbage collection; later calls throw. */
    public function close(): void
    {
        $this->open = false;
        $this->backend->close();
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
        return ['api_id' => $this->apiId, 'open' => $this->open, 'backend' => $this->backend->name()];
    }

    /** @param array $data paysearch's data: {"payments": [...]} */
    private static function payments(array $data): array
    {
        return isset($data['payments']) && is_array($data['payments']) ? array_values($data['payments']) : [];
    }
}
