<?php
// PHP contenders of bench/run.sh. Prints one JSON line.
//  binding        the CookiePay\Client of bindings/php
//  manual-sample  the manual's PHP sample (결제정보 검증): curl_init per request, a TOKEN request, then
//                 paycert; changed only in its domain and in trusting the sandbox's test CA (CURLOPT_CAINFO)
//  curl-reused    the same requests on one reused curl handle (keep-alive), what a careful developer writes
//  pure           the CookiePay\Client of bindings/php on its pure-PHP backend (hosts without FFI)
// Scenario "verify" (결제정보 검증 as a PHP request does it): the binding builds its Client anew and calls
// verify(); curl-reused sends paycert with its cached TOKEN, decodes the answer and compares RESULTCODE,
// TID, ORDERNO, AMOUNT and the cancellation fields in PHP.
require __DIR__ . '/../../bindings/php/autoload.php';

function env(string $name): string
{
    $v = getenv($name);
    if ($v === false || $v === '') {
        fwrite(STDERR, "$name is not set (run bench/run.sh)\n");
        exit(2);
    }
    return $v;
}

function peak_rss_kb(): int
{
    return preg_match('/VmHWM:\s+(\d+)/', file_get_contents('/proc/self/status'), $m) ? (int) $m[1] : 0;
}

/** The manual's curl block, as printed, for one request. */
function manual_post(string $url, string $json, array $headers, string $ca): string
{
    $ch = curl_init();
    curl_setopt($ch, CURLOPT_URL, $url);
    curl_setopt($ch, CURLOPT_POST, false);
    curl_setopt($ch, CURLOPT_POSTFIELDS, $json);
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    curl_setopt($ch, CURLOPT_CONNECTTIMEOUT, 10);
    curl_setopt($ch, CURLOPT_TIMEOUT, 20);
    curl_setopt($ch, CURLOPT_HTTPHEADER, $headers);
    curl_setopt($ch, CURLOPT_CAINFO, $ca);
    $result = curl_exec($ch);
    curl_close($ch);
    return (string) $result;
}

function measure(float $seconds, callable $one): array
{
    $warmUp = microtime(true) + 1.0;
    while (microtime(true) < $warmUp) {
        $one();
    }
    $latencies = [];
    $start = hrtime(true);
    $end = $start + (int) ($seconds * 1e9);
    while (($t = hrtime(true)) < $end) {
        $one();
        $latencies[] = (hrtime(true) - $t) / 1000;
    }
    $elapsed = (hrtime(true) - $start) / 1e9;
    sort($latencies);
    $n = count($latencies);
    return [$n, $elapsed, $latencies[(int) round(($n - 1) * 0.5)], $latencies[(int) round(($n - 1) * 0.99)]];
}

$contender = env('BENCH_CONTENDER');
if ($contender === 'overhead') {
    $body = 'API_ID=sandbox_demo01&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5&ENC_DATA=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA%2Bq83vEjRWeJCrze8SNFZ4kA%3D%3D';
    $client = new CookiePay\Client(['base_url' => 'http://127.0.0.1:1', 'api_id' => 'sandbox_demo01', 'api_key' => 'k1234567']);
    $order = ['ORDERNO' => 'A1', 'PRODUCTNAME' => 'a&b', 'AMOUNT' => '1,000', 'BUYERNAME' => '홍', 'RETURNURL' => 'x'];
    $cases = [
        'parse_return' => function () use ($body) { CookiePay\Client::parseReturn($body); },
        'validation_failure' => function () use ($client, $order) {
            try {
                $client->ready($order);
                throw new RuntimeException('validation expected');
            } catch (CookiePay\Exception\ValidationException $e) {
            }
        },
    ];
    foreach ($cases as $name => $case) {
        for ($i = 0; $i < 1000; $i++) {
            $case();
        }
        $n = 100000;
        $t = hrtime(true);
        for ($i = 0; $i < $n; $i++) {
            $case();
        }
        $us = (hrtime(true) - $t) / 1000 / $n;
        echo json_encode(['lang' => 'php', 'contender' => 'binding', 'scenario' => $name, 'calls' => $n, 'us_per_call' => $us]), "\n";
    }
    exit(0);
}

$url = env('BENCH_URL');
$apiId = env('BENCH_API_ID');
$apiKey = env('BENCH_API_KEY');
$tid = env('BENCH_TID');
$ca = env('BENCH_CA');
$scenario = env('BENCH_SCENARIO');
$fresh = $scenario === 'token+paycert';
$verify = $scenario === 'verify';
$orderNo = env('BENCH_ORDERNO');
$amount = (int) env('BENCH_AMOUNT');
$tokenJson = json_encode(['pay2_id' => $apiId, 'pay2_key' => $apiKey], JSON_UNESCAPED_UNICODE);
$paycertJson = json_encode(['tid' => $tid], JSON_UNESCAPED_UNICODE);

switch ($contender) {
    case 'binding':
    case 'pure':
        // The same Client on its FFI backend (binding) or its pure-PHP one (hosts without FFI).
        $config = [
            'base_url' => $url, 'api_id' => $apiId, 'api_key' => $apiKey, 'ca_cert_pem' => file_get_contents($ca),
            'backend' => $contender === 'pure' ? 'php' : 'ffi',
        ];
        if ($verify) {
            // What each PHP request does: a Client from the config, then verify.
            $one = function () use ($config, $tid, $orderNo, $amount) {
                $client = new CookiePay\Client($config);
                $client->verify($tid, ['ORDERNO' => $orderNo, 'AMOUNT' => $amount]);
            };
            break;
        }
        $client = new CookiePay\Client($config);
        $one = function () use ($client, $tid, $fresh) {
            if ($fresh) {
                $client->token(true);
            }
            $client->paycert($tid);
        };
        break;
    case 'manual-sample':
        $token = null;
        $one = function () use ($url, $tokenJson, $paycertJson, $ca, $fresh, &$token) {
            if ($fresh || $token === null) {
                $result = json_decode(manual_post($url . '/payAuth/token', $tokenJson, ['Content-Type: application/json; charset=utf-8'], $ca), true);
                if ($result['RTN_CD'] != '0000') {
                    throw new RuntimeException('token failed');
                }
                $token = $result['TOKEN'];
            }
            $response = manual_post($url . '/api/paycert', $paycertJson, ['content-type: application/json; charset=utf-8', 'TOKEN: ' . $token], $ca);
            if (strpos($response, '"0000"') === false) {
                throw new RuntimeException('paycert failed');
            }
        };
        break;
    case 'curl-reused':
        $ch = curl_init();
        curl_setopt($ch, CURLOPT_POST, true);
        curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
        curl_setopt($ch, CURLOPT_CONNECTTIMEOUT, 10);
        curl_setopt($ch, CURLOPT_TIMEOUT, 20);
        curl_setopt($ch, CURLOPT_CAINFO, $ca);
        $token = null;
        $one = function () use ($ch, $url, $tokenJson, $paycertJson, $fresh, $verify, $tid, $orderNo, $amount, &$token) {
            if ($fresh || $token === null) {
                curl_setopt($ch, CURLOPT_URL, $url . '/payAuth/token');
                curl_setopt($ch, CURLOPT_POSTFIELDS, $tokenJson);
                curl_setopt($ch, CURLOPT_HTTPHEADER, ['Content-Type: application/json; charset=utf-8']);
                $token = json_decode(curl_exec($ch), true)['TOKEN'];
            }
            curl_setopt($ch, CURLOPT_URL, $url . '/api/paycert');
            curl_setopt($ch, CURLOPT_POSTFIELDS, $paycertJson);
            curl_setopt($ch, CURLOPT_HTTPHEADER, ['Content-Type: application/json; charset=utf-8', 'TOKEN: ' . $token]);
            $answer = (string) curl_exec($ch);
            if (!$verify) {
                if (strpos($answer, '"0000"') === false) {
                    throw new RuntimeException('paycert failed');
                }
                return;
            }
            $p = json_decode($answer, true);
            if (!is_array($p) || ($p['RESULTCODE'] ?? '') !== '0000' || ($p['TID'] ?? '') !== $tid
                || ($p['ORDERNO'] ?? '') !== $orderNo || (int) ($p['AMOUNT'] ?? -1) !== $amount
                || trim((string) ($p['CANCELDATE'] ?? '')) !== '' || trim((string) ($p['CANCELMSG'] ?? '')) !== '') {
                throw new RuntimeException('verification failed');
            }
        };
        break;
    default:
        fwrite(STDERR, "unknown contender $contender\n");
        exit(2);
}

[$calls, $elapsed, $p50, $p99] = measure((float) env('BENCH_SECONDS'), $one);
echo json_encode([
    'lang' => 'php', 'contender' => $contender, 'scenario' => $scenario, 'calls' => $calls, 'seconds' => $elapsed,
    'calls_per_s' => $calls / $elapsed, 'p50_us' => $p50, 'p99_us' => $p99, 'peak_rss_kb' => peak_rss_kb(),
]), "\n";
