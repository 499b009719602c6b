<?php

namespace CookiePay\Backend\Pure;

/**
 * A TOKEN and when this process stops using it. Its value is a secret: it never appears in output.
 *
 * @internal
 */
final class CachedToken
{
    /** @var Sealed */
    private $value;
    /** @var float unix time, with the refresh margin taken off */
    public $refreshAt;
    /** @var int unix seconds, as the JWT says (or estimated) */
    public $expiresAt;
    /** @var bool this TOKEN has caused its one refresh */
    private $refreshed = false;
    /** @var string[] codes this TOKEN got right after it was fetched: business answers for it */
    private $businessCodes = [];

    public function __construct(string $value, float $refreshAt, int $expiresAt)
    {
        $this->value = new Sealed($value);
        $this->refreshAt = $refreshAt;
        $this->expiresAt = $expiresAt;
    }

    /** Lifetime from the token's own iat/exp (counted on our clock: immune to skew), else an hour. */
    public static function fromValue(string $value): CachedToken
    {
        $now = microtime(true);
        $unix = time();
        $times = self::jwtTimes($value);
        if ($times !== null && $times[0] !== null && $times[1] > $times[0]) {
            $lifetime = $times[1] - $times[0];
            $expiresAt = $times[1];
        } elseif ($times !== null && $times[0] === null && $times[1] > $unix) {
            $lifetime = $times[1] - $unix;
            $expiresAt = $times[1];
        } else {
            $lifetime = TokenCache::DEFAULT_LIFETIME;
            $expiresAt = $unix + TokenCache::DEFAULT_LIFETIME;
        }
        $lifetime = min($lifetime, TokenCache::MAX_LIFETIME);
        $margin = min($lifetime / 10, TokenCache::MAX_MARGIN);
        return new self($value, $now + $lifetime - $margin, (int) $expiresAt);
    }

    /** @return array|null [iat or null, exp] from a JWT's payload, unverified */
    private static function jwtTimes(string $token): ?array
    {
        $parts = explode('.', $token);
        if (count($parts) < 2) {
            return null;
        }
        $payload = base64_decode(strtr(rtrim($parts[1], '='), '-_', '+/'), true);
        $claims = is_string($payload) ? json_decode($payload, true) : null;
        if (!is_array($claims) || !isset($claims['exp']) || !is_int($claims['exp']) || $claims['exp'] < 0) {
            return null;
        }
        $iat = isset($claims['iat']) && is_int($claims['iat']) && $claims['iat'] >= 0 ? $claims['iat'] : null;
        return [$iat, $claims['exp']];
    }

    public function value(): string
    {
        return $this->value->get();
    }

    /** Claim this TOKEN's one refresh; false if it was used already. */
    public function claimRefresh(): bool
    {
        $first = !$this->refreshed;
        $this->refreshed = true;
        return $first;
    }

    public function learnBusinessCode(string $code): void
    {
        if (!in_array($code, $this->businessCodes, true) && count($this->businessCodes) < 16) {
            $this->businessCodes[] = $code;
        }
    }

    public function knowsBusinessCode(string $code): bool
    {
        return in_array($code, $this->businessCodes, true);
    }

    public function __debugInfo(): array
    {
        return ['value' => Secrets::REDACTED, 'expires_at' => $this->expiresAt];
    }
}
