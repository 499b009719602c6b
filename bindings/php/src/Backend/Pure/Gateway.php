<?php

namespace CookiePay\Backend\Pure;

/**
 * One client's line to CookiePay (channel.rs + context.rs): its credentials on the transport, the
 * TOKEN cache and the TOKEN policy. Every answer has this client's secrets scrubbed out before
 * anything can quote it.
 *
 * @internal
 */
final class Gateway
{
    /** @var Config */
    public $config;
    /** @var Transport */
    private $transport;
    /** @var TokenCache */
    private $tokens;

    /** @var string the running operation's contract name, for the exchange records */
    public $operation = '';
    /** @var callable|null gets each exchange's record (channel.rs Exchange::record_json) */
    private $observer;

    public function __construct(Config $config, ?callable $observer = null)
    {
        $this->config = $config;
        $this->transport = new Transport($config);
        $this->observer = $observer;
        $this->tokens = TokenCache::forConfig($config);
    }

    /**
     * POST raw bytes; any status is returned, the body without this client's secrets.
     *
     * @param array $headers list of [name, value]
     */
    public function post(string $path, array $headers, string $body, bool $sendOnce): array
    {
        $lines = [];
        $secrets = [$this->config->apiKey()];
        foreach ($headers as $h) {
            $lines[] = $h[0] . ': ' . $h[1];
            if ($h[0] === 'TOKEN') {
                $secrets[] = $h[1];
            }
        }
        $observer = $this->observer === null ? null : function (int $attempt, ?array $answer, ?Failure $f, float $ms) use ($path): void {
            ($this->observer)([
                'operation' => $this->operation,
                'method' => 'POST',
                'path' => $path,
                'status' => $answer === null ? null : $answer['status'],
                'duration_ms' => (int) $ms,
                'attempt' => $attempt,
                'outcome' => $f === null ? 'answered' : $f->kind,
                'may_have_taken_effect' => $f !== null && ($f->fields['outcome'] ?? null) === Failure::UNKNOWN,
            ]);
        };
        $answer = $this->transport->post($path, $lines, $body, $sendOnce, $observer);
        if (Secrets::containsAny($answer['body'], $secrets)) {
            $answer['body'] = Secrets::scrub(Json::lossy($answer['body']), $secrets);
        }
        return $answer;
    }

    /** POST a JSON object; the raw answer. */
    public function postJsonAnswer(string $path, array $headers, array $body, bool $sendOnce): array
    {
        return $this->post($path, $headers, Json::encode(Json::object($body)), $sendOnce);
    }

    /** POST a JSON object; the JSON object answered with a 2xx status (a money call's unreadable answer: outcome unknown). */
    public function postJson(string $path, array $headers, array $body, bool $sendOnce): array
    {
        $answer = $this->postJsonAnswer($path, $headers, $body, $sendOnce);
        try {
            return self::intoJsonObject($answer);
        } catch (Failure $f) {
            throw $sendOnce ? $f->afterMoneySent() : $f;
        }
    }

    public static function intoJsonObject(array $answer): array
    {
        $value = self::intoJson($answer, $kind);
        if ($kind !== 'object') {
            throw Failure::decode("CookiePay's answer is JSON but not an object", Json::excerpt(Json::encode($value)));
        }
        return $value;
    }

    /** @return mixed the answer as JSON of any shape ($kind as Json::decode), or an http/decode failure */
    public static function intoJson(array $answer, ?string &$kind = null)
    {
        if ($answer['status'] < 200 || $answer['status'] >= 300) {
            throw self::unexpected($answer);
        }
        $body = $answer['body'];
        if (strncmp($body, "\xEF\xBB\xBF", 3) === 0) {
            $body = substr($body, 3);
        }
        $value = Json::decode($body, $kind);
        if ($kind !== 'invalid') {
            return $value;
        }
        if (self::looksLikeHtml($answer)) {
            throw self::unexpected($answer);
        }
        throw Failure::decode("CookiePay's answer is not valid JSON", Json::excerpt($body));
    }

    public static function looksLikeHtml(array $answer): bool
    {
        $type = $answer['content_type'];
        if ($type !== null && strncmp(strtolower($type), 'text/html', 9) === 0) {
            return true;
        }
        $start = strtolower(Json::trimStart(Json::lossy(substr($answer['body'], 0, 64))));
        return strncmp($start, '<!doctype', 9) === 0 || strncmp($start, '<html', 5) === 0;
    }

    /** An http failure: a status or body no CookiePay endpoint sends. */
    public static function unexpected(array $answer): Failure
    {
        return Failure::http($answer['status'], $answer['content_type'], Json::excerpt($answer['body']));
    }

    /** A TOKEN: the cached one unless $force or stale; fetched (a read, retried) when needed. */
    public function token(bool $force, ?bool &$fetched = null): CachedToken
    {
        return $this->tokens->get($force, function (): string {
            $body = ['pay2_id' => $this->config->apiId, 'pay2_key' => $this->config->apiKey()];
            return TokenCache::tokenOf($this->postJson(TokenCache::PATH, [], $body, false));
        }, $fetched);
    }

    /**
     * Run $call with a TOKEN (context.rs with_token). Reads use the cached TOKEN; an answer that may
     * mean "TOKEN rejected" refreshes it and asks once more (once per TOKEN, never for a code the
     * TOKEN learned is a business answer). Money calls ($fresh) fetch their own and never ask twice.
     *
     * @param callable $call (string $token) => mixed
     * @return mixed
     */
    public function withToken(bool $fresh, callable $call)
    {
        $token = $this->token($fresh, $fetched);
        try {
            return $call($token->value());
        } catch (Failure $f) {
            $code = self::doubtfulCode($f);
            if ($code === null) {
                throw $f;
            }
            if ($fetched) {
                // A TOKEN fetched just now got this answer: it is the server's answer, not a rejection.
                $token->learnBusinessCode($code);
                throw $f;
            }
            if ($fresh || $token->knowsBusinessCode($code) || !$token->claimRefresh()) {
                throw $f;
            }
        }
        $this->tokens->discard($token);
        $renewed = $this->token(true);
        try {
            return $call($renewed->value());
        } catch (Failure $f) {
            $code = self::doubtfulCode($f);
            if ($code !== null) {
                $renewed->learnBusinessCode($code);
            }
            throw $f;
        }
    }

    private static function doubtfulCode(Failure $f): ?string
    {
        $code = $f->apiCode();
        return $code !== null && TokenCache::mayBeRejection($code) ? $code : null;
    }

    /**
     * POST a JSON body with a TOKEN and, if asked, the API key; $accept turns the answer into the
     * result, and its api failures are what the TOKEN policy looks at.
     */
    public function postWithToken(string $path, array $body, bool $withKey, bool $fresh, bool $sendOnce, ?callable $accept = null): array
    {
        return $this->withToken($fresh, function (string $token) use ($path, $body, $withKey, $sendOnce, $accept): array {
            $headers = $withKey ? [['ApiKey', $this->config->apiKey()], ['TOKEN', $token]] : [['TOKEN', $token]];
            $answer = $this->postJson($path, $headers, $body, $sendOnce);
            return $accept !== null ? $accept($answer) : $answer;
        });
    }

    /** The secrets to scrub from an error of this client: the API key and the cached TOKEN. */
    public function secrets(): array
    {
        $token = $this->tokens->currentValue();
        return $token !== null ? [$this->config->apiKey(), $token] : [$this->config->apiKey()];
    }
}
