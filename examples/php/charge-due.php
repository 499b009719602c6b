<?php
// Cron job: charge every due shop-started charge (e.g. the retry of a declined cycle) exactly once,
// even when two runs overlap, then settle charges whose outcome was unknown with paysearch.
//   php examples/php/charge-due.php        (env as for the shop: COOKIEPAY_LIB, COOKIEPAY_SANDBOX_URL, …)
// Prints one line per charge: "charge <id>: <what happened>".
require __DIR__ . '/src/shop.php';

if (PHP_SAPI !== 'cli') {
    http_response_code(404);
    exit;
}
$worker = gethostname() . ':' . getmypid();
$report = shop_charge_due(shop_db(), shop_client(), $worker, shop_today());
foreach ($report as $id => $what) {
    echo "charge $id: $what\n";
}
echo 'charge-due ' . $worker . ': ' . count($report) . " charge(s) looked at\n";
