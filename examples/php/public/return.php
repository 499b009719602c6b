<?php
// RETURNURL: CookiePay makes the buyer's browser POST API_ID, RESULTCODE, RESULTMSG, ENC_DATA here.
// Everything in that post comes from the browser and proves nothing — its 'success' included. The
// order changes only on what CookiePay answers this server: decrypt (of ENC_DATA) or, for a plaintext
// post, paycert of its TID; then verify against the stored order (결제정보 검증), and mark it paid
// exactly once: a replayed post changes nothing.
require dirname(__DIR__) . '/src/shop.php';

use CookiePay\Client;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\InvalidArgumentException;
use CookiePay\Exception\ValidationException;
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
    // Declined in the window (as the browser says): only the page differs, the order stays pending
    // and the buyer may try again. The message is shown, never stored.
    shop_page('결제 실패', '<p>' . h($post['RESULTMSG']) . ' (' . h($post['RESULTCODE']) . ')</p>', 200, 'declined');
}

$client = shop_client();
header('X-CookiePay-Backend: ' . $client->backend());
$db = shop_db();
try {
    // The payment as CookiePay attests it. Of a plaintext post only the TID is read, to ask paycert.
    $attested = $post['encrypted']
        ? $client->decrypt($post['ENC_DATA'])
        : $client->paycert(isset($post['TID']) ? (string) $post['TID'] : '');
    $order = shop_one($db, 'SELECT orderno, amount, status, tid FROM orders WHERE orderno = ?', [(string) $attested['ORDERNO']]);
    if ($order === null) {
        shop_page('알 수 없는 주문', '<p>주문번호 ' . h($attested['ORDERNO']) . '</p>', 404, 'unknown-order');
    }
    // Never trust the amount the browser brought back: compare CookiePay's record with ours.
    $verified = $client->verify((string) $attested['TID'], ['ORDERNO' => $order['orderno'], 'AMOUNT' => (int) $order['amount']]);
} catch (VerificationException $e) {
    error_log('cookiepay: payment does not match order: ' . json_encode($e->getMismatches(), JSON_UNESCAPED_UNICODE));
    shop_page('결제 확인 실패', '<p>결제 정보가 주문과 다릅니다. 상품을 보내지 마세요.</p>', 409, 'mismatch');
} catch (ValidationException | InvalidArgumentException $e) {
    // E.g. a plaintext post without a TID: nothing to ask CookiePay about.
    shop_page('잘못된 요청', '<p>쿠키페이 결제 결과가 아닙니다.</p>', 400, 'invalid');
} catch (ApiException $e) {
    // ENC_DATA that is not CookiePay's, or a TID CookiePay does not know (e.g. E022): nothing is changed.
    error_log('cookiepay: ' . $e->getErrorJson());
    shop_page('결제 확인 실패', '<p>' . h($e->getMessage()) . '</p>', 502, 'error');
} catch (CookiePayException $e) {
    // Network or timeout: CookiePay will not post again. The order stays pending; check it with paycert later.
    error_log('cookiepay: ' . $e->getErrorJson());
    shop_page('결제 확인 지연', '<p>결제 확인이 늦어지고 있습니다. 잠시 후 주문 내역을 확인해 주세요.</p>', 503, 'retry-later');
}

// Only decrypt returns a BILLKEY. One that only a plaintext post carries cannot be attested (paycert
// has none): it is never stored, or anyone could plant their own card's key on a real payment.
$billkey = null;
if ($post['encrypted']) {
    $billkey = isset($attested['BILLKEY']) && $attested['BILLKEY'] !== '' ? (string) $attested['BILLKEY'] : null;
} elseif (isset($post['BILLKEY'])) {
    error_log('cookiepay: BILLKEY of a plaintext return post for ' . $verified['TID'] . ' not stored: paycert cannot attest it');
}

$paid = $db->prepare("UPDATE orders SET status = 'paid', tid = ?, billkey = ?, accept_no = ?, card_name = ?, paid_at = ?
    WHERE orderno = ? AND amount = ? AND status = 'pending'");
$paid->execute([
    $verified['TID'],
    $billkey,
    isset($verified['ACCEPTNO']) ? $verified['ACCEPTNO'] : null,
    isset($verified['CARDNAME']) ? $verified['CARDNAME'] : null,
    date('c'),
    $order['orderno'],
    (int) $order['amount'],
]);
if ($paid->rowCount() === 1) {
    shop_page('결제 완료', '<p>주문 ' . h($order['orderno']) . ' — ' . number_format((int) $order['amount']) . '원 결제가 완료되었습니다.</p>', 200, 'paid');
}
if ($order['tid'] !== null && $order['tid'] !== $verified['TID']) {
    // A second payment for an order that was already paid: refund it, do not ship twice.
    error_log('cookiepay: second payment ' . $verified['TID'] . ' for paid order ' . $order['orderno']);
    shop_page('중복 결제', '<p>이미 결제된 주문에 대한 두 번째 결제입니다. 취소가 필요합니다.</p>', 409, 'duplicate-payment');
}
shop_page('이미 처리된 결제', '<p>주문 ' . h($order['orderno']) . '은 이미 결제 완료로 처리되었습니다. 아무것도 바꾸지 않았습니다.</p>', 200, 'already-paid');
