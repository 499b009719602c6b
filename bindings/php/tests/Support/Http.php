<?php

namespace CookiePay\Tests\Support;

/** What a browser does to the example shop, as the tests need it: one request, no redirects followed. */
final class Http
{
    /**
     * @return array|null [status code, headers (lower-case name => value), body]; null when nothing answered
     */
    public static function send(
        string $method,
        string $url,
        string $body = '',
        string $type = 'application/x-www-form-urlencoded'
    ): ?array {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => "Content-Type: $type\r\n",
            'content' => $body,
            'ignore_errors' => true,
            'follow_location' => 0,
            'timeout' => 30,
        ]]);
        // The stream's metadata, not $http_response_header: that variable is deprecated in PHP 8.5.
        $stream = @fopen($url, 'rb', false, $context);
        if ($stream === false) {
            return null;
        }
        $answer = stream_get_contents($stream);
        $meta = stream_get_meta_data($stream);
        fclose($stream);
        $lines = isset($meta['wrapper_data']) && is_array($meta['wrapper_data']) ? $meta['wrapper_data'] : [];
        if (!is_string($answer) || !isset($lines[0])) {
            return null;
        }
        $headers = [];
        foreach (array_slice($lines, 1) as $line) {
            $parts = explode(':', $line, 2);
            if (count($parts) === 2) {
                $headers[strtolower(trim($parts[0]))] = trim($parts[1]);
            }
        }
        preg_match('/^HTTP\/\S+ (\d+)/', $lines[0], $m);
        return [(int) $m[1], $headers, $answer];
    }
}
