<?php
// Subscription sign-up (정기결제, 비인증): the card form posts here, to the shop's own server, and the
// card goes straight to billkeygen — it is never stored or logged. Shown distinctly: charged and
// scheduled, charged but NOT scheduled (do not charge again), declined, unknown (do not pay again).
require dirname(__DIR__) . '/src/shop.php';

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    $options = '';
    foreach (PLANS as $id => $plan) {
        $options .= '<option value="' . h($id) . '">' . h($plan['name']) . ' — 월 ' . number_format($plan['amount']) . "원</option>\n";
    }
    shop_page('정기구독 신청', <<<HTML
<form method="post" action="/subscribe.php" autocomplete="off">
  <p><label>상품 <select name="plan">$options</select></label></p>
  <p><label>이름 <input name="buyer" required maxlength="20"></label></p>
  <p><label>카드번호 <input name="CARDNO" required inputmode="numeric" maxlength="19"></label></p>
  <p><label>유효기간 (YYMM) <input name="EXPIREDT" required inputmode="numeric" maxlength="4"></label></p>
  <p><label>생년월일 6자리 또는 사업자번호 10자리 <input name="CARDAUTH" required inputmode="numeric" maxlength="10"></label></p>
  <p><label>비밀번호 앞 2자리 <input name="CARDPWD" type="password" required inputmode="numeric" maxlength="2"></label></p>
  <button type="submit">구독하고 첫 달 결제</button>
</form>
<p>카드 정보는 쿠키페이로 바로 전달되며 상점에 저장되지 않습니다.</p>
HTML);
}

$planId = isset($_POST['plan']) ? (string) $_POST['plan'] : '';
$buyer = trim(isset($_POST['buyer']) ? (string) $_POST['buyer'] : '');
if (!isset(PLANS[$planId]) || $buyer === '') {
    shop_page('신청 오류', '<p>상품과 이름을 확인해 주세요.</p>', 400, 'invalid-request', 'X-Subscription-Result');
}
$card = [];
foreach (['CARDNO', 'EXPIREDT', 'CARDAUTH', 'CARDPWD'] as $field) {
    // Digits only (buyers type spaces and dashes); the core checks the rest before sending anything.
    $card[$field] = preg_replace('/[\s-]+/', '', isset($_POST[$field]) ? (string) $_POST[$field] : '');
}

$outcome = shop_subscribe(shop_db(), shop_client(), $planId, $buyer, $card);
unset($card, $_POST);
header('X-Subscription-Id: ' . $outcome['id']);

$pages = [
    'active' => ['구독 완료', 200],
    'charged-not-scheduled' => ['첫 결제 완료 · 정기결제 등록 실패', 200],
    'invalid-card' => ['카드 정보 오류', 400],
    'declined' => ['결제 거절', 402],
    'error' => ['결제하지 못했습니다', 503],
    'unknown' => ['결제 확인 중', 202],
];
[$title, $status] = $pages[$outcome['result']];
$body = '<p>' . h($outcome['message']) . '</p>';
if (isset($outcome['fields'])) {
    $body .= '<ul>';
    foreach ($outcome['fields'] as $field) {
        // The field's name and the rule, never the value the buyer typed.
        $body .= '<li>' . h($field['field']) . ': ' . h($field['message']) . '</li>';
    }
    $body .= '</ul>';
}
if ($outcome['result'] === 'charged-not-scheduled') {
    $body .= '<p>다시 결제하지 마세요. 상점에서 확인 후 연락드립니다.</p>';
}
shop_page($title, $body . '<p><a href="/subscriptions.php">구독 관리</a></p>', $status, $outcome['result'], 'X-Subscription-Result');
