<?php
// RETURNURL: CookiePay makes the buyer's browser POST API_ID, RESULTCODE, RESULTMSG, ENC_DATA here.
// Parse the raw body, decrypt, verify the payment against the stored order (결제정보 검증), and mark
// the order paid exactly once: a replayed post changes nothing.
require dirname(__DIR__) . '/src/shop.php';

use CookiePay\Client;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\VerificationException;

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    shop_page('잘못된 요청', '<p>결제 결과는 POST로만 받습니다.</p>', 405, 'invalid');
}
try {
    // The raw body, not $_POST: ENC_DATA is Base64 and its '+' must survive.
    $post = Client::parseReturnFromInput();
} catch (CookiePayException $e) {
    shop_page('잘못된 요청', '<p>쿠키페이 결제 결과가 아닙니다.</p>', 400, 'invalid');
}
if (!$post['success']) {
    // Declined in the window: the order stays pending and the buyer may try again.
    shop_page('결제 실패', '<p>' . h($post['RESULTMSG']) . ' (' . h($post['RESULTCODE']) . ')</p>', 200, 'declined');
}

$client = shop_client();
$db = shop_db();
try {
    $payment = $post['encrypted'] ? $client->decrypt($post['ENC_DATA']) : $post;
    $order = shop_one($db, 'SELECT orderno, amount, status, tid FROM orders WHERE orderno = ?', [$payment['ORDERNO']]);
    if ($order === null) {
        shop_page('알 수 없는 주문', '<p>주문번호 ' . h($payment['ORDERNO']) . '</p>', 404, 'unknown-order');
    }
    // Never trust the amount the browser brought back: compare CookiePay's record with ours.
    $client->verify($payment['TID'], ['ORDERNO' => $order['orderno'], 'AMOUNT' => (int) $order['amount']]);
} catch (VerificationException $e) {
    error_log('cookiepay: payment does not match order: ' . json_encode($e->getMismatches(), JSON_UNESCAPED_UNICODE));
    shop_page('결제 확인 실패', '<p>결제 정보가 주문과 다릅니다. 상품을 보내지 마세요.</p>', 409, 'mismatch');
} catch (ApiException $e) {
    error_log('cookiepay: ' . $e->getErrorJson());
    shop_page('결제 확인 실패', '<p>' . h($e->getMessage()) . '</p>', 502, 'error');
} catch (CookiePayException $e) {
    // Network or timeout: CookiePay will not post again. The order stays pending; check it with paycert later.
    error_log('cookiepay: ' . $e->getErrorJson());
    shop_page('결제 확인 지연', '<p>결제 확인이 늦어지고 있습니다. 잠시 후 주문 내역을 확인해 주세요.</p>', 503, 'retry-later');
}

$paid = $db->prepare("UPDATE orders SET status = 'paid', tid = ?, billkey = ?, accept_no = ?, card_name = ?, paid_at = ?
    WHERE orderno = ? AND amount = ? AND status = 'pending'");
$paid->execute([
    $payment['TID'],
    isset($payment['BILLKEY']) ? $payment['BILLKEY'] : null,
    isset($payment['ACCEPTNO']) ? $payment['ACCEPTNO'] : null,
    isset($payment['CARDNAME']) ? $payment['CARDNAME'] : null,
    date('c'),
    $order['orderno'],
    (int) $order['amount'],
]);
if ($paid->rowCount() === 1) {
    shop_page('결제 완료', '<p>주문 ' . h($order['orderno']) . ' — ' . number_format((int) $order['amount']) . '원 결제가 완료되었습니다.</p>', 200, 'paid');
}
if ($order['tid'] !== null && $order['tid'] !== $payment['TID']) {
    // A second payment for an order that was already paid: refund it, do not ship twice.
    error_log('cookiepay: second payment ' . $payment['TID'] . ' for paid order ' . $order['orderno']);
    shop_page('중복 결제', '<p>이미 결제된 주문에 대한 두 번째 결제입니다. 취소가 필요합니다.</p>', 409, 'duplicate-payment');
}
shop_page('이미 처리된 결제', '<p>주문 ' . h($order['orderno']) . '은 이미 결제 완료로 처리되었습니다. 아무것도 바꾸지 않았습니다.</p>', 200, 'already-paid');
