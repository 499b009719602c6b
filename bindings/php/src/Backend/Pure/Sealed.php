<?php

namespace CookiePay\Backend\Pure;

/**
 * A secret (the API key, a TOKEN) held outside the object that carries it, so that print_r,
 * var_dump, var_export, serialize and exception traces of the objects show no secret.
 *
 * @internal
 */
final class Sealed
{
    /** @var string[] id => value */
    private static $values = [];
    /** @var int */
    private static $next = 0;
    /** @var int */
    private $id;

    public function __construct(
        #[\SensitiveParameter]
        string $value
    ) {
        $this->id = ++self::$next;
        self::$values[$this->id] = $value;
    }

    public function get(): string
    {
        return self::$values[$this->id];
    }

    public function __destruct()
    {
        unset(self::$values[$this->id]);
    }

    public function __debugInfo(): array
    {
        return ['value' => Secrets::REDACTED];
    }

    /** Two holders of one id would free it twice. */
    private function __clone()
    {
    }
}
