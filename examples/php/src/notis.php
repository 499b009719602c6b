<?php
// The example shop's 통지 URL logic (noti.php). Anyone can post a Noti: it is only a hint to look.
// Nothing changes, and its dedup_key is not even claimed, before CookiePay itself confirms it; then
// only CookiePay's answer is used (never a field of the body), and each event is handled once.

use CookiePay\Client;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\NotiNotConfirmedException;

/** What noti.php answers when it has taken a Noti (processed now or before). */
function shop_noti_success_body(): string
{
    return 'OK';
}

/**
 * Handle one Noti: confirm it with CookiePay, then claim its dedup_key and act, in one transaction.
 *
 * @return array [HTTP status, result word for X-Noti-Result]
 */
function shop_handle_noti(PDO $db, Client $client, string $rawBody): array
{
    try {
        $noti = Client::parseNoti($rawBody);
    } catch (CookiePayException $e) {
        return [400, 'invalid'];
    }
    try {
        $facts = shop_confirm_noti($client, $rawBody);
        $plan = $facts === null ? null : shop_plan_noti($db, $client, $facts, $noti);
    } catch (CookiePayException $e) {
        error_log('cookiepay Noti: ' . $e->getErrorJson());   // CookiePay could not be asked: it resends
        return [503, 'retry-later'];
    }
    if ($facts === null) {
        // Forged, or nothing to confirm (a decline has no payment). Nothing changes and no key is
        // claimed: a forged Noti carrying a genuine key cannot block the genuine one.
        $declined = $noti['kind'] === 'recurring' && !in_array((string) ($noti['RESULTCODE'] ?? ''), ['', '0000'], true);
        return [200, $declined ? 'declined-unconfirmed' : 'not-confirmed'];
    }
    [$status, $result, $apply] = $plan;
    if ($status === 'retry') {
        return [503, $result];
    }
    if ($status === 'rejected') {
        return [200, $result];   // confirmed by CookiePay, but not ours: no key claimed either
    }
    return shop_transaction($db, function (PDO $db) use ($facts, $status, $result, $apply): array {
        $claim = $db->prepare('INSERT OR IGNORE INTO notis (dedup_key, kind, tid, status, detail, received_at) VALUES (?, ?, ?, ?, ?, ?)');
        $claim->execute([$facts['dedup_key'], $facts['kind'], $facts['TID'], $status, $result, shop_now()]);
        if ($claim->rowCount() === 0) {
            return [200, 'duplicate'];   // handled before: answer, change nothing
        }
        return [200, $apply === null ? $result : $apply($db)];
    });
}

/**
 * CookiePay's answer for a Noti (confirmNoti: paycert of its TID, every field the body shares with
 * paycert agreeing; 'kind' and 'dedup_key' computed from paycert's answer), or null when CookiePay
 * does not back it — no TID (a decline has no payment), an unknown TID, a contradiction, or a
 * cancellation paycert does not show (it shows one only once nothing is left).
 */
function shop_confirm_noti(Client $client, string $rawBody): ?array
{
    try {
        return $client->confirmNoti(['body' => $rawBody]);
    } catch (NotiNotConfirmedException $e) {
        return null;
    }
}

/**
 * What a confirmed Noti means for the shop, from CookiePay's answer only.
 *
 * @return array [notis.status | 'retry' | 'rejected', result word, null | function (PDO): string applied once]
 */
function shop_plan_noti(PDO $db, Client $client, array $facts, array $noti): array
{
    $tid = (string) $facts['TID'];
    if ($facts['kind'] === 'cancel') {
        if (shop_one($db, 'SELECT tid FROM payments WHERE tid = ?', [$tid]) === null) {
            return ['ignored', 'unknown-payment', null];
        }
        return ['recorded', 'cancel-recorded', function (PDO $db) use ($facts, $tid): string {
            $db->prepare('UPDATE payments SET cancelled_at = ? WHERE tid = ?')->execute([$facts['CANCELDATE'], $tid]);
            return 'cancel-recorded';
        }];
    }
    // A payment joins the subscription CookiePay's answer ties it to: the ORDERNO the shop gave at
    // sign-up (the first charge), or for a schedule's charges (ORDERNO made by CookiePay) the ETC1
    // tag the shop gave it, which CookiePay copies to each charge and paysearch shows. The body's
    // RESERVE_ID and amount decide nothing.
    $subscription = shop_one($db, 'SELECT * FROM subscriptions WHERE orderno = ?', [(string) $facts['ORDERNO']]);
    $cycle = 1;
    if ($subscription === null) {
        $rows = $client->paysearchByTid($tid);
        $tag = count($rows) === 1 ? (string) ($rows[0]['ETC1'] ?? '') : '';
        $subscription = $tag === '' ? null : shop_one($db, 'SELECT * FROM subscriptions WHERE orderno = ?', [$tag]);
        // Which cycle: CookiePay's answer does not say. The Noti's PAY_CNT is kept as a label only
        // (first come; never over another payment of that cycle): it can spare a retry, never cause
        // a charge — settling an unknown charge looks at when a Noti's payment came, not its label.
        $cycle = (int) ($noti['PAY_CNT'] ?? 0);
        if ($subscription !== null && ($cycle < 1 || shop_cycle_payment($db, (int) $subscription['id'], $cycle) !== null)) {
            $cycle = null;
        }
    }
    if ($subscription === null) {
        return shop_plan_order_noti($db, $facts);
    }
    if ($subscription['status'] === 'signing_up') {
        return ['retry', 'retry-later', null];   // the first charge's Noti overtook billkeygen's answer
    }
    if ((int) $facts['AMOUNT'] !== (int) $subscription['amount']) {
        return ['rejected', 'amount-differs', null];
    }
    return ['recorded', 'recorded', function (PDO $db) use ($facts, $subscription, $cycle): string {
        return shop_record_payment($db, $facts, 'noti', (int) $subscription['id'], $cycle) ? 'recorded' : 'already-recorded';
    }];
}

/** A confirmed payment of a window-checkout order: paid once, by paycert's ORDERNO and AMOUNT. */
function shop_plan_order_noti(PDO $db, array $facts): array
{
    $order = shop_one($db, 'SELECT orderno, amount FROM orders WHERE orderno = ?', [(string) $facts['ORDERNO']]);
    if ($order === null) {
        return ['rejected', 'not-ours', null];
    }
    if ((int) $facts['AMOUNT'] !== (int) $order['amount']) {
        return ['rejected', 'amount-differs', null];
    }
    return ['recorded', 'paid', function (PDO $db) use ($facts, $order): string {
        $paid = $db->prepare("UPDATE orders SET status = 'paid', tid = ?, accept_no = ?, paid_at = ? WHERE orderno = ? AND amount = ? AND status = 'pending'");
        $paid->execute([$facts['TID'], $facts['ACCEPTNO'] ?? null, date('c'), $order['orderno'], (int) $order['amount']]);
        return $paid->rowCount() === 1 ? 'paid' : 'already-paid';
    }];
}
