<?php
// Plays the buyer's browser against the example shop and prints each step (what `make demo` shows):
// order → CookiePay's window (the sandbox's /_sandbox/checkout fills in a test card) → the return post
// → the same post again → a declined card; then a subscription: sign-up (billkeygen), a declined card,
// a partial refund, the end of the subscription.
// Usage: php demo-buyer.php http://127.0.0.1:8000   (env COOKIEPAY_SANDBOX_URL: the sandbox)
if (PHP_SAPI !== 'cli' || !isset($argv[1])) {
    fwrite(STDERR, "usage: php demo-buyer.php SHOP_URL (env COOKIEPAY_SANDBOX_URL)\n");
    exit(2);
}
$shop = rtrim($argv[1], '/');
$sandbox = rtrim((string) getenv('COOKIEPAY_SANDBOX_URL'), '/');

function http_call(string $method, string $url, string $body, string $type): array
{
    $context = stream_context_create(['http' => [
        'method' => $method, 'header' => "Content-Type: $type\r\n", 'content' => $body,
        'ignore_errors' => true, 'follow_location' => 0, 'timeout' => 20,
    ]]);
    // The stream's metadata, not $http_response_header: that variable is deprecated in PHP 8.5.
    $stream = @fopen($url, 'rb', false, $context);
    $answer = $stream === false ? false : stream_get_contents($stream);
    if ($answer === false) {
        fwrite(STDERR, "$method $url failed\n");
        exit(1);
    }
    $lines = stream_get_meta_data($stream)['wrapper_data'];
    fclose($stream);
    $headers = [];
    foreach (array_slice($lines, 1) as $line) {
        $parts = explode(':', $line, 2);
        if (count($parts) === 2) {
            $headers[strtolower(trim($parts[0]))] = trim($parts[1]);
        }
    }
    return [$lines[0], $headers, $answer];
}

/** The page's own words, without markup. */
function page_text(string $html): string
{
    if (preg_match('/<main>(.*)<\/main>/s', $html, $m) === 1) {
        $html = $m[1];
    }
    return trim(preg_replace('/\s+/', ' ', html_entity_decode(preg_replace('/<[^>]+>/', ' ', $html))));
}

function step(string $title): void
{
    echo "\n== $title\n";
}

function buy(string $shop, string $sandbox, string $cardNo, string $product): array
{
    step("buyer orders '$product' at $shop/checkout.php");
    [$status, $headers, $page] = http_call('POST', "$shop/checkout.php", http_build_query(['product' => $product, 'buyer' => '홍길동']), 'application/x-www-form-urlencoded');
    $orderNo = isset($headers['x-order-no']) ? $headers['x-order-no'] : '';
    echo "$status\nstored order $orderNo as pending; the shop called ready() and sent CookiePay's window (" . strlen($page) . " bytes)\n";
    if ($orderNo === '') {
        echo page_text($page), "\n";
        exit(1);
    }

    step("buyer pays in the window with test card " . substr($cardNo, 0, 4) . ' **** **** ' . substr($cardNo, -4));
    $card = ['CARDNO' => $cardNo, 'EXPIREDT' => '3012', 'CARDAUTH' => '900101', 'CARDPWD' => '12', 'QUOTA' => '00'];
    [$status, , $json] = http_call('POST', "$sandbox/_sandbox/checkout", json_encode(['window_html' => $page, 'card' => $card]), 'application/json');
    $checkout = json_decode($json, true);
    if (!is_array($checkout) || !isset($checkout['form_body'])) {
        echo "$status $json\n";
        exit(1);
    }
    $fields = $checkout['fields'];
    echo "CookiePay answers the browser with a form to {$checkout['return_url']}:\n";
    echo "  RESULTCODE={$fields['RESULTCODE']} RESULTMSG={$fields['RESULTMSG']} ENC_DATA=(" . strlen($fields['ENC_DATA']) . " Base64 characters)\n";
    return [$orderNo, $checkout];
}

function post_return(array $checkout, string $what): void
{
    step($what);
    [$status, $headers, $page] = http_call('POST', $checkout['return_url'], $checkout['form_body'], 'application/x-www-form-urlencoded');
    $result = isset($headers['x-payment-result']) ? $headers['x-payment-result'] : '?';
    echo "$status  result: $result\n", page_text($page), "\n";
}

[, $approved] = buy($shop, $sandbox, '4111111111111111', 'cookie-monthly');
post_return($approved, 'the browser posts the return form; the shop parses, decrypts, verifies and marks the order paid');
post_return($approved, 'the same return form again (reload or replay)');

[, $declined] = buy($shop, $sandbox, '4000000000009995', 'cookie-gift');
post_return($declined, 'the declined payment\'s return form');

step('the shop\'s orders');
[, , $page] = http_call('GET', "$shop/", '', 'text/plain');
if (preg_match_all('/<tr><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/', $page, $rows, PREG_SET_ORDER)) {
    foreach ($rows as $row) {
        printf("  %-24s %-8s %10s  %-21s %s\n", $row[1], $row[5], html_entity_decode($row[3]), $row[6] !== '' ? $row[6] : '-', html_entity_decode($row[2]));
    }
}

// Subscriptions (정기결제, 비인증): the card form posts to the shop, which calls billkeygen.
function subscribe(string $shop, string $cardNo): array
{
    step('buyer signs up for the monthly cookie box with test card ' . substr($cardNo, 0, 4) . ' **** **** ' . substr($cardNo, -4));
    $form = ['plan' => 'cookie-box-monthly', 'buyer' => '김구독', 'CARDNO' => $cardNo, 'EXPIREDT' => '3012', 'CARDAUTH' => '900101', 'CARDPWD' => '12'];
    [$status, $headers, $page] = http_call('POST', "$shop/subscribe.php", http_build_query($form), 'application/x-www-form-urlencoded');
    $result = isset($headers['x-subscription-result']) ? $headers['x-subscription-result'] : '?';
    echo "$status  result: $result\n", page_text($page), "\n";
    return [$result, isset($headers['x-subscription-id']) ? $headers['x-subscription-id'] : ''];
}

[$result, $subscriptionId] = subscribe($shop, '4111111111111111');
if ($result !== 'active') {
    exit(1);
}
subscribe($shop, '4000000000009995');

step('the shop\'s subscription desk');
[, , $page] = http_call('GET', "$shop/subscriptions.php", '', 'text/plain');
preg_match('/name="tid" value="([^"]+)"/', $page, $m);
$tid = isset($m[1]) ? $m[1] : '';
echo "subscription #$subscriptionId: first charge $tid (billing key and RESERVE_ID stored from billkeygen's answer)\n";

step("staff refunds 3,000 of $tid (partial cancel)");
[$status, $headers, $page] = http_call('POST', "$shop/refund.php", http_build_query(['tid' => $tid, 'amount' => '3000', 'reason' => '한 박스 누락']), 'application/x-www-form-urlencoded');
echo "$status  result: {$headers['x-refund-result']}\n", page_text($page), "\n";

step('the buyer ends the subscription: scheduleCancel, then billkeyDelete');
[$status, $headers, $page] = http_call('POST', "$shop/end-subscription.php", http_build_query(['id' => $subscriptionId]), 'application/x-www-form-urlencoded');
echo "$status  result: {$headers['x-subscription-result']}\n", page_text($page), "\n";
