<?php
// One php-fpm request of FpmTest: real calls through the binding, answered as JSON. With the preload
// recipe the classes are already preloaded and this require loads nothing.
require __DIR__ . '/../../autoload.php';

use CookiePay\Client;
use CookiePay\Native;

header('Content-Type: application/json');
$param = function (string $name): string {
    return isset($_SERVER[$name]) ? (string) $_SERVER[$name] : '';
};
try {
    $client = new Client([
        'base_url' => $param('COOKIEPAY_SANDBOX_URL'),
        'api_id' => $param('COOKIEPAY_API_ID'),
        'api_key' => $param('COOKIEPAY_API_KEY'),
    ]);
    $token = $client->token();
    $payment = $client->verify($param('TID'), ['ORDERNO' => $param('ORDERNO'), 'AMOUNT' => (int) $param('AMOUNT')]);
    $post = Client::parseReturn($param('FORM_BODY'));
    echo json_encode([
        'ok' => true,
        'pid' => getmypid(),
        'source' => Native::source(),
        'tid' => $payment['TID'],
        'token_ok' => $token['TOKEN'] !== '',
        'return_success' => $post['success'],
    ]);
} catch (Throwable $e) {
    echo json_encode(['ok' => false, 'pid' => getmypid(), 'class' => get_class($e), 'message' => $e->getMessage()]);
}
