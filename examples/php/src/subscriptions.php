<?php
// Subscriptions (정기결제, 비인증 billkeygen) for the example shop: the tables, and the two jobs that
// must never charge twice — charge-due (a state machine per charge) and the Noti handler (one
// processing per dedup_key, nothing recorded before paycert agrees).
//
// Only what CookiePay answered to our own server (billkeygen, recurringCharge, paycert, paysearch,
// cancel) is stored: never a value the browser posted, never card data.

use CookiePay\Client;
use CookiePay\Exception\ApiException;
use CookiePay\Exception\CookiePayException;
use CookiePay\Exception\NetworkException;
use CookiePay\Exception\TimeoutException;
use CookiePay\Exception\VerificationException;

/** Subscription plans: prices and schedules live on the server, the browser only picks one. */
const PLANS = [
    'cookie-box-monthly' => ['name' => '쿠키 박스 정기구독 (매월)', 'amount' => 9900, 'cycles' => 12],
    'cookie-box-premium' => ['name' => '프리미엄 쿠키 박스 (매월)', 'amount' => 19900, 'cycles' => 12],
];

function shop_subscription_schema(PDO $db): void
{
    $db->exec("CREATE TABLE IF NOT EXISTS subscriptions (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        orderno       TEXT NOT NULL UNIQUE,             -- billkeygen's ORDERNO (RESERVE_ORDERNO)
        plan          TEXT NOT NULL,
        product       TEXT NOT NULL,
        amount        INTEGER NOT NULL CHECK (amount > 0),
        buyer         TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('signing_up', 'active', 'not_scheduled', 'failed', 'unknown', 'ended')),
        -- Who charges its cycles, one way per subscription, never both (both would charge twice):
        -- 'schedule' = CookiePay's schedule (RECURRENCE_PAY=Y; the shop listens to Notis), 'cron' = the
        -- shop's own cron with no CookiePay schedule. Every sign-up here is 'schedule': see README.
        mode          TEXT NOT NULL CHECK (mode IN ('schedule', 'cron')),
        billkey       TEXT,
        reserve_id    TEXT UNIQUE,
        first_tid     TEXT UNIQUE,
        reserve_code  TEXT,
        reserve_msg   TEXT,
        next_pay_date TEXT,
        error         TEXT,
        created_at    TEXT NOT NULL,
        ended_at      TEXT
    )");
    // Every payment CookiePay confirmed to us, whoever started it (billkeygen, a scheduled charge
    // reported by Noti and confirmed by paycert, charge-due, paysearch settling an unknown outcome).
    $db->exec("CREATE TABLE IF NOT EXISTS payments (
        tid             TEXT PRIMARY KEY,
        subscription_id INTEGER REFERENCES subscriptions(id),
        orderno         TEXT NOT NULL,
        amount          INTEGER NOT NULL,
        pay_cnt         INTEGER,
        source          TEXT NOT NULL,
        refunded        INTEGER NOT NULL DEFAULT 0,
        cancelled_at    TEXT,
        accepted_at     TEXT,
        recorded_at     TEXT NOT NULL
    )");
    // Charges the shop itself starts (recurringCharge), one row per cycle: pending → charging →
    // charged | failed | unknown, or refused (never sent: not the shop's to charge). Only the process
    // whose conditional UPDATE moved the row to 'charging' calls CookiePay. kind 'retry' = charge
    // again a cycle CookiePay's schedule declined (what recurrence_request_payment is for: it charges
    // the oldest unpaid cycle); staff add one once CookiePay's dashboard shows the cycle unpaid, as no
    // public call confirms a decline (its Noti has no TID). kind 'cycle' = the shop's own cron
    // charging a cycle (cron mode only).
    $db->exec("CREATE TABLE IF NOT EXISTS charges (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),
        cycle           INTEGER NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('retry', 'cycle')),
        due_date        TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'charging', 'charged', 'failed', 'unknown', 'refused')),
        claimed_by      TEXT,
        claimed_at      TEXT,
        tid             TEXT,
        error           TEXT,
        updated_at      TEXT NOT NULL,
        UNIQUE (subscription_id, cycle)
    )");
    $db->exec("CREATE TABLE IF NOT EXISTS refunds (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        tid          TEXT NOT NULL REFERENCES payments(tid),
        cancel_tid   TEXT,
        amount       INTEGER NOT NULL,
        reason       TEXT NOT NULL,
        cancel_date  TEXT,
        recorded_at  TEXT NOT NULL
    )");
    // One row per confirmed Noti's dedup_key, claimed in the transaction that acts on it: a Noti sent
    // twice (or by two deliveries at once) is handled once. Unconfirmed Notis leave no row.
    $db->exec("CREATE TABLE IF NOT EXISTS notis (
        dedup_key   TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        tid         TEXT,
        status      TEXT NOT NULL CHECK (status IN ('recorded', 'ignored')),
        detail      TEXT,
        received_at TEXT NOT NULL
    )");
}

/** Run $work inside BEGIN IMMEDIATE … COMMIT: the write lock is taken first, so two processes queue. */
function shop_transaction(PDO $db, callable $work)
{
    $db->exec('BEGIN IMMEDIATE');
    try {
        $result = $work($db);
        $db->exec('COMMIT');
        return $result;
    } catch (Throwable $e) {
        $db->exec('ROLLBACK');
        throw $e;
    }
}

function shop_now(): string
{
    return date('Y-m-d H:i:s');
}

/** Today for charge-due (YYYY-MM-DD): SHOP_TODAY lets a demo or test play a later day. */
function shop_today(): string
{
    return shop_env('SHOP_TODAY', date('Y-m-d'));
}

/** The subscription row of a RESERVE_ID, or null. */
function shop_subscription_by_reserve(PDO $db, string $reserveId): ?array
{
    return shop_one($db, 'SELECT * FROM subscriptions WHERE reserve_id = ?', [$reserveId]);
}

function shop_subscription(PDO $db, int $id): ?array
{
    return shop_one($db, 'SELECT * FROM subscriptions WHERE id = ?', [$id]);
}

/**
 * Record a payment CookiePay confirmed (an answer of billkeygen, recurringCharge, paycert or paysearch):
 * true if it is new, false if this TID was recorded before.
 */
function shop_record_payment(PDO $db, array $payment, string $source, ?int $subscriptionId, ?int $payCnt = null): bool
{
    $insert = $db->prepare('INSERT OR IGNORE INTO payments (tid, subscription_id, orderno, amount, pay_cnt, source, accepted_at, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    $accepted = isset($payment['ACCEPTDATE']) ? $payment['ACCEPTDATE'] : (isset($payment['ACCEPT_DATE']) ? $payment['ACCEPT_DATE'] : null);
    $insert->execute([
        (string) $payment['TID'],
        $subscriptionId,
        (string) $payment['ORDERNO'],
        (int) $payment['AMOUNT'],
        $payCnt,
        $source,
        $accepted,
        shop_now(),
    ]);
    return $insert->rowCount() === 1;
}

/**
 * Sign a buyer up: store the subscription as 'signing_up' first, then billkeygen with a monthly
 * schedule. The card goes to CookiePay and nowhere else (not the database, not a log).
 *
 * @return array ['result' => active|charged-not-scheduled|invalid-card|declined|unknown|error, 'id' => …, 'message' => …, 'fields' => …]
 */
function shop_subscribe(PDO $db, Client $client, string $planId, string $buyer, array $card): array
{
    $plan = PLANS[$planId];
    $orderNo = 'SUB' . date('YmdHis') . '-' . bin2hex(random_bytes(4));
    // Signing up with CookiePay's schedule makes this a 'schedule' subscription: the shop never charges
    // its cycles itself (charge-due refuses to), it only records what the schedule's Notis confirm.
    $db->prepare("INSERT INTO subscriptions (orderno, plan, product, amount, buyer, status, mode, created_at) VALUES (?, ?, ?, ?, ?, 'signing_up', 'schedule', ?)")
        ->execute([$orderNo, $planId, $plan['name'], $plan['amount'], $buyer, shop_now()]);
    $id = (int) $db->lastInsertId();
    $fail = function (string $status, string $result, string $message, array $extra = []) use ($db, $id): array {
        $db->prepare("UPDATE subscriptions SET status = ?, error = ? WHERE id = ? AND status = 'signing_up'")->execute([$status, $message, $id]);
        return ['result' => $result, 'id' => $id, 'message' => $message] + $extra;
    };
    try {
        $answer = $client->billkeygen([
            'ORDERNO' => $orderNo,
            'PRODUCTNAME' => $plan['name'],
            'AMOUNT' => $plan['amount'],
            'BUYERNAME' => $buyer,
            'CARDNO' => $card['CARDNO'],
            'EXPIREDT' => $card['EXPIREDT'],
            'CARDAUTH' => $card['CARDAUTH'],
            'CARDPWD' => $card['CARDPWD'],
            'QUOTA' => '00',
            'RECURRENCE_PAY' => 'Y',
            'RECURRENCE_TYPE' => 'M',
            'PAY_DAY' => shop_env('SHOP_PAY_DAY', '10'),
            'START_PAY_CNT' => '1',
            'LAST_PAY_CNT' => (string) $plan['cycles'],
            // Our own id on every charge of the schedule (CookiePay copies ETC1–ETC5 to each one):
            // paysearch lists no RESERVE_ID or BILLKEY, so this is how charge-due finds a charge
            // whose answer was lost.
            'ETC1' => $orderNo,
        ]);
    } catch (\CookiePay\Exception\ValidationException $e) {
        return $fail('failed', 'invalid-card', '카드 정보를 확인해 주세요.', ['fields' => $e->getFields()]);
    } catch (ApiException $e) {
        return $fail('failed', 'declined', $e->getApiMessage() . ' (' . $e->getApiCode() . ')');
    } catch (CookiePayException $e) {
        error_log('cookiepay billkeygen: ' . $e->getErrorJson());
        if (!shop_money_may_have_moved($e)) {
            return $fail('failed', 'error', '카드사에 연결하지 못했습니다. 결제되지 않았습니다. 다시 시도해 주세요.');
        }
        // The card may have been charged: never charge again blindly. Look the ORDERNO up later
        // (paysearch) and settle the row; tell the buyer we are checking.
        return $fail('unknown', 'unknown', '결제 결과를 확인하고 있습니다. 다시 결제하지 마세요.');
    }

    $scheduled = $answer['scheduled'] === true;
    $db->prepare("UPDATE subscriptions SET status = ?, billkey = ?, reserve_id = ?, first_tid = ?, reserve_code = ?, reserve_msg = ?, next_pay_date = ?
        WHERE id = ? AND status = 'signing_up'")->execute([
        $scheduled ? 'active' : 'not_scheduled',
        $answer['BILLKEY'],
        isset($answer['RESERVE_ID']) && $answer['RESERVE_ID'] !== '' ? $answer['RESERVE_ID'] : null,
        $answer['TID'],
        isset($answer['RESERVE_RESULTCODE']) ? $answer['RESERVE_RESULTCODE'] : null,
        isset($answer['RESERVE_RESULTMSG']) ? $answer['RESERVE_RESULTMSG'] : null,
        isset($answer['RESERVE_NEXT_PAY_DATE']) ? $answer['RESERVE_NEXT_PAY_DATE'] : null,
        $id,
    ]);
    shop_record_payment($db, $answer, 'billkeygen', $id, 1);
    if (!$scheduled) {
        // Charged, but CookiePay did not register the schedule: do NOT charge again.
        return ['result' => 'charged-not-scheduled', 'id' => $id,
            'message' => '첫 결제는 완료되었지만 정기결제 등록에 실패했습니다: ' . (isset($answer['RESERVE_RESULTMSG']) ? $answer['RESERVE_RESULTMSG'] : '')];
    }
    return ['result' => 'active', 'id' => $id, 'message' => '구독이 시작되었습니다. 첫 결제 ' . number_format($plan['amount']) . '원'];
}

/**
 * Could the money have moved although the call failed? Yes when the request may have reached
 * CookiePay and its answer was lost or unreadable: a timeout or network error whose outcome is not
 * "not_applied", an HTTP error (a 500 may come after the charge), an unreadable answer, or anything
 * unexpected. No for errors raised before sending (validation, invalid argument, library) and for
 * CookiePay's own refusals (api), which the callers handle first.
 */
function shop_money_may_have_moved(CookiePayException $e): bool
{
    if ($e instanceof NetworkException || $e instanceof TimeoutException) {
        return $e->getOutcome() !== 'not_applied';
    }
    return !in_array($e->getKind(), ['validation', 'invalid_argument', 'library'], true);
}

/** The payment recorded for a subscription's cycle (any source), or null. */
function shop_cycle_payment(PDO $db, int $subscriptionId, int $cycle): ?array
{
    return shop_one($db, 'SELECT * FROM payments WHERE subscription_id = ? AND pay_cnt = ? ORDER BY recorded_at LIMIT 1', [$subscriptionId, $cycle]);
}

/**
 * Why charge-due must not charge this row, or null when it may. One way per subscription: a
 * 'schedule' subscription's cycles are CookiePay's to charge (the shop charging one too charged twice:
 * the schedule took cycle 3 and recurringCharge cycle 4 on the same day); the shop only retries a
 * cycle the schedule declined. A 'cron' subscription has no schedule, hence no RESERVE_ID, and the
 * public API has no other call that charges a billing key (cookiepay-api.md §5.1).
 */
function shop_charge_refusal(array $charge): ?string
{
    if ($charge['mode'] === 'schedule' && $charge['kind'] !== 'retry') {
        return "schedule mode: CookiePay's schedule charges this subscription's cycles, the shop only retries a declined one";
    }
    if ($charge['mode'] !== 'schedule' || $charge['reserve_id'] === null) {
        return 'no CookiePay schedule: recurringCharge needs its RESERVE_ID';
    }
    return null;
}

/**
 * charge-due: charge every pending charge whose day has come, each exactly once even when several
 * runs overlap; then settle the charges whose outcome was unknown with paysearch.
 *
 * @return array per charge id: what happened ('charged', 'failed', 'unknown', 'pending', 'skipped' …)
 */
function shop_charge_due(PDO $db, Client $client, string $worker, string $today): array
{
    $report = [];
    // A run that died between claiming and recording left 'charging': its outcome is unknown.
    $db->prepare("UPDATE charges SET status = 'unknown', error = 'abandoned while charging', updated_at = ?
        WHERE status = 'charging' AND claimed_at < ?")->execute([shop_now(), date('Y-m-d H:i:s', time() - 600)]);

    $due = $db->prepare("SELECT c.id FROM charges c JOIN subscriptions s ON s.id = c.subscription_id
        WHERE c.status = 'pending' AND c.due_date <= ? AND s.status = 'active' ORDER BY c.id");
    $due->execute([$today]);
    $dueIds = $due->fetchAll(PDO::FETCH_COLUMN);
    // Tests widen the race on purpose: both overlapping runs have listed the charge before either
    // claims it, so only the conditional UPDATE below can keep it to one charge.
    usleep(1000 * (int) shop_env('SHOP_CHARGE_DUE_PAUSE_MS', '0'));
    foreach ($dueIds as $chargeId) {
        $report[$chargeId] = shop_charge_one($db, $client, (int) $chargeId, $worker);
    }
    // Settle unknown outcomes, but only once CookiePay has had time to finish what it was doing
    // (SHOP_SETTLE_AFTER_SECONDS, default 300) and never in the run that charged: a payment still in
    // flight is not in paysearch yet, and "not found" would make the charge due again.
    $grace = (int) shop_env('SHOP_SETTLE_AFTER_SECONDS', '300');
    $unknown = $db->prepare("SELECT id FROM charges WHERE status = 'unknown' AND updated_at <= ? ORDER BY id");
    $unknown->execute([date('Y-m-d H:i:s', time() - $grace)]);
    foreach ($unknown->fetchAll(PDO::FETCH_COLUMN) as $chargeId) {
        if (!isset($report[$chargeId])) {
            $report[$chargeId] = 'settle:' . shop_settle_charge($db, $client, (int) $chargeId);
        }
    }
    $signUps = $db->prepare("SELECT id FROM subscriptions WHERE status = 'unknown' AND error NOT LIKE 'charged:%' AND created_at <= ?");
    $signUps->execute([date('Y-m-d H:i:s', time() - $grace)]);
    foreach ($signUps->fetchAll(PDO::FETCH_COLUMN) as $subscriptionId) {
        $report['subscription ' . $subscriptionId] = shop_settle_sign_up($db, $client, (int) $subscriptionId);
    }
    return $report;
}

/**
 * A sign-up whose billkeygen outcome is unknown: paysearch for its ORDERNO. Not there → 'failed'
 * (the buyer may sign up again). There → the payment is recorded, and the row stays 'unknown' with
 * a note for staff: the BILLKEY and schedule are not in a payment listing; ask CookiePay.
 */
function shop_settle_sign_up(PDO $db, Client $client, int $id): string
{
    $subscription = shop_subscription($db, $id);
    $day = substr($subscription['created_at'], 0, 10);
    try {
        $payments = $client->paysearch(date('Y-m-d', strtotime("$day -1 day")), date('Y-m-d', strtotime(shop_today() . ' +1 day')));
    } catch (CookiePayException $e) {
        return 'unknown';
    }
    foreach ($payments as $payment) {
        if ($payment['ORDERNO'] === $subscription['orderno']) {
            shop_record_payment($db, $payment, 'paysearch', $id, 1);
            $db->prepare("UPDATE subscriptions SET first_tid = ?, error = ? WHERE id = ? AND status = 'unknown'")
                ->execute([$payment['TID'], 'charged: ' . $payment['TID'] . '; BILLKEY and schedule unknown, ask CookiePay', $id]);
            return 'charged, needs staff';
        }
    }
    $db->prepare("UPDATE subscriptions SET status = 'failed', error = 'not charged (paysearch)' WHERE id = ? AND status = 'unknown'")->execute([$id]);
    return 'not charged';
}

/** Claim one charge (pending → charging) and, if this process won it, charge it once. */
function shop_charge_one(PDO $db, Client $client, int $chargeId, string $worker): string
{
    $claimed = shop_transaction($db, function (PDO $db) use ($chargeId, $worker) {
        $claim = $db->prepare("UPDATE charges SET status = 'charging', claimed_by = ?, claimed_at = ?, updated_at = ?
            WHERE id = ? AND status = 'pending'");
        $now = shop_now();
        $claim->execute([$worker, $now, $now, $chargeId]);
        return $claim->rowCount() === 1;
    });
    if (!$claimed) {
        return 'skipped';   // another run has it
    }
    $charge = shop_one($db, 'SELECT c.cycle, c.kind, s.id AS subscription_id, s.mode, s.reserve_id, s.billkey, s.amount
        FROM charges c JOIN subscriptions s ON s.id = c.subscription_id WHERE c.id = ?', [$chargeId]);
    $finish = function (string $status, ?string $tid, ?string $error) use ($db, $chargeId): string {
        $db->prepare("UPDATE charges SET status = ?, tid = ?, error = ?, updated_at = ? WHERE id = ? AND status = 'charging'")
            ->execute([$status, $tid, $error, shop_now(), $chargeId]);
        return $status;
    };
    $refusal = shop_charge_refusal($charge);
    if ($refusal !== null) {
        return $finish('refused', null, $refusal);
    }
    // The cycle may have been paid meanwhile (the schedule's Noti, an earlier settle): charging it
    // "again" would charge the next cycle ahead of its date.
    $paid = shop_cycle_payment($db, (int) $charge['subscription_id'], (int) $charge['cycle']);
    if ($paid !== null) {
        return $finish('charged', $paid['tid'], 'paid before this run (' . $paid['source'] . ')');
    }
    try {
        $payment = $client->recurringCharge($charge['reserve_id'], $charge['billkey']);
    } catch (ApiException $e) {
        // Declined (or E103: the schedule was cancelled): CookiePay said no, nothing was charged.
        return $finish('failed', null, $e->getApiCode() . ' ' . $e->getApiMessage());
    } catch (CookiePayException $e) {
        error_log('cookiepay recurringCharge: ' . $e->getErrorJson());
        if (!shop_money_may_have_moved($e)) {
            return $finish('pending', null, $e->getMessage());   // never reached CookiePay: the next run tries again
        }
        // Timeout, connection lost after sending, an unreadable answer or an HTTP error: the card may
        // have been charged. Never charge again blindly: paysearch settles it.
        return $finish('unknown', null, $e->getKind() . ': ' . $e->getMessage());
    }
    shop_record_payment($db, $payment, 'charge-due', (int) $charge['subscription_id'], isset($payment['PAY_CNT']) ? (int) $payment['PAY_CNT'] : null);
    return $finish('charged', $payment['TID'], null);
}

/**
 * An 'unknown' charge: look for its payment with paysearch. Found → charged; CookiePay has no such
 * payment → pending again (it is safe to charge); several candidates or an error → stays unknown
 * for a person to look at.
 */
function shop_settle_charge(PDO $db, Client $client, int $chargeId): string
{
    $charge = shop_one($db, 'SELECT c.*, s.orderno AS subscription_orderno, s.amount, s.product, s.buyer
        FROM charges c JOIN subscriptions s ON s.id = c.subscription_id WHERE c.id = ?', [$chargeId]);
    $charged = function (string $tid) use ($db, $chargeId): string {
        $db->prepare("UPDATE charges SET status = 'charged', tid = ?, error = NULL, updated_at = ? WHERE id = ? AND status = 'unknown'")
            ->execute([$tid, shop_now(), $chargeId]);
        return 'charged';
    };
    // A payment of this cycle is known already (its Noti came, confirmed by paycert): it was charged.
    // paysearch would list it as one we know and prove nothing about this cycle.
    $paid = shop_cycle_payment($db, (int) $charge['subscription_id'], (int) $charge['cycle']);
    if ($paid !== null) {
        return $charged($paid['tid']);
    }
    $claimedDay = substr((string) $charge['claimed_at'], 0, 10);
    try {
        $payments = $client->paysearch(
            date('Y-m-d', strtotime($claimedDay . ' -1 day')),
            date('Y-m-d', strtotime(shop_today() . ' +1 day'))
        );
    } catch (CookiePayException $e) {
        error_log('cookiepay paysearch: ' . $e->getErrorJson());
        return 'unknown';
    }
    $ours = [];
    $untagged = 0;
    foreach ($payments as $payment) {
        $known = shop_one($db, 'SELECT tid, source, recorded_at FROM payments WHERE tid = ?', [$payment['TID']]);
        if ((int) $payment['AMOUNT'] !== (int) $charge['amount']) {
            continue;
        }
        $tag = isset($payment['ETC1']) ? (string) $payment['ETC1'] : '';
        if ($known !== null) {
            // Recorded from its Noti since this charge was sent: the charge whose answer was lost
            // (a Noti's PAY_CNT is only a label, so the time decides, not the label).
            if ($tag === $charge['subscription_orderno'] && $known['source'] === 'noti' && $known['recorded_at'] >= $charge['claimed_at']) {
                $ours[] = $payment;
            }
            continue;
        }
        if ($tag === $charge['subscription_orderno']) {
            $ours[] = $payment;
        } elseif ($tag === '' && $payment['PRODUCTNAME'] === $charge['product'] && $payment['BUYERNAME'] === $charge['buyer']) {
            $untagged++;   // looks like ours but carries no tag: cannot tell
        }
    }
    if (count($ours) === 1 && $untagged === 0) {
        $payment = $ours[0];
        if (!shop_record_payment($db, $payment, 'paysearch', (int) $charge['subscription_id'], (int) $charge['cycle'])) {
            $db->prepare("UPDATE payments SET pay_cnt = ? WHERE tid = ? AND source = 'noti'")->execute([(int) $charge['cycle'], $payment['TID']]);
        }
        return $charged($payment['TID']);
    }
    if ($ours === [] && $untagged === 0 && shop_cycle_payment($db, (int) $charge['subscription_id'], (int) $charge['cycle']) === null) {
        // CookiePay has no charge of this subscription we do not know of, and none of this cycle is
        // known (a Noti may have come while paysearch ran): it did not happen.
        $db->prepare("UPDATE charges SET status = 'pending', error = 'not charged (paysearch)', updated_at = ? WHERE id = ? AND status = 'unknown'")
            ->execute([shop_now(), $chargeId]);
        return 'pending';
    }
    return 'unknown';   // several candidates: a person decides
}

/**
 * Refund (part of) a recorded payment. Never retried: on an unknown outcome check with paycert.
 *
 * @return array ['result' => refunded|already-cancelled|settled|refused|unknown|not-found, 'message' => …]
 */
function shop_refund(PDO $db, Client $client, string $tid, ?int $amount, string $reason): array
{
    $payment = shop_one($db, 'SELECT tid, amount, refunded FROM payments WHERE tid = ?', [$tid]);
    if ($payment === null) {
        return ['result' => 'not-found', 'message' => '결제 내역이 없습니다.'];
    }
    try {
        $answer = $client->cancel($tid, $reason, $amount);
    } catch (ApiException $e) {
        if ($e->getApiCode() === '9029') {
            return ['result' => 'settled', 'message' => '정산이 끝난 결제입니다: 입금후 취소로 환불해야 합니다. ' . $e->getApiMessage()];
        }
        return ['result' => 'refused', 'message' => $e->getApiMessage() . ' (' . $e->getApiCode() . ')'];
    } catch (CookiePayException $e) {
        error_log('cookiepay cancel: ' . $e->getErrorJson());
        if (!shop_money_may_have_moved($e)) {
            return ['result' => 'error', 'message' => '쿠키페이에 연결하지 못했습니다. 환불되지 않았습니다.'];
        }
        return ['result' => 'unknown', 'message' => '환불 결과를 알 수 없습니다. 다시 누르기 전에 결제 상태(paycert)를 확인하세요.'];
    }
    if ($answer['already_cancelled']) {
        return ['result' => 'already-cancelled', 'message' => '이미 취소된 결제입니다. ' . (string) $answer['cancel_msg']];
    }
    $refunded = (int) $answer['cancel_amt'];
    shop_transaction($db, function (PDO $db) use ($tid, $answer, $refunded, $reason) {
        $db->prepare('INSERT INTO refunds (tid, cancel_tid, amount, reason, cancel_date, recorded_at) VALUES (?, ?, ?, ?, ?, ?)')
            ->execute([$tid, $answer['cancel_tid'], $refunded, $reason, $answer['cancel_date'], shop_now()]);
        $db->prepare('UPDATE payments SET refunded = refunded + ? WHERE tid = ?')->execute([$refunded, $tid]);
    });
    return ['result' => 'refunded', 'message' => number_format($refunded) . '원 환불되었습니다.'];
}

/** End a subscription: cancel the schedule, then dispose of the billing key. */
function shop_end_subscription(PDO $db, Client $client, int $id): array
{
    $subscription = shop_subscription($db, $id);
    if ($subscription === null || $subscription['billkey'] === null) {
        return ['result' => 'not-found', 'message' => '구독이 없습니다.'];
    }
    try {
        if ($subscription['reserve_id'] !== null) {
            $client->scheduleCancel($subscription['reserve_id']);   // already cancelled is fine
        }
        $client->billkeyDelete($subscription['billkey']);
    } catch (CookiePayException $e) {
        error_log('cookiepay end subscription: ' . $e->getErrorJson());
        return ['result' => 'error', 'message' => '해지하지 못했습니다: ' . $e->getMessage()];
    }
    $db->prepare("UPDATE subscriptions SET status = 'ended', ended_at = ? WHERE id = ?")->execute([shop_now(), $id]);
    $db->prepare("UPDATE charges SET status = 'failed', error = 'subscription ended', updated_at = ? WHERE subscription_id = ? AND status = 'pending'")
        ->execute([shop_now(), $id]);
    return ['result' => 'ended', 'message' => '구독이 해지되었습니다.'];
}
