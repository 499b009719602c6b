package shop;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for a table of charges: one row per charge a shop means to make (a subscription's
 * cycle, a refund), created before the call and moved on only by conditional updates, so that two
 * runs of the same job (two servers, a double-clicked admin button, a cron overlap) make it once:
 *
 * <pre>
 * CREATE TABLE charges (id VARCHAR(64) PRIMARY KEY, state VARCHAR(10) NOT NULL, tid VARCHAR(100), ...);
 * -- claim: only the run whose UPDATE changes a row calls CookiePay
 * UPDATE charges SET state='charging', started_at=NOW() WHERE id=? AND state='pending';   -- 1 row: go on
 * UPDATE charges SET state='paid', tid=? WHERE id=? AND state IN ('charging','unknown');
 * </pre>
 *
 * States: {@code pending} (may be charged), {@code charging} (a run is calling CookiePay),
 * {@code paid}, {@code declined}, {@code refused} (never sent: not the shop's to charge), and
 * {@code unknown}: the call failed in a way that may have charged the card (outcome unknown). An
 * unknown row is never charged again as it is: it is settled first, by looking the payment up.
 *
 * <p>It also stands in for two more tables: each subscription's mode (who charges its cycles:
 * {@code schedule} = CookiePay's schedule, {@code cron} = the shop's own job; never both) and the
 * payments the shop knows of, by subscription and cycle (whoever recorded them: the call's answer,
 * a confirmed Noti, paysearch).
 */
public final class ChargeStore {
    public static final String PENDING = "pending";
    public static final String CHARGING = "charging";
    public static final String PAID = "paid";
    public static final String DECLINED = "declined";
    public static final String UNKNOWN = "unknown";
    public static final String REFUSED = "refused";

    /** Row kinds: charge again a cycle the schedule declined; the shop's own charge of a cycle; a refund. */
    public static final String RETRY = "retry";
    public static final String CYCLE = "cycle";
    public static final String REFUND = "refund";

    public static final class Charge {
        public final String id;
        public final String reserveId;
        public final String billKey;
        /** The shop's mark on every payment of the subscription: what it put in ETC1 at sign-up. */
        public final String tag;
        public final long amount;
        public final String kind;
        /** The cycle (PAY_CNT) a retry or cycle row is for; null for a refund. */
        public final String cycle;
        volatile String state = PENDING;
        volatile String tid;
        volatile String note;
        /** When the last attempt started (sandbox days aside, the shop's own clock). */
        volatile long startedAtMillis;

        Charge(String id, String reserveId, String billKey, String tag, long amount, String kind, String cycle) {
            this.id = id;
            this.kind = kind;
            this.cycle = cycle;
            this.reserveId = reserveId;
            this.billKey = billKey;
            this.tag = tag;
            this.amount = amount;
        }

        public String getState() {
            return state;
        }

        public String getTid() {
            return tid;
        }

        public String getNote() {
            return note;
        }
    }

    private final Map<String, Charge> rows = new ConcurrentHashMap<String, Charge>();
    /** {@code subscriptions.mode} by RESERVE_ID. */
    private final Map<String, String> modes = new ConcurrentHashMap<String, String>();
    /** {@code payments}: "RESERVE_ID#PAY_CNT" → TID (a unique key: a cycle is paid once). */
    private final Map<String, String> payments = new ConcurrentHashMap<String, String>();

    /** INSERT the row for a refund to make (once: the id is the primary key). */
    public Charge create(String id, String reserveId, String billKey, String tag, long amount) {
        return insert(new Charge(id, reserveId, billKey, tag, amount, REFUND, null));
    }

    /** INSERT the row for a charge of a cycle ({@link #RETRY} or {@link #CYCLE}); the id names the charge, e.g. reserveId + cycle. */
    public Charge create(String id, String kind, String reserveId, String billKey, String tag, long amount, String cycle) {
        return insert(new Charge(id, reserveId, billKey, tag, amount, kind, cycle));
    }

    private Charge insert(Charge charge) {
        Charge existing = rows.putIfAbsent(charge.id, charge);
        return existing != null ? existing : charge;
    }

    /** Signing up records who charges the subscription's cycles: "schedule" (RECURRENCE_PAY=Y) or "cron". */
    public void setMode(String reserveId, String mode) {
        modes.put(reserveId, mode);
    }

    public String modeOf(String reserveId) {
        return reserveId == null ? null : modes.get(reserveId);
    }

    /** {@code INSERT INTO payments … ON CONFLICT DO NOTHING}: false when the cycle's payment was known. */
    public boolean recordPayment(String reserveId, String cycle, String tid) {
        return cycle != null && tid != null && !tid.isEmpty() && payments.putIfAbsent(reserveId + "#" + cycle, tid) == null;
    }

    /** {@code notis}-recorded payments: TID → when its confirmed Noti recorded it. */
    private final Map<String, Long> notiPayments = new ConcurrentHashMap<String, Long>();

    /**
     * A payment a confirmed Noti reported: noted with the time, and under its cycle label when that
     * cycle has no payment yet (the label is the Noti's PAY_CNT, which CookiePay does not confirm).
     */
    public void recordNotiPayment(String reserveId, String cycle, String tid) {
        notiPayments.putIfAbsent(tid, System.currentTimeMillis());
        recordPayment(reserveId, cycle, tid);
    }

    /** Did a confirmed Noti record this TID at or after that time? */
    public boolean recordedFromNotiSince(String tid, long sinceMillis) {
        Long at = notiPayments.get(tid);
        return at != null && at >= sinceMillis;
    }

    /** The TID of a cycle's known payment, or null. */
    public String cyclePayment(String reserveId, String cycle) {
        return cycle == null ? null : payments.get(reserveId + "#" + cycle);
    }

    public Charge find(String id) {
        return rows.get(id);
    }

    /** {@code UPDATE … SET state=? WHERE id=? AND state=?}: true for the one caller that changed it. */
    public synchronized boolean transition(String id, String from, String to) {
        Charge charge = rows.get(id);
        if (charge == null || !from.equals(charge.state)) {
            return false;
        }
        charge.state = to;
        if (CHARGING.equals(to)) {
            charge.startedAtMillis = System.currentTimeMillis();
        }
        return true;
    }

    /** Record the outcome of the run that holds the row ({@code charging} or {@code unknown}). */
    public synchronized void finish(String id, String state, String tid, String note) {
        Charge charge = rows.get(id);
        if (charge != null && (CHARGING.equals(charge.state) || UNKNOWN.equals(charge.state))) {
            charge.state = state;
            charge.tid = tid;
            charge.note = note;
        }
    }
}
