package shop;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.cookiepay.CookiePayApiException;
import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayException;
import com.cookiepay.CookiePayResult;
import com.cookiepay.CookiePayVerificationFailedException;

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
 *
 * Two rules: a Noti is <b>not authenticated</b> (anyone can post one), so nothing is marked paid
 * before {@code verify} (paycert) confirms it; and Notis repeat and race with the shop's own
 * calls, so each {@code dedup_key} is recorded once — after the check, with a unique column, so
 * two copies arriving together record it once.
 */
public final class NotiHandler {
    private final CookiePayClient client;
    /** The shop's payments by subscription and cycle (shared with {@link BillingJob}). */
    private final ChargeStore ledger;
    /** Stands in for the subscriptions table: RESERVE_ID → the amount each cycle must have. */
    private final Map<String, Long> subscriptions = new ConcurrentHashMap<String, Long>();
    /** Stands in for {@code CREATE TABLE notis (dedup_key VARCHAR(200) PRIMARY KEY, tid …)}. */
    private final Set<String> processed = ConcurrentHashMap.newKeySet();
    private final Set<String> paidTids = ConcurrentHashMap.newKeySet();

    public NotiHandler(CookiePayClient client, ChargeStore ledger) {
        this.client = client;
        this.ledger = ledger;
    }

    public void subscribe(String reserveId, long amount) {
        subscriptions.put(reserveId, amount);
    }

    public boolean isPaid(String tid) {
        return paidTids.contains(tid);
    }

    /** What happened, for the shop's log. */
    public String handle(byte[] rawBody) {
        CookiePayResult noti;
        try {
            noti = CookiePayClient.parseNoti(rawBody);
        } catch (CookiePayException e) {
            return "ignored: not a Noti (" + e.getKind() + ")";
        }
        String kind = noti.getString("kind");
        String tid = noti.getString("TID");
        if (!"recurring".equals(kind)) {
            // "payment": confirm and record it like the RETURNURL handler does; "cancel": mark the
            // payment cancelled after paycert shows CANCELDATE. Same two rules.
            return kind + " Noti for " + tid + ": not a subscription charge";
        }
        Long amount = subscriptions.get(noti.getString("RESERVE_ID"));
        if (amount == null) {
            return "ignored: no subscription " + noti.getString("RESERVE_ID");
        }
        if (!"0000".equals(noti.getString("RESULTCODE"))) {
            // Declined cycle: tell the buyer, charge it again later (BillingJob.charge, dunning).
            return record(noti) ? "declined: cycle " + noti.getString("PAY_CNT") + ", " + noti.getString("RESULTMSG") : "duplicate: ignored";
        }
        try {
            client.verify(tid, noti.getString("ORDERNO"), amount);   // what CookiePay itself has recorded
        } catch (CookiePayVerificationFailedException e) {
            return "rejected: differs from the subscription " + e.getMismatches();
        } catch (CookiePayApiException e) {
            return "rejected: CookiePay has no such payment (" + e.getCode() + ")";
        } catch (CookiePayException e) {
            // Could not ask: do not record; the Noti's repeat (or a paysearch later) will settle it.
            return "not confirmed yet (" + e.getKind() + ")";
        }
        if (!record(noti)) {
            return "duplicate: ignored";
        }
        paidTids.add(tid);
        ledger.recordPayment(noti.getString("RESERVE_ID"), noti.getString("PAY_CNT"), tid);
        return "paid: cycle " + noti.getString("PAY_CNT") + ", " + amount + "원, TID " + tid + ", next " + noti.getString("NEXT_PAY_DATE");
    }

    /** {@code INSERT INTO notis (dedup_key, …)}: false when the key is there already. */
    private boolean record(CookiePayResult noti) {
        return processed.add(noti.getString("dedup_key"));
    }
}
