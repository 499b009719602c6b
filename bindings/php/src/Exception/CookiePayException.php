<?php

namespace CookiePay\Exception;

/**
 * Base of every exception the binding throws. One subclass per error kind of the core (README of
 * the repository, "Error kinds"); an unknown future kind arrives as this class itself.
 */
class CookiePayException extends \RuntimeException
{
    const KIND_CLASSES = [
        'invalid_argument' => InvalidArgumentException::class,
        'validation' => ValidationException::class,
        'api' => ApiException::class,
        'verification_failed' => VerificationException::class,
        'network' => NetworkException::class,
        'timeout' => TimeoutException::class,
        'http' => HttpException::class,
        'decode' => DecodeException::class,
        'internal' => InternalException::class,
        'noti_not_confirmed' => NotiNotConfirmedException::class,
    ];

    /** @var string */
    private $kind;

    /** @var array the error object of the envelope, decoded */
    private $error;

    /** @var string the error object of the envelope, as JSON */
    private $errorJson;

    /**
     * @param array $error the envelope's error object: {"kind","message",...}
     */
    public function __construct(array $error, string $errorJson = '', ?\Throwable $previous = null)
    {
        $message = isset($error['message']) && is_string($error['message']) ? $error['message'] : 'cookiepay error';
        parent::__construct($message, 0, $previous);
        self::dropTraceArguments($this);
        $this->kind = isset($error['kind']) && is_string($error['kind']) ? $error['kind'] : 'unknown';
        $this->error = $error;
        $this->errorJson = $errorJson !== ''
            ? $errorJson
            : (string) json_encode($error, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    }

    /**
     * A trace's arguments hold what each frame was given: the config array with the API key,
     * billkeygen's card, a TOKEN. PHP 8.2+ hides the binding's own #[\SensitiveParameter]s, but
     * 7.4-8.1 ignore the attribute, and a shop's own frames (`subscribe(array $card)`) are never
     * marked; with zend.exception_ignore_args Off (PHP's default without a php.ini) a logger that
     * records traces would store them. So this exception and those it wraps keep every frame's file,
     * line and function, and no argument, on every PHP version.
     */
    private static function dropTraceArguments(\Throwable $throwable): void
    {
        static $traces = [];
        for (; $throwable !== null; $throwable = $throwable->getPrevious()) {
            $base = $throwable instanceof \Exception ? \Exception::class : \Error::class;
            if (!isset($traces[$base])) {
                $traces[$base] = new \ReflectionProperty($base, 'trace');
                if (PHP_VERSION_ID < 80100) {
                    $traces[$base]->setAccessible(true); // a no-op since 8.1, deprecated in 8.5
                }
            }
            $frames = $traces[$base]->getValue($throwable);
            foreach ($frames as $i => $frame) {
                unset($frames[$i]['args']);
            }
            $traces[$base]->setValue($throwable, $frames);
        }
    }

    /** The exception for an error object of the core: one class per kind. */
    public static function fromError(array $error, string $errorJson = ''): CookiePayException
    {
        $kind = isset($error['kind']) && is_string($error['kind']) ? $error['kind'] : '';
        $class = isset(self::KIND_CLASSES[$kind]) ? self::KIND_CLASSES[$kind] : self::class;
        return new $class($error, $errorJson);
    }

    /** The core's error kind: invalid_argument, validation, api, ... */
    public function getKind(): string
    {
        return $this->kind;
    }

    /** The whole error object, decoded (kind, message and the kind's own fields). */
    public function getError(): array
    {
        return $this->error;
    }

    /** The whole error object as JSON, for logs and support tickets (it never holds a secret). */
    public function getErrorJson(): string
    {
        return $this->errorJson;
    }

    /**
     * "unknown" when the call may have taken effect at CookiePay (never simply run it again: the
     * message ends with what settles it), "not_applied" when it surely did not, "" when the kind
     * carries no outcome (validation, api, ...: nothing was changed). Here on the base class so that
     * one `catch (CookiePayException $e)` can ask any exception.
     */
    public function getOutcome(): string
    {
        $outcome = $this->field('outcome', '');
        return is_string($outcome) ? $outcome : '';
    }

    /** Whether the call may have taken effect at CookiePay (see getOutcome()). */
    public function isOutcomeUnknown(): bool
    {
        return $this->getOutcome() === 'unknown';
    }

    /** @return mixed one field of the error object, or $default */
    protected function field(string $name, $default = null)
    {
        return array_key_exists($name, $this->error) ? $this->error[$name] : $default;
    }
}
