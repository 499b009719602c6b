<?php

namespace CookiePay\Backend\Pure;

/**
 * The endpoints (one method per operation, named after the core's module): what each checks, sends
 * and makes of the answer. Requests are JSON objects as arrays; nested values keep json_decode's
 * objects.
 *
 * @internal
 */
final class Operations
{
    const SUCCESS = '0000';
    const DECRYPT_PATH = '/EdiAuth/cookiepay_edi_decrypt';
    const MAX_ENC_DATA_BYTES = 65536;
    const RESERVE_ID_MAX = 64;
    const BILLKEY_MAX = 64;
    const SETTLED_HINT = '입금후 취소: the payment is settled; refund it through CookiePay\'s after-settlement cancel (/api/get_cancel_bank_account)';
    const ALREADY_DISPOSED_HINT = 'the billing key was already disposed of before this call (by an earlier call whose '
        . 'answer was lost, or by someone else): it can no longer charge, but this call did not dispose of it';

    /** @var Gateway */
    private $gw;

    public function __construct(Gateway $gateway)
    {
        $this->gw = $gateway;
    }

    public function token(array $request): array
    {
        $force = array_key_exists('force_refresh', $request) ? $request['force_refresh'] : null;
        if ($force !== null && !is_bool($force)) {
            throw Failure::invalid('force_refresh must be a boolean');
        }
        $token = $this->gw->token($force === true, $fetched);
        return ['TOKEN' => $token->value(), 'expires_at' => $token->expiresAt, 'cached' => !$fetched];
    }

    public function ready(array $request): array
    {
        $problems = [];
        if (!array_key_exists('TAXYN', $request) || $request['TAXYN'] === null) {
            $request['TAXYN'] = 'Y';
        }
        $body = Rules::order($this->gw->config->apiId, $request, Rules::READY_FIELDS, $problems);
        if (isset($body['PAYMETHOD']) && !is_string($body['PAYMETHOD'])) {
            $problems[] = ['PAYMETHOD', 'type', 'PAYMETHOD must be a string'];
        }
        if ($problems !== []) {
            throw Failure::validation($problems);
        }
        $answer = $this->gw->postJsonAnswer('/pay/ready', [['ApiKey', $this->gw->config->apiKey()]], $body, true);
        try {
            $html = self::window($answer);
        } catch (Failure $f) {
            // A refusal is an answer; anything else leaves the ORDERNO possibly used up.
            throw $f->kind === 'api' ? $f : $f->afterMoneySent();
        }
        return ['html' => $html, 'ORDERNO' => isset($body['ORDERNO']) ? $body['ORDERNO'] : null,
            'AMOUNT' => isset($body['AMOUNT']) ? $body['AMOUNT'] : null];
    }

    /** A window is a 2xx text/html (or untyped) UTF-8 answer holding a <form; JSON is CookiePay's refusal. */
    private static function window(array $answer): string
    {
        if ($answer['status'] < 200 || $answer['status'] >= 300) {
            throw Gateway::unexpected($answer);
        }
        $body = $answer['body'];
        $trimmed = ltrim($body, " \t\n\r\x0C");
        if ($trimmed !== '' && ($trimmed[0] === '{' || $trimmed[0] === '[')) {
            $json = Json::decode($body, $kind);
            if ($kind === 'invalid') {
                throw Failure::decode("CookiePay's answer to ready looks like JSON but is not valid JSON", Json::excerpt($body));
            }
            $fields = $kind === 'object' ? $json : [];
            list($code, $msg) = array_key_exists('RTN_CD', $fields) ? ['RTN_CD', 'RTN_MSG'] : ['RESULTCODE', 'RESULTMSG'];
            if (Json::codeOf($fields, $code) !== self::SUCCESS) {
                throw Failure::api($fields, $code, $msg, null);
            }
            throw Failure::decode('CookiePay answered ready with JSON but no payment window', Json::excerpt($body));
        }
        $type = $answer['content_type'];
        $typedHtml = $type === null || strncmp(strtolower(trim($type)), 'text/html', 9) === 0;
        if (preg_match('//u', $body) !== 1) {
            throw Failure::decode('the payment window is not UTF-8 text', Json::excerpt($body));
        }
        if (!$typedHtml || stripos($body, '<form') === false) {
            throw Failure::http($answer['status'], $type, Json::excerpt($body));
        }
        return $body;
    }

    public function decrypt(array $request): array
    {
        $enc = array_key_exists('ENC_DATA', $request) ? $request['ENC_DATA'] : null;
        if ($enc === null || (is_string($enc) && Json::trim($enc) === '')) {
            throw Failure::field('ENC_DATA', 'required', 'ENC_DATA is required');
        }
        if (!is_string($enc)) {
            throw Failure::invalid('ENC_DATA must be a string');
        }
        $enc = Json::trim($enc);
        if (strlen($enc) > self::MAX_ENC_DATA_BYTES) {
            throw Failure::field('ENC_DATA', 'max_length', 'ENC_DATA must be at most ' . self::MAX_ENC_DATA_BYTES . ' bytes');
        }
        return $this->decryptData($enc);
    }

    private function decryptData(string $enc): array
    {
        $body = ['API_ID' => $this->gw->config->apiId, 'ENC_DATA' => $enc];
        $answer = $this->gw->postJson(self::DECRYPT_PATH, [['ApiKey', $this->gw->config->apiKey()]], $body, false);
        if (Json::codeOf($answer, 'RESULTCODE') !== self::SUCCESS) {
            throw Failure::api($answer, 'RESULTCODE', 'RESULTMSG', 'outer');
        }
        $inner = array_key_exists('decryptData', $answer) ? $answer['decryptData'] : null;
        if (is_string($inner)) {
            // Some PHP backends send nested JSON as a string.
            $inner = Json::decode($inner, $kind);
            $inner = $kind === 'object' ? $inner : null;
        } elseif ($inner instanceof \stdClass) {
            $inner = get_object_vars($inner);
        } else {
            $inner = null;
        }
        if ($inner === null) {
            throw Failure::decode('the decrypt answer reported success but has no decryptData object', Json::excerpt(Json::encode(Json::object($answer))));
        }
        $inner = Secrets::normalize($inner);
        if (Json::codeOf($inner, 'RESULTCODE') !== self::SUCCESS) {
            throw Failure::api($inner, 'RESULTCODE', 'RESULTMSG', 'inner');
        }
        return $inner;
    }

    /**
     * A /Subscribe answer's payload (decrypt.rs open): the outer code, then its ENC_DATA decrypted
     * when there is one. After a money call a failed decryption leaves the outcome unknown.
     */
    private function open(array $answer, bool $afterMoney): array
    {
        $enc = isset($answer['ENC_DATA']) && is_string($answer['ENC_DATA']) && Json::trim($answer['ENC_DATA']) !== ''
            ? Json::trim($answer['ENC_DATA']) : null;
        if (Json::codeOf($answer, 'RESULTCODE') !== self::SUCCESS) {
            throw Failure::api($answer, 'RESULTCODE', 'RESULTMSG', $enc !== null ? 'outer' : null);
        }
        if ($enc === null) {
            return Secrets::normalize($answer);
        }
        try {
            return $this->decryptData($enc);
        } catch (Failure $f) {
            if ($f->kind === 'api' && isset($f->fields['layer']) && $f->fields['layer'] === 'inner') {
                throw $f;
            }
            throw $afterMoney ? $f->afterMoneySent() : $f;
        }
    }

    public function paycert(array $request): array
    {
        return $this->fetchPayment(Rules::tid($request));
    }

    private function fetchPayment(string $tid): array
    {
        return $this->gw->postWithToken('/api/paycert', ['tid' => $tid], false, false, false, function (array $answer): array {
            if (Json::codeOf($answer, 'RESULTCODE') !== self::SUCCESS) {
                throw Failure::api($answer, 'RESULTCODE', 'RESULTMSG', null);
            }
            return Secrets::normalize($answer);
        });
    }

    public function verify(array $request): array
    {
        $tid = null;
        $expected = null;
        $tidFailure = null;
        $expectedFailure = null;
        try {
            $tid = Rules::tid($request);
        } catch (Failure $f) {
            $tidFailure = $f;
        }
        try {
            $expected = Verify::expected($request);
        } catch (Failure $f) {
            $expectedFailure = $f;
        }
        if ($tidFailure !== null && $expectedFailure !== null
            && $tidFailure->kind === 'validation' && $expectedFailure->kind === 'validation') {
            throw Failure::validation(array_merge(Verify::problems($tidFailure), Verify::problems($expectedFailure)));
        }
        if ($tidFailure !== null) {
            throw $tidFailure;
        }
        if ($expectedFailure !== null) {
            throw $expectedFailure;
        }
        $payment = $this->fetchPayment($tid);
        $mismatches = Verify::compare($payment, $tid, $expected);
        if ($mismatches !== []) {
            throw Failure::verification($mismatches, $payment);
        }
        return $payment;
    }

    public function billkeygen(array $request): array
    {
        $problems = [];
        $fields = Rules::READY_FIELDS;
        // No RETURNURL (nothing is shown to a browser) and no TAXYN here.
        unset($fields['RETURNURL'], $fields['TAXYN']);
        $body = Rules::order($this->gw->config->apiId, $request, $fields, $problems);
        Rules::card($body, $problems);
        Rules::schedule($body, $problems);
        if (!array_key_exists('ENC_YN', $body) || $body['ENC_YN'] === null) {
            $body['ENC_YN'] = 'N';
        }
        if ($problems !== []) {
            throw Failure::validation($problems);
        }
        $scheduled = isset($body['RECURRENCE_PAY']) && $body['RECURRENCE_PAY'] === 'Y';
        try {
            $answer = $this->gw->postWithToken('/Subscribe/billkeygen', $body, true, true, true);
            $body = null;
            $payment = $this->open($answer, true);
        } catch (Failure $f) {
            throw $f->settledBy(Failure::SETTLE_CHARGE);
        }
        $payment['charged'] = true;
        $payment['scheduled'] = $scheduled ? Json::codeOf($payment, 'RESERVE_RESULTCODE') === self::SUCCESS : null;
        return $payment;
    }

    public function recurringCharge(array $request): array
    {
        list($reserveId, $billkey) = Rules::identifiers($request, [[['RESERVE_ID'], self::RESERVE_ID_MAX], [['BILLKEY'], self::BILLKEY_MAX]]);
        $body = ['API_ID' => $this->gw->config->apiId, 'RESERVE_ID' => $reserveId, 'BILLKEY' => $billkey];
        try {
            return $this->open($this->gw->postWithToken('/Subscribe/recurrence_request_payment', $body, true, true, true), true);
        } catch (Failure $f) {
            throw $f->settledBy(Failure::SETTLE_RECURRING_CHARGE);
        }
    }

    /**
     * schedule_cancel.rs: changes state, so sent once with a TOKEN of its own; a lost answer is
     * unknown, and E103 is the flagged result already_cancelled (it never follows an attempt of the
     * same call).
     */
    public function scheduleCancel(array $request): array
    {
        $reserveId = Rules::identifier($request, ['RESERVE_ID'], self::RESERVE_ID_MAX);
        $body = ['API_ID' => $this->gw->config->apiId, 'RESERVE_ID' => $reserveId];
        try {
            return $this->cancelSchedule($body);
        } catch (Failure $f) {
            throw $f->settledBy(Failure::SETTLE_SCHEDULE_CANCEL);
        }
    }

    private function cancelSchedule(array $body): array
    {
        $answer = $this->gw->postWithToken('/Subscribe/recurrence_schedule_cancel', $body, true, true, true, function (array $answer): array {
            $code = Json::codeOf($answer, 'RESULTCODE');
            if ($code !== self::SUCCESS && $code !== 'E103') {
                throw Failure::api($answer, 'RESULTCODE', 'RESULTMSG', null);
            }
            return $answer;
        });
        if (Json::codeOf($answer, 'RESULTCODE') === 'E103') {
            // The vendor plugin stores the message's first 19 characters as the cancellation time.
            $head = Json::head(Json::trimStart(Json::textOf($answer, 'RESULTMSG')), 19);
            $at = preg_match('/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$/D', $head) === 1 ? $head : null;
            $fields = Secrets::normalize($answer);
            $fields['already_cancelled'] = true;
            $fields['cancelled_at'] = $at;
            return $fields;
        }
        // The schedule was cancelled (the outer code says so): an unreadable payload leaves it unknown.
        $fields = Secrets::normalize($this->open($answer, true));
        $fields['already_cancelled'] = false;
        $fields['cancelled_at'] = null;
        return $fields;
    }

    /**
     * billkey_delete.rs: changes state, so sent once with a TOKEN of its own; a lost answer is
     * unknown. "Already disposed" stays an api error (with a hint): it never follows an attempt of
     * the same call, so it is not this call's success.
     */
    public function billkeyDelete(array $request): array
    {
        $billkey = Rules::identifier($request, ['BILLKEY'], self::BILLKEY_MAX);
        $body = ['API_ID' => $this->gw->config->apiId, 'BILLKEY' => $billkey];
        try {
            $answer = $this->gw->postWithToken('/Subscribe/billingkeycancel', $body, true, true, true, function (array $answer): array {
                // Nothing says what success looks like here: an answer without a code is handed over.
                if (array_key_exists('RESULTCODE', $answer) && Json::codeOf($answer, 'RESULTCODE') !== self::SUCCESS) {
                    $disposed = strpos(Json::textOf($answer, 'RESULTMSG'), '이미 폐기') !== false;
                    throw Failure::api($answer, 'RESULTCODE', 'RESULTMSG', null, $disposed ? self::ALREADY_DISPOSED_HINT : null);
                }
                return $answer;
            });
            return array_key_exists('RESULTCODE', $answer) ? $this->open($answer, true) : $answer;
        } catch (Failure $f) {
            throw $f->settledBy(Failure::SETTLE_BILLKEY_DELETE);
        }
    }

    public function cancel(array $request): array
    {
        $body = Verify::cancelBody($request);
        // What can tell whether a lost refund went through depends on its kind.
        $settle = array_key_exists('amount', $body) ? Failure::SETTLE_PARTIAL_REFUND : Failure::SETTLE_FULL_REFUND;
        try {
            return $this->refund($body);
        } catch (Failure $f) {
            throw $f->settledBy($settle);
        }
    }

    private function refund(array $body): array
    {
        return $this->gw->postWithToken('/api/cancel', $body, true, true, true, function (array $answer): array {
            $code = Json::codeOf($answer, 'cancel_code');
            $message = Json::textOf($answer, 'cancel_msg');
            $already = strpos($message, '이미 취소') !== false || strpos($message, '원거래 기취소') !== false;
            if ($code !== self::SUCCESS && !$already) {
                throw Failure::api($answer, 'cancel_code', 'cancel_msg', null, $code === '9029' ? self::SETTLED_HINT : null);
            }
            $answer['already_cancelled'] = $code !== self::SUCCESS;
            return $answer;
        });
    }

    public function paysearch(array $request): array
    {
        $body = ['API_ID' => $this->gw->config->apiId];
        $hasTid = (array_key_exists('tid', $request) && $request['tid'] !== null)
            || (array_key_exists('TID', $request) && $request['TID'] !== null);
        if ($hasTid) {
            $body['TID'] = Rules::tid($request);
        } else {
            $problems = [];
            $dates = [];
            foreach (['from', 'to'] as $field) {
                $v = array_key_exists($field, $request) ? $request[$field] : null;
                if (is_string($v) && Rules::isDate($v)) {
                    $dates[] = $v;
                } elseif ($v === null) {
                    $problems[] = [$field, 'required', 'give tid, or from and to (YYYY-MM-DD): ' . $field . ' is missing'];
                } else {
                    $problems[] = [$field, 'date', $field . ' must be a date YYYY-MM-DD'];
                }
            }
            if (count($dates) === 2) {
                if (strcmp($dates[0], $dates[1]) > 0) {
                    $problems[] = ['to', 'order', 'to must not be before from'];
                }
                $body['STD_DT'] = $dates[0];
                $body['END_DT'] = $dates[1];
            }
            if ($problems !== []) {
                throw Failure::validation($problems);
            }
        }
        // paysearch.rs bodies(): one call per window of 6 months less a day, rows merged in order.
        $bodies = [$body];
        if (isset($body['STD_DT'])) {
            $windows = self::windows($body['STD_DT'], $body['END_DT']);
            if (count($windows) > self::MAX_WINDOWS) {
                throw Failure::field('to', 'range', 'from and to span more than ' . (self::WINDOW_MONTHS * self::MAX_WINDOWS)
                    . ' months: paysearch searches ' . self::WINDOW_MONTHS . ' months per call (CookiePay\'s documented range) and at most '
                    . self::MAX_WINDOWS . ' calls; search a shorter range');
            }
            $bodies = [];
            foreach ($windows as $w) {
                $bodies[] = array_replace($body, ['STD_DT' => $w[0], 'END_DT' => $w[1]]);
            }
        }
        $payments = [];
        foreach ($bodies as $window) {
            $found = $this->gw->withToken(false, function (string $token) use ($window): array {
                $answer = $this->gw->postJsonAnswer('/api/paysearch', [['TOKEN', $token]], $window, false);
                return self::payments(Gateway::intoJson($answer, $kind), $kind);
            });
            $payments = array_merge($payments, $found['payments']);
        }
        return ['payments' => $payments];
    }

    /** paysearch.rs WINDOW_MONTHS and MAX_WINDOWS. */
    const WINDOW_MONTHS = 6;
    const MAX_WINDOWS = 4;

    /** @return array list of [STD_DT, END_DT]: from..to cut as paysearch.rs windows() does, at most MAX_WINDOWS + 1 */
    private static function windows(string $from, string $to): array
    {
        $day = function (array $d): string {
            return sprintf('%04d-%02d-%02d', $d[0], $d[1], $d[2]);
        };
        $days = function (int $y, int $m): int {
            for ($d = 31; $d > 28 && !checkdate($m, $d, $y ?: 2000); $d--) {
            }
            return $d;
        };
        $start = array_map('intval', explode('-', $from));
        $out = [];
        while (strcmp($day($start), $to) <= 0 && count($out) <= self::MAX_WINDOWS) {
            $index = $start[0] * 12 + $start[1] - 1 + self::WINDOW_MONTHS;
            $end = [intdiv($index, 12), $index % 12 + 1, 0];
            $end[2] = min($start[2], $days($end[0], $end[1])) - 1;
            if ($end[2] === 0) {
                $end = $end[1] === 1 ? [$end[0] - 1, 12, 31] : [$end[0], $end[1] - 1, $days($end[0], $end[1] - 1)];
            }
            $last = strcmp($day($end), $to) < 0 ? $day($end) : $to;
            $out[] = [$day($start), $last];
            $next = array_map('intval', explode('-', $last));
            $start = $next[2] < $days($next[0], $next[1]) ? [$next[0], $next[1], $next[2] + 1]
                : ($next[1] === 12 ? [$next[0] + 1, 1, 1] : [$next[0], $next[1] + 1, 1]);
        }
        return $out;
    }

    /** @param mixed $answer */
    private static function payments($answer, string $kind): array
    {
        if ($kind === 'array') {
            $rows = $answer;
        } elseif ($kind === 'object' && array_key_exists('RESULTCODE', $answer)) {
            $code = Json::codeOf($answer, 'RESULTCODE');
            if ($code === 'E008') {
                $rows = [];
            } elseif ($code === self::SUCCESS && array_key_exists('TID', $answer)) {
                // Success with one row as an object (not observed, but harmless to accept).
                $rows = [(object) $answer];
            } else {
                throw Failure::api($answer, 'RESULTCODE', 'RESULTMSG', null);
            }
        } else {
            throw Failure::decode('the paysearch answer is neither a list nor a result code',
                Json::excerpt(Json::encode($kind === 'object' ? Json::object($answer) : $answer)));
        }
        $payments = [];
        foreach ($rows as $row) {
            $payments[] = $row instanceof \stdClass ? Json::object(Secrets::normalize(get_object_vars($row))) : $row;
        }
        return ['payments' => $payments];
    }

    public function receiptUrl(array $request): array
    {
        $tid = Rules::tid($request);
        return ['url' => $this->gw->config->baseUrl . '/api/receipt?tid=' . Secrets::formEncode(base64_encode($tid))];
    }

    /** The escape hatch: any path, the credentials asked for, sent once, any answer. */
    public function request(array $request): array
    {
        $path = array_key_exists('path', $request) ? $request['path'] : null;
        if ($path !== null && !is_string($path)) {
            throw Failure::invalid('path must be a string');
        }
        if ($path === null || !Verify::isPath($path)) {
            throw Failure::field('path', 'path', 'path must start with / and hold no spaces, control characters or host (e.g. /api/paylist)');
        }
        list($withKey, $withToken) = Verify::auth(array_key_exists('auth', $request) ? $request['auth'] : null);
        $body = array_key_exists('body', $request) ? $request['body'] : null;
        if ($body !== null && !($body instanceof \stdClass)) {
            throw Failure::invalid('body must be a JSON object');
        }
        $headers = [];
        if ($withKey) {
            $headers[] = ['ApiKey', $this->gw->config->apiKey()];
        }
        if ($withToken) {
            $headers[] = ['TOKEN', $this->gw->token(false)->value()];
        }
        $answer = $this->gw->post($path, $headers, Json::encode($body === null ? new \stdClass() : $body), true);
        $parsed = Json::decode($answer['body'], $kind);
        if ($kind === 'invalid') {
            $parsed = Json::lossy($answer['body']);
        } elseif ($kind === 'object') {
            $parsed = Json::object($parsed);
        }
        return ['status' => $answer['status'], 'body' => $parsed];
    }
}
