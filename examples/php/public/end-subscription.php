<?php
// End a subscription: scheduleCancel (an already cancelled schedule is fine), then billkeyDelete.
require dirname(__DIR__) . '/src/shop.php';

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    header('Location: /subscriptions.php', true, 303);
    exit;
}
$outcome = shop_end_subscription(shop_db(), shop_client(), (int) (isset($_POST['id']) ? $_POST['id'] : 0));
$status = ['ended' => 200, 'not-found' => 404, 'error' => 502];
shop_page('구독 해지', '<p>' . h($outcome['message']) . '</p><p><a href="/subscriptions.php">구독 관리</a></p>', $status[$outcome['result']], $outcome['result'], 'X-Subscription-Result');
