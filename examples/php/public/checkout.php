<?php
// Store the order as pending first, then open CookiePay's payment window for it (ready).
require dirname(__DIR__) . '/src/shop.php';

use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\TimeoutException;
use CookiePay\Exception\ValidationException;

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    header('Location: /', true, 303);
    exit;
}
$productId = isset($_POST['product']) ? (string) $_POST['product'] : '';
$buyer = trim(isset($_POST['buyer']) ? (string) $_POST['buyer'] : '');
if (!isset(PRODUCTS[$productId]) || $buyer === '') {
    shop_page('주문 오류', '<p>상품과 이름을 확인해 주세요.</p>', 400, 'invalid-order');
}
$product = PRODUCTS[$productId];
$orderNo = date('YmdHis') . '-' . bin2hex(random_bytes(4));

$db = shop_db();
$db->prepare("INSERT INTO orders (orderno, product, amount, buyer, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)")
    ->execute([$orderNo, $product['name'], $product['amount'], $buyer, date('c')]);

$client = shop_client();
// Which backend serves this shop: "ffi" (libcookiepay) or "php" (no FFI on this host). For operators.
header('X-CookiePay-Backend: ' . $client->backend());
try {
    $window = $client->ready([
        'ORDERNO' => $orderNo,
        'PRODUCTNAME' => $product['name'],
        'AMOUNT' => $product['amount'],
        'BUYERNAME' => $buyer,
        'RETURNURL' => shop_url() . '/return.php',
    ]);
} catch (ValidationException $e) {
    $list = '';
    foreach ($e->getFields() as $field) {
        $list .= '<li>' . h($field['field']) . ': ' . h($field['message']) . '</li>';
    }
    shop_page('주문 오류', "<ul>$list</ul>", 400, 'invalid-order');
} catch (TimeoutException $e) {
    // ready is never retried: the window may exist. The order stays pending; look it up before retrying.
    shop_page('잠시 후 다시 시도해 주세요', '<p>결제창 응답이 늦어지고 있습니다. 주문번호 ' . h($orderNo) . '</p>', 504, 'timeout');
} catch (CookiePayException $e) {
    error_log('cookiepay ready failed: ' . $e->getErrorJson());
    shop_page('결제창을 열 수 없습니다', '<p>' . h($e->getMessage()) . '</p>', 502, 'error');
}

header('X-Order-No: ' . $orderNo);
header('Content-Type: text/html; charset=utf-8');
// The window's form posts to CookiePay's own host, with the card data never touching the shop.
echo $window['html'];
