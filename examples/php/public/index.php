<?php
// The shop: pick a product, give a name, pay by card (정기결제 인증방식). Lists the latest orders.
require dirname(__DIR__) . '/src/shop.php';

$orders = shop_db()->query('SELECT orderno, product, amount, buyer, status, tid FROM orders ORDER BY created_at DESC LIMIT 10')->fetchAll();
$options = '';
foreach (PRODUCTS as $id => $product) {
    $options .= '<option value="' . h($id) . '">' . h($product['name']) . ' — ' . number_format($product['amount']) . "원</option>\n";
}
$rows = '';
foreach ($orders as $order) {
    $rows .= '<tr><td>' . h($order['orderno']) . '</td><td>' . h($order['product']) . '</td><td>' . number_format((int) $order['amount'])
        . '원</td><td>' . h($order['buyer']) . '</td><td>' . h($order['status']) . '</td><td>' . h($order['tid']) . "</td></tr>\n";
}
shop_page('쿠키 상점', <<<HTML
<form method="post" action="/checkout.php">
  <label>상품 <select name="product">$options</select></label>
  <label>이름 <input name="buyer" required maxlength="20"></label>
  <button type="submit">카드로 결제</button>
</form>
<p><a href="/subscribe.php">정기구독 신청 (카드 등록)</a> · <a href="/subscriptions.php">구독 관리</a></p>
<h2>최근 주문</h2>
<table><tr><th>주문번호</th><th>상품</th><th>금액</th><th>구매자</th><th>상태</th><th>TID</th></tr>
$rows</table>
HTML);
