<?php

namespace CookiePay\Tests\Support;

/** What a test reads or sets inside an object, the same way on PHP 7.4 to 8.5. */
final class Internals
{
    public static function property(string $class, string $name): \ReflectionProperty
    {
        $property = new \ReflectionProperty($class, $name);
        if (PHP_VERSION_ID < 80100) {
            $property->setAccessible(true); // a no-op since 8.1, deprecated in 8.5
        }
        return $property;
    }
}
