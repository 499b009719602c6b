<?php
// The shop's subscription desk: subscriptions, their payments (with receipt links) and the refund
// and end buttons. In a real shop this page is for staff only: put it behind your admin login.
require dirname(__DIR__) . '/src/shop.php';

$db = shop_db();
$client = shop_client();
$subscriptions = $db->query('SELECT * FROM subscriptions ORDER BY id DESC LIMIT 20')->fetchAll();
$paymentsOf = $db->prepare('SELECT * FROM payments WHERE subscription_id = ? ORDER BY recorded_at, tid');
$html = '<p><a href="/subscribe.php">새 구독 신청</a></p>';
foreach ($subscriptions as $sub) {
    $html .= '<section><h2>#' . h($sub['id']) . ' ' . h($sub['product']) . ' — ' . h($sub['buyer']) . ' (' . h($sub['status']) . ')</h2>'
        . '<p>주문번호 ' . h($sub['orderno']) . ' · 월 ' . number_format((int) $sub['amount']) . '원'
        . ' · ' . ($sub['mode'] === 'schedule' ? '쿠키페이 자동결제' : '상점 cron 결제')
        . ($sub['next_pay_date'] !== null ? ' · 다음 결제일 ' . h($sub['next_pay_date']) : '') . '</p>';
    if ($sub['status'] === 'active' || $sub['status'] === 'not_scheduled') {
        $html .= '<form method="post" action="/end-subscription.php"><input type="hidden" name="id" value="' . h($sub['id']) . '">'
            . '<button type="submit">구독 해지</button></form>';
    }
    $paymentsOf->execute([$sub['id']]);
    $html .= '<table><tr><th>TID</th><th>주문번호</th><th>회차</th><th>금액</th><th>환불</th><th></th></tr>';
    foreach ($paymentsOf->fetchAll() as $payment) {
        $remaining = (int) $payment['amount'] - (int) $payment['refunded'];
        $html .= '<tr><td><a href="' . h($client->receiptUrl($payment['tid'])) . '" target="_blank">' . h($payment['tid']) . '</a></td>'
            . '<td>' . h($payment['orderno']) . '</td><td>' . h($payment['pay_cnt']) . '</td>'
            . '<td>' . number_format((int) $payment['amount']) . '원</td><td>' . number_format((int) $payment['refunded']) . '원</td><td>'
            . ($remaining > 0
                ? '<form method="post" action="/refund.php"><input type="hidden" name="tid" value="' . h($payment['tid']) . '">'
                    . '<input name="amount" inputmode="numeric" placeholder="' . $remaining . '" size="7"> <input name="reason" value="고객 요청" size="10">'
                    . ' <button type="submit">환불</button></form>'
                : '') . "</td></tr>\n";
    }
    $html .= '</table></section>';
}
shop_page('구독 관리', $html);
