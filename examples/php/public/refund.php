<?php
// Refund button (staff only in a real shop): partial when an amount is given, else the whole payment.
require dirname(__DIR__) . '/src/shop.php';

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    header('Location: /subscriptions.php', true, 303);
    exit;
}
$tid = isset($_POST['tid']) ? (string) $_POST['tid'] : '';
$amountText = trim(isset($_POST['amount']) ? (string) $_POST['amount'] : '');
$reason = trim(isset($_POST['reason']) ? (string) $_POST['reason'] : '');
if ($tid === '' || ($amountText !== '' && !ctype_digit($amountText)) || $amountText === '0') {
    shop_page('환불 오류', '<p>결제와 금액을 확인해 주세요.</p>', 400, 'invalid', 'X-Refund-Result');
}
$outcome = shop_refund(shop_db(), shop_client(), $tid, $amountText === '' ? null : (int) $amountText, $reason !== '' ? $reason : '고객 요청');
$status = ['refunded' => 200, 'already-cancelled' => 200, 'settled' => 409, 'refused' => 409, 'not-found' => 404, 'error' => 503, 'unknown' => 202];
shop_page('환불', '<p>' . h($outcome['message']) . '</p><p><a href="/subscriptions.php">구독 관리</a></p>', $status[$outcome['result']], $outcome['result'], 'X-Refund-Result');
