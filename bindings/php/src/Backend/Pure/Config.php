<?php

namespace CookiePay\Backend\Pure;

/**
 * The client's config, read and checked as config.rs does: every problem at once, an unknown key
 * refused with the nearest known name.
 *
 * @internal
 */
final class Config
{
    const LIVE_URL = 'https://www.cookiepayments.com';
    const SANDBOX_URL = 'https://sandbox.cookiepayments.com';

    const KEYS = [
        'env', 'base_url', 'api_id', 'api_key', 'connect_timeout_ms', 'timeout_ms', 'ca_cert_pem', 'max_retries',
        'retry_base_delay_ms', 'retry_max_delay_ms', 'binding', 'shared', 'env_proxy',
    ];

    /** @var string */
    public $apiId;
    /** @var Sealed */
    private $apiKey;
    /** @var string as given (trimmed of '/'): receipt URLs are built on it, as the core does */
    public $baseUrl;
    /** @var string the same URL normalised, for curl */
    public $requestBase;
    /** @var int */
    public $connectTimeoutMs;
    /** @var int */
    public $timeoutMs;
    /** @var string|null */
    public $caCertPem;
    /** @var int */
    public $maxRetries;
    /** @var int */
    public $retryBaseDelayMs;
    /** @var int */
    public $retryMaxDelayMs;
    /** @var string */
    public $userAgent;
    /** @var bool */
    public $shared;
    /** @var bool */
    public $envProxy;

    /** @var array the config being read */
    private $map = [];
    /** @var array problems found so far: [field, rule, message] */
    private $problems = [];

    private function __construct()
    {
    }

    /** @throws Failure invalid_argument or validation, as the core */
    public static function fromJson(
        #[\SensitiveParameter]
        string $json
    ): Config {
        $map = Json::decode($json, $kind);
        if ($kind === 'invalid') {
            throw Failure::invalid('config is not valid JSON');
        }
        if ($kind !== 'object') {
            throw Failure::invalid('config must be a JSON object');
        }
        $c = new self();
        $c->map = $map;
        foreach (array_keys($map) as $key) {
            $key = (string) $key;
            if (in_array($key, self::KEYS, true)) {
                continue;
            }
            $near = self::nearestKey($key);
            $c->problems[] = [$key, 'unknown', $near !== null
                ? sprintf('unknown config key %s: did you mean %s?', self::quote($key), self::quote($near))
                : sprintf('unknown config key %s', self::quote($key))];
        }
        $env = $c->string('env');
        if ($env !== null && $env !== 'live' && $env !== 'sandbox') {
            $c->problems[] = ['env', 'one_of', 'env must be "sandbox" or "live"'];
        }
        $url = $c->string('base_url');
        if ($url !== null) {
            $baseUrl = rtrim($url, '/');
        } elseif ($env === 'live') {
            $baseUrl = self::LIVE_URL;
        } elseif ($env === 'sandbox') {
            $baseUrl = self::SANDBOX_URL;
        } else {
            $baseUrl = '';
            if ($env === null) {
                $c->problems[] = ['env', 'required', 'give env ("sandbox"/"live") or base_url'];
            }
        }
        $requestBase = '';
        if ($baseUrl !== '') {
            $problem = self::baseUrlProblem($baseUrl, $env === 'live', $requestBase);
            if ($problem !== null) {
                $c->problems[] = $problem;
            }
        }
        // pay2_id is documented with 30 characters, API_ID with 20: accept the larger.
        $c->apiId = $c->credential('api_id', 30);
        $c->apiKey = new Sealed($c->credential('api_key', 100));
        $c->connectTimeoutMs = $c->number('connect_timeout_ms', 10000, 1, 600000);
        $c->timeoutMs = $c->number('timeout_ms', 20000, 1, 600000);
        $c->maxRetries = $c->number('max_retries', 2, 0, 5);
        $c->retryBaseDelayMs = $c->number('retry_base_delay_ms', 500, 0, 60000);
        $c->retryMaxDelayMs = $c->number('retry_max_delay_ms', 5000, 0, 600000);
        $c->shared = $c->boolean('shared', true);
        $c->envProxy = $c->boolean('env_proxy', true);
        $c->caCertPem = $c->string('ca_cert_pem');
        if ($c->caCertPem !== null && !self::holdsCertificate($c->caCertPem)) {
            $c->problems[] = ['ca_cert_pem', 'pem', 'ca_cert_pem holds no PEM certificate'];
        }
        // Only decorates the User-Agent: cleaned, not refused.
        $binding = (string) preg_replace('/[^\x21-\x7E ]/u', '_', (string) $c->string('binding'));
        $binding = Json::head($binding, 100);
        $problems = $c->problems;
        $c->map = [];
        $c->problems = [];
        if ($problems !== []) {
            throw Failure::validation($problems);
        }
        $c->baseUrl = $baseUrl;
        $c->requestBase = (string) $requestBase;
        $c->userAgent = 'cookiepay/' . \CookiePay\Backend\PureBackend::VERSION . (trim($binding) !== '' ? ' ' . trim($binding) : '');
        return $c;
    }

    public function apiKey(): string
    {
        return $this->apiKey->get();
    }

    /** The known key closest to a misspelt one (at most a third of its letters off), if any. */
    private static function nearestKey(string $key): ?string
    {
        $best = null;
        $bestDistance = PHP_INT_MAX;
        $lower = strtolower($key);
        foreach (self::KEYS as $known) {
            $d = self::editDistance($lower, $known);
            if ($d > intdiv(strlen($known) + 2, 3)) {
                continue;
            }
            if ($d < $bestDistance || ($d === $bestDistance && strcmp($known, (string) $best) < 0)) {
                $best = $known;
                $bestDistance = $d;
            }
        }
        return $best;
    }

    private static function editDistance(string $a, string $b): int
    {
        $a = preg_split('//u', $a, -1, PREG_SPLIT_NO_EMPTY) ?: str_split($a);
        $b = str_split($b);
        $row = range(0, count($b));
        foreach ($a as $i => $ca) {
            $diagonal = $row[0];
            $row[0] = $i + 1;
            foreach ($b as $j => $cb) {
                $next = min($row[$j + 1] + 1, $row[$j] + 1, $diagonal + ($ca !== $cb ? 1 : 0));
                $diagonal = $row[$j + 1];
                $row[$j + 1] = $next;
            }
        }
        return $row[count($b)];
    }

    /** A key as Rust's Debug prints a string: in double quotes, with " and \ escaped. */
    private static function quote(string $text): string
    {
        return '"' . addcslashes($text, "\"\\\n\r\t") . '"';
    }

    /**
     * What is wrong with a base URL (config.rs base_url_problem), or null; $normalized is what curl
     * is given.
     */
    private static function baseUrlProblem(string $url, bool $live, ?string &$normalized = null): ?array
    {
        $u = BaseUrl::parse($url);
        if ($u === null) {
            return ['base_url', 'url', 'base_url is not a URL (e.g. https://sandbox.cookiepayments.com)'];
        }
        if (($u['scheme'] !== 'http' && $u['scheme'] !== 'https') || $u['host'] === null || $u['host'] === '') {
            return ['base_url', 'url', 'base_url must be an http:// or https:// URL with a host'];
        }
        if ($u['username'] !== '' || $u['password'] !== null || $u['query'] !== null || $u['fragment'] !== null) {
            return ['base_url', 'url', 'base_url must not hold a user, a query or a fragment'];
        }
        $host = $u['host'];
        $cookiepay = $host === 'cookiepayments.com' || substr($host, -strlen('.cookiepayments.com')) === '.cookiepayments.com';
        if ($u['scheme'] === 'http' && ($live || $cookiepay)) {
            return ['base_url', 'https', "CookiePay's hosts and the live environment require https"];
        }
        $normalized = $u['scheme'] . '://' . $host . ($u['port'] !== null ? ':' . $u['port'] : '') . $u['path'];
        return null;
    }

    private static function holdsCertificate(string $pem): bool
    {
        if (preg_match_all('/-----BEGIN CERTIFICATE-----([A-Za-z0-9+\/=\s]+)-----END CERTIFICATE-----/', $pem, $m) < 1) {
            return false;
        }
        foreach ($m[1] as $body) {
            if (base64_decode((string) preg_replace('/\s+/', '', $body), true) === false) {
                return false;
            }
        }
        return true;
    }

    private function string(string $key): ?string
    {
        $v = array_key_exists($key, $this->map) ? $this->map[$key] : null;
        if ($v === null || is_string($v)) {
            return $v;
        }
        $this->problems[] = [$key, 'type', $key . ' must be a string'];
        return null;
    }

    private function boolean(string $key, bool $default): bool
    {
        $v = array_key_exists($key, $this->map) ? $this->map[$key] : null;
        if ($v === null) {
            return $default;
        }
        if (is_bool($v)) {
            return $v;
        }
        $this->problems[] = [$key, 'type', $key . ' must be true or false'];
        return $default;
    }

    private function number(string $key, int $default, int $min, int $max): int
    {
        $v = array_key_exists($key, $this->map) ? $this->map[$key] : null;
        if ($v === null) {
            return $default;
        }
        if (is_int($v) && $v >= $min && $v <= $max) {
            return $v;
        }
        $this->problems[] = [$key, 'range', sprintf('%s must be a whole number from %d to %d', $key, $min, $max)];
        return $default;
    }

    private function credential(string $key, int $max): string
    {
        $s = $this->string($key);
        if ($s !== null && $s !== '' && Json::chars($s) <= $max && preg_match('/^[\x21-\x7E]+$/D', $s) === 1) {
            return $s;
        }
        if ($s !== null && $s !== '') {
            $this->problems[] = [$key, 'format', sprintf('%s must be at most %d printable ASCII characters', $key, $max)];
        } else {
            $this->problems[] = [$key, 'required', $key . ' is required'];
        }
        return '';
    }
}
