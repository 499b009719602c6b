package shop;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;

import com.cookiepay.CookiePayApiException;
import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayException;
import com.cookiepay.CookiePayResult;

/**
 * The shop's side of the money calls, servlet- or cron-style: a subscription's charge and a refund,
 * each made at most once however often, and from however many places at once, it is run.
 *
 * <p>The pattern, for every call that moves money (CookiePay has no idempotency key, and the
 * binding never retries these calls):
 * <ol>
 *   <li>a row per charge exists before the call ({@link ChargeStore#create}), with an id that names
 *       the charge itself (reserveId + cycle, refund request number), not the attempt;</li>
 *   <li>the run claims it with a conditional update {@code pending → charging}; a run that does
 *       not win the update does nothing;</li>
 *   <li>the answer moves it on: {@code paid}; {@code declined} (nothing charged); back to
 *       {@code pending} only when the call certainly did not reach CookiePay;</li>
 *   <li>anything else — a timeout, a lost connection, a cut-off answer ({@code outcome unknown}) —
 *       makes it {@code unknown}: never charged again as it is, but settled by looking the payment
 *       up ({@link #settle}) some minutes later.</li>
 * </ol>
 */
public final class BillingJob {
    private static final ZoneId KST = ZoneId.of("Asia/Seoul");

    private final CookiePayClient client;
    private final ChargeStore charges;

    public BillingJob(CookiePayClient client, ChargeStore charges) {
        this.client = client;
        this.charges = charges;
    }

    /**
     * Charge one row now (e.g. the retry of a declined month, or an admin's "retry" button). → the
     * row's state. One way per subscription: a subscription with CookiePay's schedule has its cycles
     * charged by CookiePay, so the only charge the shop makes of it is the retry of a cycle the
     * schedule declined (what recurrence_request_payment is for: it charges the oldest unpaid
     * cycle); a {@link ChargeStore#CYCLE} row of it is refused, never sent — a job that charged a
     * cycle of a scheduled subscription charged twice (the schedule took cycle 3, recurringCharge
     * cycle 4, the same day). No public call charges a billing key without a schedule
     * (recurringCharge needs its RESERVE_ID), so a "cron" subscription cannot be charged here.
     */
    public String charge(String chargeId) {
        ChargeStore.Charge row = charges.find(chargeId);
        // UPDATE charges SET state='charging' WHERE id=? AND state='pending'  → 0 rows: not ours.
        if (row == null || !charges.transition(chargeId, ChargeStore.PENDING, ChargeStore.CHARGING)) {
            return row == null ? "no such charge" : row.getState();
        }
        String mode = charges.modeOf(row.reserveId);
        if (!"schedule".equals(mode) || !ChargeStore.RETRY.equals(row.kind)) {
            charges.finish(chargeId, ChargeStore.REFUSED, null, "schedule".equals(mode)
                    ? "schedule mode: CookiePay's schedule charges its cycles, the shop only retries a declined one"
                    : "no CookiePay schedule to charge");
            return ChargeStore.REFUSED;
        }
        // The cycle may be paid by now (its Noti, an earlier settle): "retrying" it would make
        // CookiePay charge the next cycle ahead of its date.
        String known = charges.cyclePayment(row.reserveId, row.cycle);
        if (known != null) {
            charges.finish(chargeId, ChargeStore.PAID, known, "paid before: not charged again");
            return ChargeStore.PAID;
        }
        try {
            CookiePayResult paid = client.recurringCharge(row.reserveId, row.billKey);
            charges.recordPayment(row.reserveId, paid.getString("PAY_CNT"), paid.getString("TID"));
            charges.finish(chargeId, ChargeStore.PAID, paid.getString("TID"), "PAY_CNT " + paid.getString("PAY_CNT"));
        } catch (CookiePayApiException e) {
            // Declined by the card company (layer "inner"), or the schedule is cancelled (E103):
            // nothing was charged. Tell the buyer; charge again later (dunning).
            charges.finish(chargeId, ChargeStore.DECLINED, null, e.getCode() + " " + e.getApiMessage());
        } catch (CookiePayException e) {
            charges.finish(chargeId, certainlyNotSent(e) ? ChargeStore.PENDING : ChargeStore.UNKNOWN, null, e.getKind());
        }
        return charges.find(chargeId).getState();
    }

    /**
     * Settle a charge whose outcome is unknown. A payment of its cycle the shop knows already (the
     * charge's own Noti, confirmed with paycert) settles it as paid — paysearch would list that one
     * as recorded and prove nothing about the cycle. Otherwise look up the day's payments and take one of this
     * subscription — marked by the ETC1 the shop gave it at sign-up, which CookiePay copies to every
     * charge of the schedule (paysearch rows carry no RESERVE_ID, and the ORDERNO of a recurring
     * charge is made by CookiePay) — that the shop has not recorded yet. Found → paid (do not
     * charge again); not found → pending (it may be charged again); paysearch itself failing →
     * stays unknown, settle later. Run it some minutes after the attempt, not while it may still
     * be under way.
     */
    public String settle(String chargeId, java.util.Set<String> tidsAlreadyRecorded) {
        ChargeStore.Charge row = charges.find(chargeId);
        if (row == null || !ChargeStore.UNKNOWN.equals(row.getState())) {
            return row == null ? "no such charge" : row.getState();
        }
        String known = charges.cyclePayment(row.reserveId, row.cycle);
        if (known != null) {
            charges.finish(chargeId, ChargeStore.PAID, known, "settled: its payment was recorded");
            return ChargeStore.PAID;
        }
        LocalDate today = LocalDate.now(KST);
        try {
            for (Map<String, Object> payment : client.paysearch(today.minusDays(1), today.plusDays(1)).getList("payments")) {
                String tid = String.valueOf(payment.get("TID"));
                // Ours: the subscription's tag, and a TID not recorded yet — or one its Noti recorded
                // since this charge was sent (the charge whose answer was lost, whatever its label).
                boolean fresh = !tidsAlreadyRecorded.contains(tid) || charges.recordedFromNotiSince(tid, row.startedAtMillis);
                if (row.tag.equals(payment.get("ETC1")) && fresh && !"".equals(tid)) {
                    charges.recordPayment(row.reserveId, row.cycle, tid);
                    charges.finish(chargeId, ChargeStore.PAID, tid, "settled with paysearch");
                    return ChargeStore.PAID;
                }
            }
        } catch (CookiePayException e) {
            return ChargeStore.UNKNOWN; // try again later; still no charge
        }
        // A Noti may have recorded the cycle while paysearch ran: never back to pending then.
        known = charges.cyclePayment(row.reserveId, row.cycle);
        if (known != null) {
            charges.finish(chargeId, ChargeStore.PAID, known, "settled: its payment was recorded");
            return ChargeStore.PAID;
        }
        charges.transition(chargeId, ChargeStore.UNKNOWN, ChargeStore.PENDING);
        return ChargeStore.PENDING;
    }

    /**
     * Refund a payment, wholly ({@code amount} null) or partly, once per refund row. "Already
     * cancelled" is a success. Code 9029: the payment is settled; it needs CookiePay's 입금후 취소.
     * Outcome unknown: a whole refund may simply be sent again (a second one answers
     * already_cancelled), a partial one must not — look at paycert's cancellation first.
     */
    public String refund(String refundId, String tid, Long amount, String reason) {
        ChargeStore.Charge row = charges.find(refundId);
        if (row == null || !charges.transition(refundId, ChargeStore.PENDING, ChargeStore.CHARGING)) {
            return row == null ? "no such refund" : row.getState();
        }
        try {
            CookiePayResult cancel = client.cancel(tid, reason, amount);
            boolean already = Boolean.TRUE.equals(cancel.get("already_cancelled"));
            charges.finish(refundId, ChargeStore.PAID, cancel.getString("cancel_tid"),
                    already ? "already cancelled" : "refunded " + cancel.getString("cancel_amt") + "원");
        } catch (CookiePayApiException e) {
            charges.finish(refundId, ChargeStore.DECLINED, null,
                    "9029".equals(e.getCode()) ? "settled already: refund with 입금후 취소" : e.getCode() + " " + e.getApiMessage());
        } catch (CookiePayException e) {
            charges.finish(refundId, certainlyNotSent(e) ? ChargeStore.PENDING : ChargeStore.UNKNOWN, null, e.getKind());
        }
        return charges.find(refundId).getState();
    }

    /** Only these failures prove CookiePay never saw the request; anything else may have charged. */
    private static boolean certainlyNotSent(CookiePayException e) {
        String kind = e.getKind();
        return "validation".equals(kind) || "invalid_argument".equals(kind) || "not_applied".equals(e.getError().get("outcome"));
    }
}
