<?php
// One PHP version's result in bindings/php/test-versions.sh, from PHPUnit's TeamCity log and the status
// wasm-phpunit.php wrote: prints "tests run / passed / skipped (why)" and exits 1 when the run failed,
// did not finish, ran no test, or skipped a test for a reason other than FFI-only or php-wasm's limits.
// Usage: php wasm-summary.php <PHP version> <status file> <teamcity log> <PHPUnit's output> <what it ran> <result file>

[, $version, $statusFile, $teamcity, $output, $ran, $resultFile] = $argv;
// The exact version, from PHPUnit's "Runtime:       PHP 7.4.33" (--verbose).
if (preg_match('/^Runtime:\s+PHP (\S+)/m', is_file($output) ? (string) file_get_contents($output) : '', $m)) {
    $version = $m[1];
}

/** @return array<string, string> the attributes of one ##teamcity[...] line */
function attributes(string $line): array
{
    preg_match_all("/(\\w+)='((?:\\|.|[^|'])*)'/", $line, $pairs, PREG_SET_ORDER);
    $out = [];
    foreach ($pairs as $pair) {
        $out[$pair[1]] = (string) preg_replace_callback('/\|(.)/', function (array $m): string {
            return $m[1] === 'n' ? "\n" : ($m[1] === 'r' ? "\r" : $m[1]);
        }, $pair[2]);
    }
    return $out;
}

$started = 0;
$class = '';
$failed = [];
$skipped = [];
foreach (is_file($teamcity) ? (file($teamcity, FILE_IGNORE_NEW_LINES) ?: []) : [] as $line) {
    if (strpos($line, '##teamcity[testStarted ') === 0) {
        $started++;
        // locationHint='php_qn:///…/XTest.php::\CookiePay\Tests\XTest::testY': name tests Class::test.
        $class = preg_match('/::\\\\?(?:[\w\\\\]*\\\\)?(\w+)::/', attributes($line)['locationHint'] ?? '', $m) ? $m[1] . '::' : '';
    } elseif (strpos($line, '##teamcity[testFailed ') === 0) {
        $attributes = attributes($line);
        $failed[$class . ($attributes['name'] ?? '?')] = strtok(($attributes['message'] ?? '') . "\n", "\n");
    } elseif (strpos($line, '##teamcity[testIgnored ') === 0) {
        $attributes = attributes($line);
        $skipped[] = [$class . ($attributes['name'] ?? '?'), trim(preg_replace('/^__OFFSET_LINE=.*\n__OFFSET_FILE=.*\n/', '', $attributes['message'] ?? ''))];
    }
}

$problems = [];
$status = is_file($statusFile) ? trim((string) file_get_contents($statusFile)) : '';
if ($status === '') {
    $problems[] = 'PHPUnit did not finish (no exit status: a fatal error or a crash, see its output above)';
} elseif ($status !== '0') {
    $problems[] = "PHPUnit exited with status $status";
}
// Notices go to stderr (display_errors=stderr, for PHPUnit's own deprecations on 8.4+): any from a
// file that is not Debian's PHPUnit fails the run.
preg_match_all('/^(?:PHP )?(Deprecated|Warning|Notice|Fatal error): .* in (\S+) on line \d+$/m', is_file($output) ? (string) file_get_contents($output) : '', $notices, PREG_SET_ORDER);
foreach ($notices as $notice) {
    if (strpos($notice[2], '/usr/share/php/') !== 0 || $notice[1] === 'Fatal error') {
        $problems[] = 'PHP said: ' . $notice[0];
    }
}
$problems = array_values(array_unique($problems));
if ($started === 0) {
    $problems[] = 'no test ran';
}

// Why a test may skip here: FFI is the other backend; a feature newer than this PHP ("PHP version:");
// php-wasm has no second PHP process, no FFI,
// no pcntl, posix or APCu (PHPUnit's @requires says "Extension X is required.", a line for each).
$why = [];
foreach ($skipped as [$name, $message]) {
    if (strpos($message, 'FFI-only: ') === 0) {
        $reason = 'FFI-only';
    } elseif (strpos($message, 'php-wasm: ') === 0 || strpos($message, 'PHP version: ') === 0) {
        $reason = $message;
    } elseif (preg_match('/^(Extension (pcntl|posix|apcu) is required\.\s*)+$/', $message)) {
        preg_match_all('/Extension (\w+)/', $message, $m);
        $reason = 'php-wasm: no ' . implode(', no ', $m[1]) . ' extension';
    } else {
        $problems[] = "skipped for a reason that is not FFI-only, PHP version or php-wasm: $name: $message";
        continue;
    }
    $why[$reason][] = $name;
}

$skips = count($skipped);
$passed = $started - count($failed) - $skips;
$line = sprintf('PHP %-6s %s: %d run, %d passed, %d failed, %d skipped', $version, $ran, $started, $passed, count($failed), $skips);
$details = [];
ksort($why);
foreach ($why as $reason => $names) {
    $details[] = sprintf('    %3d skipped, %s', count($names), $reason === 'FFI-only' ? 'FFI-only (the other backend; it runs on PHP 8.2 in test.sh)' : $reason);
    if ($reason !== 'FFI-only') {
        foreach ($names as $name) {
            $details[] = "          $name";
        }
    }
}
foreach ($problems as $problem) {
    $details[] = "    FAILED: $problem";
}
foreach ($failed as $name => $message) {
    $details[] = "    failed: $name: $message";
}
$text = ($problems === [] && $failed === [] ? 'ok     ' : 'FAILED ') . $line . "\n" . ($details === [] ? '' : implode("\n", $details) . "\n");
file_put_contents($resultFile, $text, FILE_APPEND);
fwrite(STDERR, $line . "\n");
exit($problems === [] && $failed === [] ? 0 : 1);
