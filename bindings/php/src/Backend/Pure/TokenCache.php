<?php

namespace CookiePay\Backend\Pure;

/**
 * The TOKEN cache of one credential pair (token.rs): per process, and in APCu when it is enabled so
 * that the workers of a php-fpm pool share one TOKEN. The APCu key is a hash of the credentials and
 * the base URL, never the key itself.
 *
 * What a TOKEN learned (its one refresh, the codes it got right after it was fetched) is kept per
 * process, with the TOKEN's value.
 *
 * @internal
 */
final class TokenCache
{
    const PATH = '/payAuth/token';
    /** Assumed lifetime when the TOKEN's expiry cannot be read. */
    const DEFAULT_LIFETIME = 3600;
    const MAX_MARGIN = 60;
    const MAX_LIFETIME = 86400;
    /** Known business answers, never a rejected TOKEN: nothing found, already cancelled, settled. */
    const BUSINESS_CODES = ['E008', 'E103', '9029'];

    /** @var array shared caches of this process: id => TokenCache */
    private static $shared = [];

    /** @var CachedToken|null */
    private $token;
    /** @var string|null the APCu key, or null when not shared through APCu */
    private $apcuKey;

    /** The cache of these credentials (shared) or a cache of its own. */
    public static function forConfig(Config $config): TokenCache
    {
        if (!$config->shared) {
            return new self(null);
        }
        // As the core shares per credentials and transport settings (client.rs shared_parts).
        $id = hash('sha256', implode("\n", [$config->apiId, $config->apiKey(), $config->baseUrl, $config->connectTimeoutMs,
            $config->timeoutMs, (string) $config->caCertPem, $config->userAgent, $config->maxRetries, $config->retryBaseDelayMs,
            $config->retryMaxDelayMs, $config->envProxy ? '1' : '0']));
        if (!isset(self::$shared[$id])) {
            $apcu = function_exists('apcu_enabled') && apcu_enabled();
            if (count(self::$shared) >= 64) {
                return new self($apcu ? 'cookiepay.token.' . $id : null);
            }
            self::$shared[$id] = new self($apcu ? 'cookiepay.token.' . $id : null);
        }
        return self::$shared[$id];
    }

    private function __construct(?string $apcuKey)
    {
        $this->apcuKey = $apcuKey;
    }

    public static function mayBeRejection(string $code): bool
    {
        return !in_array($code, self::BUSINESS_CODES, true);
    }

    /**
     * A usable TOKEN: the cached one unless $force or stale. $fetched says whether it was fetched now.
     *
     * @param callable $fetch () => string, the TOKEN from /payAuth/token
     */
    public function get(bool $force, callable $fetch, ?bool &$fetched = null): CachedToken
    {
        if (!$force) {
            $now = microtime(true);
            if ($this->token !== null && $this->token->refreshAt > $now) {
                $fetched = false;
                return $this->token;
            }
            $stored = $this->apcuKey !== null ? apcu_fetch($this->apcuKey) : false;
            if (is_array($stored) && isset($stored['value'], $stored['refresh_at'], $stored['expires_at'])
                && is_string($stored['value']) && $stored['refresh_at'] > $now) {
                if ($this->token === null || $this->token->value() !== $stored['value']) {
                    $this->token = new CachedToken($stored['value'], (float) $stored['refresh_at'], (int) $stored['expires_at']);
                }
                $fetched = false;
                return $this->token;
            }
        }
        $this->token = CachedToken::fromValue($fetch());
        if ($this->apcuKey !== null) {
            $ttl = max(1, (int) ceil($this->token->refreshAt - microtime(true)));
            apcu_store($this->apcuKey, [
                'value' => $this->token->value(),
                'refresh_at' => $this->token->refreshAt,
                'expires_at' => $this->token->expiresAt,
            ], $ttl);
        }
        $fetched = true;
        return $this->token;
    }

    /** Forget a TOKEN the server may have rejected, unless it was replaced already. */
    public function discard(CachedToken $rejected): void
    {
        if ($this->token !== null && $this->token->value() === $rejected->value()) {
            $this->token = null;
        }
        if ($this->apcuKey !== null) {
            $stored = apcu_fetch($this->apcuKey);
            if (is_array($stored) && isset($stored['value']) && $stored['value'] === $rejected->value()) {
                apcu_delete($this->apcuKey);
            }
        }
    }

    /** The cached TOKEN's value, to scrub it from error texts. */
    public function currentValue(): ?string
    {
        return $this->token !== null ? $this->token->value() : null;
    }

    /** The TOKEN in a /payAuth/token answer; a TOKEN no header can carry is an unreadable answer. */
    public static function tokenOf(array $answer): string
    {
        if (Json::codeOf($answer, 'RTN_CD') !== '0000') {
            throw Failure::api($answer, 'RTN_CD', 'RTN_MSG', null);
        }
        $token = isset($answer['TOKEN']) && is_string($answer['TOKEN']) ? $answer['TOKEN'] : '';
        if ($token !== '' && preg_match('/^[\x21-\x7E]+$/D', $token) === 1) {
            return $token;
        }
        throw Failure::decode($token !== ''
            ? 'CookiePay sent a TOKEN with characters a header cannot carry'
            : 'CookiePay reported success but sent no TOKEN', '');
    }
}
