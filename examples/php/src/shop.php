<?php
// Shared by the example shop's pages: the CookiePay client, the SQLite orders table, HTML helpers.
// With Composer you would `require 'vendor/autoload.php';` instead of the binding's own autoloader.
require dirname(__DIR__, 3) . '/bindings/php/autoload.php';
require __DIR__ . '/subscriptions.php';
require __DIR__ . '/notis.php';

use CookiePay\Client;

/** Prices live on the server: the browser only picks a product. */
const PRODUCTS = [
    'cookie-monthly' => ['name' => '쿠키 정기배송 (월간)', 'amount' => 9900],
    'cookie-gift' => ['name' => '쿠키 선물세트 🍪', 'amount' => 25000],
];

function shop_env(string $name, string $default = ''): string
{
    $value = getenv($name);
    return is_string($value) && $value !== '' ? $value : $default;
}

/** The sandbox's public demo merchant unless COOKIEPAY_API_ID / COOKIEPAY_API_KEY say otherwise. */
function shop_client(): Client
{
    $config = [
        'api_id' => shop_env('COOKIEPAY_API_ID', 'sandbox_demo01'),
        'api_key' => shop_env('COOKIEPAY_API_KEY', 'sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG'),
    ];
    $local = shop_env('COOKIEPAY_SANDBOX_URL');
    if ($local !== '') {
        $config['base_url'] = $local;
    } else {
        $config['env'] = shop_env('COOKIEPAY_ENV', 'sandbox');
    }
    return new Client($config);
}

/** The shop's public address for RETURNURL: SHOP_URL in production, the request's host in development. */
function shop_url(): string
{
    $configured = shop_env('SHOP_URL');
    if ($configured !== '') {
        return rtrim($configured, '/');
    }
    $https = !empty($_SERVER['HTTPS']) && $_SERVER['HTTPS'] !== 'off';
    return ($https ? 'https' : 'http') . '://' . $_SERVER['HTTP_HOST'];
}

function shop_db(): PDO
{
    $dir = shop_env('COOKIEPAY_EXAMPLE_DATA', dirname(__DIR__) . '/data');
    if (!is_dir($dir)) {
        mkdir($dir, 0755, true);
    }
    $db = new PDO('sqlite:' . $dir . '/shop.sqlite', null, null, [
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
        PDO::ATTR_TIMEOUT => 5,
    ]);
    $db->exec("CREATE TABLE IF NOT EXISTS orders (
        orderno    TEXT PRIMARY KEY,
        product    TEXT NOT NULL,
        amount     INTEGER NOT NULL CHECK (amount > 0),
        buyer      TEXT NOT NULL,
        status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid')),
        tid        TEXT UNIQUE,
        billkey    TEXT,
        accept_no  TEXT,
        card_name  TEXT,
        created_at TEXT NOT NULL,
        paid_at    TEXT
    )");
    // WAL: readers never block the writer (cron runs, Notis and pages use the file at once).
    $db->exec('PRAGMA journal_mode = WAL');
    shop_subscription_schema($db);
    return $db;
}

/**
 * The first row of a query, or null. The cursor is closed at once: an open one keeps a read lock,
 * and a process holding it across a call to CookiePay would block every writer meanwhile.
 */
function shop_one(PDO $db, string $sql, array $params = []): ?array
{
    $query = $db->prepare($sql);
    $query->execute($params);
    $row = $query->fetch();
    $query->closeCursor();
    return $row === false ? null : $row;
}

function h($text): string
{
    return htmlspecialchars((string) $text, ENT_QUOTES, 'UTF-8');
}

/**
 * Answer with a small page and stop. X-Payment-Result names the outcome for scripts (demo, tests).
 */
function shop_page(string $title, string $bodyHtml, int $status = 200, string $result = '', string $resultHeader = 'X-Payment-Result'): void
{
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    if ($result !== '') {
        header($resultHeader . ': ' . $result);
    }
    echo "<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><title>", h($title), "</title></head>\n",
        "<body><h1>", h($title), "</h1>\n<main>", $bodyHtml, "</main>\n<p><a href=\"/\">상점으로</a></p></body></html>\n";
    exit;
}
