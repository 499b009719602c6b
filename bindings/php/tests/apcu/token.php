<?php
// One request of ApcuTest under php -S with workers: the pure backend's TOKEN, which worker served
// it, and the APCu keys (to show no key is the API key).
require __DIR__ . '/../../autoload.php';

$client = new CookiePay\Client([
    'backend' => 'php',
    'base_url' => (string) getenv('COOKIEPAY_SANDBOX_URL'),
    'api_id' => (string) getenv('COOKIEPAY_API_ID'),
    'api_key' => (string) getenv('COOKIEPAY_API_KEY'),
]);
usleep(isset($_GET['wait_ms']) ? 1000 * (int) $_GET['wait_ms'] : 0);
$token = $client->token();
$keys = [];
foreach (apcu_cache_info()['cache_list'] as $entry) {
    $keys[] = $entry['info'];
}
header('Content-Type: application/json');
echo json_encode(['pid' => getmypid(), 'cached' => $token['cached'], 'token' => $token['TOKEN'], 'apcu_keys' => $keys]);
