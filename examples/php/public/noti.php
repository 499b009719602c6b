<?php
// The 통지 URL (Noti): CookiePay POSTs JSON here for payments, each recurring charge and cancellations.
// A Noti is not authenticated: it is parsed, processed once per dedup_key, and nothing is recorded
// before paycert confirms it. CookiePay resends a Noti that did not get a success answer.
require dirname(__DIR__) . '/src/shop.php';

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    http_response_code(405);
    header('Allow: POST');
    exit;
}
$body = file_get_contents('php://input');
[$status, $result] = shop_handle_noti(shop_db(), shop_client(), is_string($body) ? $body : '');
http_response_code($status);
header('X-Noti-Result: ' . $result);
header('Content-Type: text/plain; charset=utf-8');
echo $status === 200 ? shop_noti_success_body() : 'RETRY';
