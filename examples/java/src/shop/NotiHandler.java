package shop;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayException;
import com.cookiepay.CookiePayNotiNotConfirmedException;
import com.cookiepay.CookiePayResult;

/**
 * The 통지 URL (Noti) handler, servlet-style: CookiePay POSTs a JSON body here server to server for
 * every payment, scheduled charge (success or decline) and cancellation. In a servlet:
 *
 * <pre>{@code
 * protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
 *     String outcome = handler.handle(readAll(req.getInputStream()));   // the raw body
 *     resp.setContentType("text/html; charset=utf-8");
 *     resp.getWriter().write("<RESULT>SUCCESS</RESULT>");   // what the vendor's plugin answers
 * }
 * }</pre>
 * (answer 503 instead when {@code handle} throws: CookiePay could not be asked, and it resends).
 *
 * <p>A Noti is <b>not authenticated</b>: anyone can post one, so it is only a hint to look. Nothing
 * changes, and its {@code dedup_key} is not even claimed, before CookiePay confirms it (a forged
 * Noti carrying a genuine key must not block the genuine one); then only CookiePay's answer is used,
 * never the body's fields. Notis repeat and race with the shop's own calls, so each confirmed key
 * is recorded once, with a unique column.
 */
public final class NotiHandler {
    private final CookiePayClient client;
    /** The shop's payments by subscription and cycle (shared with {@link BillingJob}). */
    private final ChargeStore ledger;
    /** Stands in for the subscriptions table: the sign-up's ORDERNO and its ETC1 tag → the subscription. */
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<String, Subscription>();
    /** Stands in for {@code CREATE TABLE notis (dedup_key VARCHAR(200) PRIMARY KEY, tid …)}. */
    private final Set<String> processed = ConcurrentHashMap.newKeySet();
    private final Set<String> paidTids = ConcurrentHashMap.newKeySet();

    private static final class Subscription {
        final String reserveId;
        final String orderNo;
        final long amount;

        Subscription(String reserveId, String orderNo, long amount) {
            this.reserveId = reserveId;
            this.orderNo = orderNo;
            this.amount = amount;
        }
    }

    public NotiHandler(CookiePayClient client, ChargeStore ledger) {
        this.client = client;
        this.ledger = ledger;
    }

    /** A subscription the shop signed up: its RESERVE_ID, its ORDERNO, the ETC1 tag it gave and the amount of each cycle. */
    public void subscribe(String reserveId, String orderNo, String tag, long amount) {
        Subscription subscription = new Subscription(reserveId, orderNo, amount);
        subscriptions.put(orderNo, subscription);
        subscriptions.put(tag, subscription);
    }

    public boolean isPaid(String tid) {
        return paidTids.contains(tid);
    }

    /** What happened, for the shop's log. Throws when CookiePay could not be asked (answer 503). */
    public String handle(byte[] rawBody) {
        CookiePayResult noti;
        try {
            noti = CookiePayClient.parseNoti(rawBody);
        } catch (CookiePayException e) {
            return "ignored: not a Noti (" + e.getKind() + ")";
        }
        // confirmNoti: paycert of the TID, every field the body shares with paycert agreeing; kind and
        // dedup_key from paycert's answer. Not confirmed: no TID (a decline has no payment), an unknown
        // TID, a contradiction, or a cancellation paycert does not show (only once nothing is left).
        CookiePayResult cert;
        try {
            cert = client.confirmNoti(rawBody);
        } catch (CookiePayNotiNotConfirmedException e) {
            cert = null;
        }
        if (cert == null) {
            // A decline has no TID: nothing can confirm it, so it charges (and queues) nothing.
            boolean declined = "recurring".equals(noti.getString("kind")) && !"0000".equals(noti.getString("RESULTCODE"));
            return declined ? "declined cycle reported, not confirmable: nothing charged" : "ignored: CookiePay does not confirm it";
        }
        String tid = cert.getString("TID");
        if ("cancel".equals(cert.getString("kind"))) {
            return record(cert.getString("dedup_key")) ? "cancel of " + tid + " confirmed" : "duplicate: ignored";
        }
        // The subscription CookiePay's answer ties the payment to: the sign-up's ORDERNO (its first
        // charge), else the ETC1 tag given at sign-up, which CookiePay copies to each charge of the
        // schedule and paysearch shows. The body's RESERVE_ID decides nothing.
        Subscription subscription = subscriptions.get(cert.getString("ORDERNO"));
        boolean first = subscription != null;
        if (subscription == null) {
            List<Map<String, Object>> rows = client.paysearch(tid).getList("payments");
            Object tag = rows.size() == 1 ? rows.get(0).get("ETC1") : null;
            subscription = tag == null ? null : subscriptions.get(String.valueOf(tag));
        }
        if (subscription == null) {
            return "rejected: not a payment of one of our subscriptions";
        }
        if (!String.valueOf(subscription.amount).equals(cert.getString("AMOUNT"))) {
            return "rejected: not the subscription's amount (" + cert.getString("AMOUNT") + ")";
        }
        if (!record(cert.getString("dedup_key"))) {
            return "duplicate: ignored";
        }
        paidTids.add(tid);
        // PAY_CNT is the body's: a label of the cycle only (first come; ChargeStore keeps one payment
        // per cycle). It can spare a retry, never cause a charge.
        String cycle = first ? "1" : noti.getString("PAY_CNT");
        ledger.recordNotiPayment(subscription.reserveId, cycle, tid);
        return "paid: cycle " + cycle + ", " + subscription.amount + "원, TID " + tid;
    }

    /** {@code INSERT INTO notis (dedup_key, …)}: false when the key is there already. */
    private boolean record(String dedupKey) {
        return processed.add(dedupKey);
    }
}
