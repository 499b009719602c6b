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
// A logger too: its FFI callback is made in this request and freed when it ends.
$logger = new class {
    /** @var int */
    public $records = 0;

    public function log($level, $message, array $context = []): void
    {
        $this->records++;
    }
};
try {
    $client = new Client([
        'base_url' => $param('COOKIEPAY_SANDBOX_URL'),
        'api_id' => $param('COOKIEPAY_API_ID'),
        'api_key' => $param('COOKIEPAY_API_KEY'),
        'logger' => $logger,
    ]);
    $token = $client->token();
    $payment = $client->verify($param('TID'), ['ORDERNO' => $param('ORDERNO'), 'AMOUNT' => (int) $param('AMOUNT')]);
    $post = Client::parseReturn($param('FORM_BODY'));
    $noti = Client::parseNoti('{"TID":"' . $payment['TID'] . '","ORDERNO":"x","RESULTCODE":"0000"}');
    $answer = [
        'ok' => true,
        'pid' => getmypid(),
        'source' => Native::source(),
        'tid' => $payment['TID'],
        'token_ok' => $token['TOKEN'] !== '',
        'return_success' => $post['success'],
        'noti_key' => $noti['dedup_key'],
        'receipt_url' => $client->receiptUrl($payment['TID']),
        'logged' => $logger->records,
    ];
    if ($param('BILLKEYGEN') === '1') {
        $answer['billkeygen_charged'] = $client->billkeygen([
            'ORDERNO' => 'FPM-' . getmypid() . '-' . bin2hex(random_bytes(4)), 'PRODUCTNAME' => '구독', 'AMOUNT' => 1000,
            'BUYERNAME' => '홍길동', 'CARDNO' => '4111111111111111', 'EXPIREDT' => '3012', 'CARDAUTH' => '900101', 'CARDPWD' => '12',
        ])['charged'];
    }
    echo json_encode($answer);
} catch (Throwable $e) {
    echo json_encode(['ok' => false, 'pid' => getmypid(), 'class' => get_class($e), 'message' => $e->getMessage()]);
}
