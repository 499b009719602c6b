<?php
// The example shop's 통지 URL logic (noti.php): each Noti processed once per dedup_key, nothing
// recorded before CookiePay itself confirms it. Split from subscriptions.php, whose tables it uses.

use CookiePay\Client;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\VerificationException;

/** What noti.php answers when it has taken a Noti (processed now or before). */
function shop_noti_success_body(): string
{
    return 'OK';
}

/**
 * Handle one Noti: parse, process each dedup_key once, believe nothing before paycert says so.
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
    $tid = isset($noti['TID']) && $noti['TID'] !== null ? (string) $noti['TID'] : '';
    $claim = $db->prepare("INSERT OR IGNORE INTO notis (dedup_key, kind, tid, status, received_at) VALUES (?, ?, ?, 'processing', ?)");
    $claim->execute([$noti['dedup_key'], $noti['kind'], $tid, shop_now()]);
    if ($claim->rowCount() === 0) {
        return [200, 'duplicate'];   // handled before (or being handled right now): answer, change nothing
    }
    $done = function (string $status, string $detail = '') use ($db, $noti): void {
        $db->prepare('UPDATE notis SET status = ?, detail = ? WHERE dedup_key = ?')->execute([$status, $detail, $noti['dedup_key']]);
    };
    $forget = function () use ($db, $noti): array {
        // Not processed: forget this delivery so that the next one is.
        $db->prepare("DELETE FROM notis WHERE dedup_key = ? AND status = 'processing'")->execute([$noti['dedup_key']]);
        return [503, 'retry-later'];
    };
    try {
        [$status, $result, $detail] = shop_process_noti($db, $client, $noti);
    } catch (CookiePayException $e) {
        error_log('cookiepay Noti: ' . $e->getErrorJson());   // paycert could not answer
        return $forget();
    }
    if ($status === 'retry') {
        return $forget();
    }
    $done($status, $detail);
    return [200, $result];
}

/** @return array [notis.status, result word, detail] */
function shop_process_noti(PDO $db, Client $client, array $noti): array
{
    $field = function (string $name) use ($noti): string {
        return isset($noti[$name]) && $noti[$name] !== null ? (string) $noti[$name] : '';
    };
    $success = $field('RESULTCODE') === '' || $field('RESULTCODE') === '0000';

    if ($noti['kind'] === 'recurring') {
        $subscription = shop_subscription_by_reserve($db, $field('RESERVE_ID'));
        if ($subscription === null) {
            // The first charge's Noti can overtake billkeygen's answer: its sign-up is still being
            // recorded. Have CookiePay send it again rather than reject it.
            $signingUp = shop_one($db, "SELECT id FROM subscriptions WHERE orderno = ? AND status = 'signing_up'", [$field('RESERVE_ORDERNO')]);
            if ($signingUp !== null) {
                return ['retry', 'retry-later', 'sign-up not recorded yet'];
            }
            return ['rejected', 'unknown-subscription', 'RESERVE_ID not ours'];
        }
        if (!$success) {
            // A declined cycle: nothing to confirm with paycert (there is no payment). Queue one
            // retry of that cycle for charge-due; a forged Noti can at most queue a charge of a
            // real subscription, which CookiePay's own answer then decides.
            $retryDays = (int) shop_env('SHOP_RETRY_AFTER_DAYS', '3');
            $queued = $subscription['status'] === 'active' && shop_queue_retry(
                $db,
                (int) $subscription['id'],
                (int) $field('PAY_CNT'),
                date('Y-m-d', strtotime("+$retryDays days"))
            );
            return ['declined', $queued ? 'declined-retry-queued' : 'declined', $field('RESULTCODE') . ' ' . $field('RESULTMSG')];
        }
        return shop_confirm_payment($db, $client, $noti, (int) $subscription['id'], (int) $subscription['amount'], (int) $field('PAY_CNT'));
    }

    if ($noti['kind'] === 'payment') {
        // A payment of ours: a subscription's first charge or an order of the window checkout.
        $orderNo = $field('ORDERNO');
        $subscription = shop_one($db, 'SELECT id, amount FROM subscriptions WHERE orderno = ?', [$orderNo]);
        if ($subscription !== null) {
            return shop_confirm_payment($db, $client, $noti, (int) $subscription['id'], (int) $subscription['amount'], 1);
        }
        $order = shop_one($db, 'SELECT orderno, amount FROM orders WHERE orderno = ?', [$orderNo]);
        if ($order === null) {
            return ['rejected', 'unknown-order', 'ORDERNO not ours'];
        }
        try {
            $payment = $client->verify($field('TID'), ['ORDERNO' => $order['orderno'], 'AMOUNT' => (int) $order['amount']]);
        } catch (VerificationException $e) {
            return ['rejected', 'mismatch', json_encode($e->getMismatches(), JSON_UNESCAPED_UNICODE)];
        } catch (ApiException $e) {
            return ['rejected', 'not-found', $e->getApiCode()];
        }
        $paid = $db->prepare("UPDATE orders SET status = 'paid', tid = ?, accept_no = ?, paid_at = ? WHERE orderno = ? AND amount = ? AND status = 'pending'");
        $paid->execute([$payment['TID'], isset($payment['ACCEPTNO']) ? $payment['ACCEPTNO'] : null, date('c'), $order['orderno'], (int) $order['amount']]);
        return ['recorded', $paid->rowCount() === 1 ? 'paid' : 'already-paid', ''];
    }

    if ($noti['kind'] === 'cancel') {
        if (shop_one($db, 'SELECT tid FROM payments WHERE tid = ?', [$field('TID')]) === null) {
            return ['ignored', 'unknown-payment', 'TID not in our payments'];
        }
        try {
            $cert = $client->paycert($field('TID'));
        } catch (ApiException $e) {
            return ['rejected', 'not-found', $e->getApiCode()];
        }
        if (!isset($cert['CANCELDATE']) || $cert['CANCELDATE'] === '') {
            // paycert shows a cancellation only once nothing is left: a partial cancel cannot be
            // confirmed here. Refunds made by refund.php are recorded from cancel's own answer.
            return ['ignored', 'partial-cancel-unconfirmed', 'paycert shows no full cancellation'];
        }
        $db->prepare('UPDATE payments SET cancelled_at = ? WHERE tid = ?')->execute([$cert['CANCELDATE'], $cert['TID']]);
        return ['recorded', 'cancel-recorded', ''];
    }
    return ['ignored', 'ignored', 'kind ' . $noti['kind']];
}

/** A successful payment Noti of a subscription: paycert must agree before it is recorded. */
function shop_confirm_payment(PDO $db, Client $client, array $noti, int $subscriptionId, int $amount, int $payCnt): array
{
    $tid = isset($noti['TID']) ? (string) $noti['TID'] : '';
    try {
        $payment = $client->verify($tid, ['ORDERNO' => (string) $noti['ORDERNO'], 'AMOUNT' => $amount]);
    } catch (VerificationException $e) {
        return ['rejected', 'mismatch', json_encode($e->getMismatches(), JSON_UNESCAPED_UNICODE)];
    } catch (ApiException $e) {
        return ['rejected', 'not-found', $e->getApiCode()];   // e.g. a TID CookiePay does not know: forged
    }
    $new = shop_record_payment($db, $payment, 'noti', $subscriptionId, $payCnt);
    return ['recorded', $new ? 'recorded' : 'already-recorded', ''];
}
