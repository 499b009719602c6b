<?php
// One php-fpm request of the concurrent scenario (bench/php/fpm.sh): 결제정보 검증 of one payment, as a
// shop's return page does it. Answers "OK" or fails. BENCH_CONTENDER (a FastCGI param) picks:
//  binding           new CookiePay\Client(config), then verify(): the process-wide registry of the core
//                    keeps the connection and the TOKEN across requests of the same worker
//  curl-per-request  the best a hand-written client can do under php-fpm with PHP 8.2's curl: a curl
//                    handle cannot outlive the request (curl_share_init_persistent is PHP 8.5), so
//                    each request makes its own handle (a new TLS connection); the TOKEN is cached
//                    across requests in a file, as a shop would in its database or APCu
require __DIR__ . '/../../bindings/php/autoload.php';

$e = static function (string $name): string {
    $v = getenv($name);
    return $v === false ? (string) ($_SERVER[$name] ?? '') : $v;
};
$url = $e('BENCH_URL');
$tid = $e('BENCH_TID');
$orderNo = $e('BENCH_ORDERNO');
$amount = (int) $e('BENCH_AMOUNT');
$ca = $e('BENCH_CA');

switch ($_SERVER['BENCH_CONTENDER'] ?? '') {
    case 'binding':
        // The config as a shop keeps it (a config file opcache holds): the PEM is read once per worker.
        static $pem = null;
        $pem = $pem ?? file_get_contents($ca);
        $client = new CookiePay\Client([
            'base_url' => $url, 'api_id' => $e('BENCH_API_ID'), 'api_key' => $e('BENCH_API_KEY'), 'ca_cert_pem' => $pem,
        ]);
        $client->verify($tid, ['ORDERNO' => $orderNo, 'AMOUNT' => $amount]);
        echo 'OK';
        break;
    case 'curl-per-request':
        $ch = curl_init();
        curl_setopt($ch, CURLOPT_POST, true);
        curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
        curl_setopt($ch, CURLOPT_CONNECTTIMEOUT, 10);
        curl_setopt($ch, CURLOPT_TIMEOUT, 20);
        curl_setopt($ch, CURLOPT_CAINFO, $ca);
        $tokenFile = $e('BENCH_TOKEN_FILE');
        $token = @file_get_contents($tokenFile);
        if ($token === false || $token === '') {
            curl_setopt($ch, CURLOPT_URL, $url . '/payAuth/token');
            curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode(['pay2_id' => $e('BENCH_API_ID'), 'pay2_key' => $e('BENCH_API_KEY')]));
            curl_setopt($ch, CURLOPT_HTTPHEADER, ['Content-Type: application/json; charset=utf-8']);
            $token = json_decode(curl_exec($ch), true)['TOKEN'];
            file_put_contents($tokenFile, $token, LOCK_EX);
        }
        curl_setopt($ch, CURLOPT_URL, $url . '/api/paycert');
        curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode(['tid' => $tid]));
        curl_setopt($ch, CURLOPT_HTTPHEADER, ['Content-Type: application/json; charset=utf-8', 'TOKEN: ' . $token]);
        $p = json_decode((string) curl_exec($ch), true);
        curl_close($ch);
        if (!is_array($p) || ($p['RESULTCODE'] ?? '') !== '0000' || ($p['TID'] ?? '') !== $tid
            || ($p['ORDERNO'] ?? '') !== $orderNo || (int) ($p['AMOUNT'] ?? -1) !== $amount
            || trim((string) ($p['CANCELDATE'] ?? '')) !== '' || trim((string) ($p['CANCELMSG'] ?? '')) !== '') {
            http_response_code(500);
            echo 'verification failed';
            break;
        }
        echo 'OK';
        break;
    default:
        http_response_code(400);
        echo 'unknown contender';
}
