// Subscriptions (정기결제 비인증) in the style of an ASP.NET MVC controller: sign-up with a billing key
// and a monthly schedule, charging a cycle now (e.g. retrying a declined month), the Noti handler,
// refunds and ending a subscription. Like HomeController it is a plain class; return Content(...) of the
// same strings from a real controller.
//
// THE RULE FOR MONEY: every charge and every refund is a row in the shop's database BEFORE the call,
// and a call is only made by whoever moved that row from 'pending' to 'charging' with one conditional
// UPDATE. Two requests, two servers or a retried job racing for the same row: exactly one wins, so the
// card is charged once. The library never retries a money call; when the answer is lost
// (CookiePayException.OutcomeUnknown) the row becomes 'unknown' and is settled by looking the payment
// up with Paysearch (or by the Noti) — never by charging again "to be sure".
//
// ONE WAY PER SUBSCRIPTION: CookiePay's schedule (RECURRENCE_PAY=Y: CookiePay charges every cycle, the
// shop listens to Notis) or the shop's own cron (no schedule). Never both: a job that charged a cycle of
// a subscription whose schedule is active charged twice (the schedule took cycle 3, RecurringCharge
// cycle 4, the same day). Every sign-up here is schedule mode (RecurringCharge needs the schedule's
// RESERVE_ID, and no public call charges a billing key without one), so ChargeCycle only ever charges
// again a cycle the schedule declined, and refuses anything else.

using System;
using System.Collections.Generic;
using CookiePay;

namespace Shop.Controllers
{
    public class SubscriptionController
    {
        private readonly CookiePayClient cookiepay;   // one per credential pair (the 정기 pair), shared
        private readonly ChargeTable charges;

        public SubscriptionController(CookiePayClient cookiepay, ChargeTable charges)
        {
            this.cookiepay = cookiepay;
            this.charges = charges;
        }

        /// <summary>
        /// Sign-up: the card form posts here (over HTTPS; the card data is passed on and never stored or
        /// logged). Issues the billing key, makes the first charge and registers a monthly schedule.
        /// </summary>
        public string SignUp(string buyerName, string buyerEmail, long amount, string payDay,
            string cardNo, string expiry, string birthDate, string cardPassword)
        {
            // INSERT INTO charge (id, kind, mode, order_no, amount, status) VALUES (?, 'signup', 'schedule', ?, ?, 'pending'):
            // signing up with a schedule marks the subscription's mode.
            ChargeRow row = charges.CreatePending("signup", amount, null, null, null);
            charges.SetMode(row.Id, "schedule");
            if (!charges.TryClaim(row.Id)) return "이미 처리 중입니다.";  // someone else owns this charge

            try
            {
                BillkeyResult result = cookiepay.Billkeygen(new Dictionary<string, object>
                {
                    { "ORDERNO", row.OrderNo },             // new and unique for every attempt
                    { "PRODUCTNAME", "쿠키 정기구독 (월간)" },
                    { "AMOUNT", amount },
                    { "BUYERNAME", buyerName },
                    { "BUYEREMAIL", buyerEmail },
                    // Our subscription's id: every charge of the schedule carries ETC2, so a lost
                    // answer can be found again with Paysearch (Settle below).
                    { "ETC2", row.Tag },
                    { "CARDNO", cardNo },                   // digits; checked (Luhn) before anything is sent
                    { "EXPIREDT", expiry },                 // YYMM
                    { "CARDAUTH", birthDate },              // 생년월일 6 digits (or 사업자번호 10)
                    { "CARDPWD", cardPassword },            // first 2 digits of the card PIN
                    { "QUOTA", "00" },                      // 일시불
                    { "RECURRENCE_PAY", "Y" },              // register the schedule in the same call
                    { "RECURRENCE_TYPE", "M" },             // monthly
                    { "PAY_DAY", payDay },                  // e.g. "05"
                    { "START_PAY_CNT", "1" },
                    { "LAST_PAY_CNT", "12" },
                });

                // The first charge is made: record it once, with the billing key (a secret: encrypt it at rest).
                // UPDATE charge SET status='paid', tid=?, … WHERE id=? AND status='charging'
                charges.MarkPaid(row.Id, result.Tid, result.ReserveId, result.BillKey, "1");
                if (result.Scheduled == false)
                {
                    // Charged, but CookiePay refused the schedule. NEVER charge again: keep the subscription
                    // active for this month and fix the schedule (staff alert, or retry the registration).
                    return "가입 완료 (첫 결제 " + result.Tid + "), 정기결제 등록 실패: " + result.ReserveResultMsg;
                }
                return "가입 완료: 첫 결제 " + result.Tid + ", 다음 결제일 " + result.ReserveNextPayDate;
            }
            catch (CookiePayValidationException e)
            {
                // Nothing was sent: the buyer fixes the form (the messages never contain the card data).
                charges.Release(row.Id, "declined");
                return "카드 정보를 확인해 주세요: " + string.Join("; ", Texts(e.Fields));
            }
            catch (CookiePayApiException e)
            {
                charges.Release(row.Id, "declined");
                return "카드 승인이 거절되었습니다 (" + e.Code + "): " + e.ApiMessage;
            }
            catch (CookiePayException e) when (e.Outcome == "not_applied")
            {
                // Certainly not sent (e.g. no connection): nothing happened, the buyer may try again.
                charges.Release(row.Id, "failed");
                return "결제 서버에 연결하지 못했습니다. 잠시 후 다시 시도해 주세요.";
            }
            catch (CookiePayException)
            {
                // Timeout, connection lost, a 5xx, an unreadable answer: the card may or may not have been
                // charged (e.OutcomeUnknown). Do not try again: Settle() decides. If it finds the charge, the
                // BILLKEY and RESERVE_ID come with the payment's Noti (or refund it and ask the buyer again).
                charges.Release(row.Id, "unknown");
                return "결제 결과를 확인 중입니다. 잠시 후 주문 내역을 확인해 주세요.";
            }
        }

        /// <summary>
        /// Charge a due row now — the job that retries a month the schedule declined (kind "retry"; CookiePay
        /// charges the schedule itself on PAY_DAY, its results arrive as Notis). Safe to run twice at once:
        /// one run charges. A "cycle" row of a schedule-mode subscription is refused, never sent.
        /// </summary>
        public string ChargeCycle(string chargeId)
        {
            // UPDATE charge SET status='charging', claimed_at=now() WHERE id=? AND status='pending'
            // → 1 row: this run charges; 0 rows: another run has it, or it is done.
            if (!charges.TryClaim(chargeId)) return "skip " + chargeId + ": " + charges.Get(chargeId).Status;
            ChargeRow row = charges.Get(chargeId);
            string mode = charges.ModeOf(row.ReserveId);
            if (mode != "schedule" || row.Kind != "retry")
            {
                charges.Release(chargeId, "refused");
                return "refused " + chargeId + ": " + (mode == "schedule"
                    ? "schedule mode: CookiePay's schedule charges its cycles, the shop only retries a declined one"
                    : "no CookiePay schedule to charge");
            }
            // The cycle may be paid by now (its Noti, an earlier settle): "retrying" it would make CookiePay
            // charge the next cycle ahead of its date.
            string paidTid = charges.CyclePayment(row.ReserveId, row.PayCount);
            if (paidTid != null)
            {
                charges.Settle(chargeId, "paid", paidTid);
                return "charged " + chargeId + " before: " + paidTid + " — not charged again";
            }
            try
            {
                Payment payment = cookiepay.RecurringCharge(row.ReserveId, row.BillKey);
                charges.MarkPaid(chargeId, payment.Tid, row.ReserveId, row.BillKey, payment.PayCount);
                return "charged " + chargeId + ": " + payment.Tid + " (" + payment.Amount + "원, " + payment.PayCount + "회차)";
            }
            catch (CookiePayApiException e) when (e.Code == "E103")
            {
                charges.Release(chargeId, "ended");      // the schedule was cancelled: nothing to charge
                return "schedule ended: " + e.ApiMessage;
            }
            catch (CookiePayApiException e)
            {
                charges.Release(chargeId, "declined");   // dunning: mail the buyer, set it 'pending' again later
                return "declined " + chargeId + " (" + e.Code + "): " + e.ApiMessage;
            }
            catch (CookiePayException e) when (e.Outcome == "not_applied")
            {
                charges.Release(chargeId, "pending");    // certainly not sent: a later run may charge it
                return "not sent for " + chargeId + ": " + e.Message;
            }
            catch (CookiePayException e)
            {
                // No trustworthy answer (timeout, lost connection, 5xx…: e.OutcomeUnknown or unsaid): the card
                // may have been charged. Settle with Paysearch; never charge again blindly.
                charges.Release(chargeId, "unknown");
                return "outcome unknown for " + chargeId + " (" + e.Kind + "): settle it before anything else";
            }
        }

        /// <summary>
        /// Settle a charge whose answer was lost: look it up at CookiePay. Found → paid (never charged
        /// twice). Not found → back to 'pending' only once the lost request can no longer be in flight.
        /// </summary>
        public string Settle(string chargeId, TimeSpan inFlightLimit)
        {
            ChargeRow row = charges.Get(chargeId);
            if (row.Status != "unknown") return "nothing to settle: " + row.Status;
            // A payment of this cycle is known (its Noti, confirmed with paycert): it was charged. Paysearch
            // would show it as one we know, which proves nothing about this cycle.
            string known = charges.CyclePayment(row.ReserveId, row.PayCount);
            if (known != null)
            {
                charges.Settle(chargeId, "paid", known);
                return "settled " + chargeId + ": charged as " + known + " (already recorded) — not charged again";
            }
            DateTime today = DateTime.UtcNow.AddHours(9).Date;          // CookiePay keeps Korean dates
            PaysearchResult found = cookiepay.Paysearch(today.AddDays(-1), today.AddDays(1));
            foreach (Payment payment in found.Payments)
            {
                bool same = row.Kind == "signup"
                    ? payment.OrderNo == row.OrderNo              // the sign-up: our own ORDERNO
                    : payment["ETC2"] == row.Tag                  // a cycle: CookiePay made its ORDERNO ("SRS…"),
                      && payment.OrderNo.StartsWith("SRS", StringComparison.Ordinal)   // so: our schedule's tag,
                      && (!charges.HasTid(payment.Tid)            // a charge we have not recorded yet, or one its Noti
                          || charges.RecordedFromNotiSince(payment.Tid, row.ClaimedAt))   // recorded since we sent it,
                      && payment.Amount == row.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!same) continue;
                // It exists: confirm with paycert before recording it as paid.
                cookiepay.Verify(payment.Tid, payment.OrderNo, row.Amount);
                charges.Settle(chargeId, "paid", payment.Tid);
                return "settled " + chargeId + ": charged as " + payment.Tid + " — not charged again";
            }
            if (DateTime.UtcNow - row.ClaimedAt < inFlightLimit) return "not found yet for " + chargeId + ": look again later";
            // A Noti may have recorded the cycle while Paysearch ran: never back to 'pending' then.
            known = charges.CyclePayment(row.ReserveId, row.PayCount);
            if (known != null)
            {
                charges.Settle(chargeId, "paid", known);
                return "settled " + chargeId + ": charged as " + known + " — not charged again";
            }
            charges.Settle(chargeId, "pending", null);   // certainly not charged: a later run may charge it
            return "settled " + chargeId + ": not charged, pending again";
        }

        /// <summary>
        /// The 통지 URL. A Noti is NOT authenticated: anyone can post one, so it is only a hint to look. Nothing
        /// changes, and its dedup key is not even claimed, before CookiePay confirms it (a forged Noti carrying a
        /// genuine key must not block the genuine one); then only CookiePay's answer is used, never the body's
        /// fields. A real controller answers 503 when this throws (CookiePay could not be asked): it resends.
        /// </summary>
        public string Noti(byte[] rawBody)
        {
            Noti noti;
            try { noti = CookiePayClient.ParseNoti(rawBody); }
            catch (CookiePayException) { return "ignored: not a Noti"; }

            // ConfirmNoti: paycert of the TID, every field the body shares with paycert agreeing; Kind and DedupKey
            // from paycert's answer. Not confirmed: no TID (a decline has no payment), an unknown TID, a
            // contradiction, or a cancel paycert does not show (it shows one only once nothing is left).
            ConfirmedNoti confirmed;
            try { confirmed = cookiepay.ConfirmNoti(rawBody); }
            catch (CookiePayNotiNotConfirmedException) { confirmed = null; }
            if (confirmed == null)
            {
                // A decline has no TID: nothing can confirm it, so it charges nothing (and queues nothing).
                return noti.IsRecurring && noti.ResultCode != "0000"
                    ? "declined cycle reported, not confirmable: nothing charged"
                    : "ignored: CookiePay does not confirm this " + noti.Kind + " Noti";
            }
            if (confirmed.IsCancel)
            {
                return charges.FirstTimeSeen(confirmed.DedupKey)
                    ? "cancel of " + confirmed.Tid + " confirmed at " + confirmed.CancelDate : "duplicate cancel Noti: already handled";
            }
            // The subscription CookiePay's answer ties the payment to: the sign-up's own ORDERNO (its first charge),
            // else the ETC2 tag the shop gave at sign-up, which CookiePay copies to each charge of the schedule and
            // Paysearch shows. The body's RESERVE_ID decides nothing.
            ChargeRow signUp = charges.SignUpByTag(confirmed.OrderNo);
            if (signUp == null)
            {
                IReadOnlyList<Payment> rows = cookiepay.Paysearch(confirmed.Tid).Payments;
                signUp = rows.Count == 1 ? charges.SignUpByTag(rows[0]["ETC2"]) : null;
            }
            if (signUp == null) return "rejected: not a payment of one of our subscriptions";
            // The first charge's Noti can overtake Billkeygen's answer: answer 503 so that CookiePay sends it again.
            if (signUp.ReserveId == null) return "retry later: the sign-up is still being recorded";
            if (confirmed.Amount != signUp.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)) return "rejected: not the subscription's amount";
            // PAY_CNT is the body's: kept as a label of the cycle only (first come, never over another payment
            // of that cycle). It can spare a retry, never cause a charge.
            string cycle = confirmed.OrderNo == signUp.OrderNo ? "1" : noti.PayCount;
            string recorded = charges.RecordNoti(confirmed.DedupKey, signUp.ReserveId, cycle, confirmed.Tid, signUp.Amount);
            return recorded == "duplicate" ? "duplicate Noti: already handled"
                : "recurring charge " + cycle + "회차 " + confirmed.Tid + (recorded == "recorded" ? ": recorded" : ": already recorded (our own call charged it)");
        }

        /// <summary>Refund a paid charge in full (amount null) or in part — also a claimed row, sent once.</summary>
        public string Refund(string chargeId, long? amount, string reason)
        {
            ChargeRow paid = charges.Get(chargeId);
            ChargeRow refund = charges.CreatePending("refund", amount ?? paid.Amount, null, null, paid.Tag);
            if (!charges.TryClaim(refund.Id)) return "이미 처리 중입니다.";
            try
            {
                CancelResult result = cookiepay.Cancel(paid.Tid, reason, amount);
                charges.Settle(refund.Id, "refunded", result.CancelTid);
                return result.AlreadyCancelled
                    ? "already cancelled: nothing more refunded (" + result.CancelMsg + ")"
                    : "refunded " + result.CancelAmount + "원 of " + paid.Tid;
            }
            catch (CookiePayApiException e) when (e.Code == "9029")
            {
                // Settled with the card company: only 입금후 취소 (cancel after deposit, KiwoomPay) can refund it.
                charges.Release(refund.Id, "needs_manual");
                return "입금후 취소 필요: " + e.ApiMessage;
            }
            catch (CookiePayApiException e)
            {
                charges.Release(refund.Id, "refused");     // e.g. more than what is left
                return "refund refused (" + e.Code + "): " + e.ApiMessage;
            }
            catch (CookiePayException e) when (e.Outcome == "not_applied")
            {
                charges.Release(refund.Id, "failed");      // certainly not sent
                return "refund not sent: " + e.Message;
            }
            catch (CookiePayException e)
            {
                // Maybe refunded: Paysearch(tid) / Paycert(tid).CancelDate tells; never send it again blindly.
                charges.Release(refund.Id, "unknown");
                return "refund outcome unknown (" + e.Kind + "): check Paysearch(" + paid.Tid + ")";
            }
        }

        /// <summary>End a subscription: cancel the schedule, then delete the billing key.</summary>
        public string Unsubscribe(string signUpChargeId)
        {
            ChargeRow row = charges.Get(signUpChargeId);
            ScheduleCancelResult ended = cookiepay.ScheduleCancel(row.ReserveId);   // again: AlreadyCancelled, fine
            string schedule = ended.AlreadyCancelled
                ? "schedule was already cancelled at " + ended.CancelledAt
                : "schedule cancelled";
            if (row.BillKey == null) return schedule + "; billing key already deleted";
            cookiepay.BillkeyDelete(row.BillKey);
            charges.ForgetBillKey(signUpChargeId);   // deleting it twice is an error at CookiePay: remember it is gone
            return schedule + ", billing key deleted";
        }

        private static string[] Texts<T>(IEnumerable<T> items)
        {
            var list = new List<string>();
            foreach (var item in items) list.Add(item.ToString());
            return list.ToArray();
        }
    }

    public sealed class ChargeRow
    {
        public string Id;
        public string Kind;        // signup | retry (a declined cycle charged again) | cycle (the shop's own) | refund
        public string Mode;        // signup rows: schedule (CookiePay charges the cycles) | cron (the shop does)
        public string OrderNo;
        public string Tag;         // the subscription's id, sent as ETC2 at sign-up: charges of a schedule carry it
        public long Amount;
        public string ReserveId;
        public string BillKey;
        public string PayCount;    // the cycle (PAY_CNT) a cycle or retry row is for
        public string Status;      // pending → charging → paid | declined | unknown | ended | refunded | …
        public string Tid;
        public DateTime ClaimedAt;
    }

    /// <summary>Stands in for the shop's charge table; each method is one SQL statement (in the comments).</summary>
    public class ChargeTable
    {
        private readonly object gate = new object();
        private readonly Dictionary<string, ChargeRow> rows = new Dictionary<string, ChargeRow>();
        private readonly HashSet<string> seenNotis = new HashSet<string>();
        private int sequence;

        /// <summary>INSERT … status='pending'.</summary>
        public ChargeRow CreatePending(string kind, long amount, string reserveId, string billKey, string tag)
        {
            lock (gate)
            {
                int n = ++sequence;
                string orderNo = "SUB-" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff") + "-" + n;
                var row = new ChargeRow
                {
                    Id = "C" + n, Kind = kind, Amount = amount, ReserveId = reserveId, BillKey = billKey, Status = "pending",
                    OrderNo = orderNo, Tag = tag ?? orderNo,
                };
                rows[row.Id] = row;
                return row;
            }
        }

        /// <summary>INSERT … the retry of a cycle the schedule declined (kind 'retry', its PAY_CNT), of a sign-up's subscription.</summary>
        public ChargeRow CreateRetry(ChargeRow signUp, string payCount)
        {
            ChargeRow row = CreatePending("retry", signUp.Amount, signUp.ReserveId, signUp.BillKey, signUp.Tag);
            lock (gate) rows[row.Id].PayCount = payCount;
            return Get(row.Id);
        }

        /// <summary>UPDATE charge SET mode=? WHERE id=? (a sign-up row).</summary>
        public void SetMode(string id, string mode)
        {
            lock (gate) rows[id].Mode = mode;
        }

        /// <summary>SELECT mode FROM charge WHERE kind='signup' AND reserve_id=? — null when there is none.</summary>
        public string ModeOf(string reserveId)
        {
            lock (gate)
            {
                foreach (var row in rows.Values)
                    if (row.Kind == "signup" && reserveId != null && row.ReserveId == reserveId) return row.Mode;
                return null;
            }
        }

        /// <summary>SELECT tid FROM charge WHERE reserve_id=? AND pay_cnt=? AND status='paid' — the cycle's known payment, or null.</summary>
        public string CyclePayment(string reserveId, string payCount)
        {
            lock (gate)
            {
                foreach (var row in rows.Values)
                    if (row.Status == "paid" && row.Tid != null && reserveId != null && row.ReserveId == reserveId && payCount != null && row.PayCount == payCount)
                        return row.Tid;
                return null;
            }
        }

        /// <summary>UPDATE charge SET status='charging', claimed_at=now() WHERE id=? AND status='pending' — true when 1 row changed.</summary>
        public bool TryClaim(string id)
        {
            lock (gate)
            {
                ChargeRow row;
                if (!rows.TryGetValue(id, out row) || row.Status != "pending") return false;
                row.Status = "charging";
                row.ClaimedAt = DateTime.UtcNow;
                return true;
            }
        }

        /// <summary>UPDATE … SET status='paid', tid=?, reserve_id=?, billkey=?, pay_cnt=? WHERE id=? AND status='charging'.</summary>
        public void MarkPaid(string id, string tid, string reserveId, string billKey, string payCount)
        {
            lock (gate)
            {
                var row = rows[id];
                if (row.Status != "charging") return;
                row.Status = "paid";
                row.Tid = tid;
                row.ReserveId = reserveId;
                row.BillKey = billKey;
                row.PayCount = payCount;
            }
        }

        /// <summary>UPDATE … SET status=? WHERE id=? AND status='charging'.</summary>
        public void Release(string id, string status)
        {
            lock (gate) { if (rows[id].Status == "charging") rows[id].Status = status; }
        }

        /// <summary>UPDATE … SET status=?, tid=? WHERE id=? AND status IN ('unknown','charging').</summary>
        public void Settle(string id, string status, string tid)
        {
            lock (gate)
            {
                var row = rows[id];
                if (row.Status != "unknown" && row.Status != "charging") return;
                row.Status = status;
                if (tid != null) row.Tid = tid;
            }
        }

        /// <summary>INSERT INTO noti_seen (dedup_key) — false on a duplicate key.</summary>
        public bool FirstTimeSeen(string dedupKey)
        {
            lock (gate) return seenNotis.Add(dedupKey);
        }

        /// <summary>
        /// A confirmed Noti's payment, in one transaction: INSERT INTO noti_seen (dedup_key) (a duplicate → "duplicate"),
        /// then the payment once per TID ("already" when our own call recorded it), its cycle label dropped when that
        /// cycle has another payment.
        /// </summary>
        public string RecordNoti(string dedupKey, string reserveId, string payCount, string tid, long amount)
        {
            lock (gate)
            {
                if (!seenNotis.Add(dedupKey)) return "duplicate";
                foreach (var row in rows.Values)
                {
                    if (row.Tid == tid) return "already";
                    if (row.Status == "paid" && row.ReserveId == reserveId && payCount != null && row.PayCount == payCount) payCount = null;
                }
                int n = ++sequence;
                rows["C" + n] = new ChargeRow
                {
                    Id = "C" + n, Kind = "noti", Amount = amount, ReserveId = reserveId, PayCount = payCount, Tid = tid, Status = "paid",
                    ClaimedAt = DateTime.UtcNow,
                };
                return "recorded";
            }
        }

        /// <summary>SELECT … FROM charge WHERE kind='signup' AND tag=? (the sign-up's ORDERNO, sent as ETC2) — null when none.</summary>
        public ChargeRow SignUpByTag(string tag)
        {
            lock (gate)
            {
                foreach (var row in rows.Values)
                    if (row.Kind == "signup" && tag != null && row.Tag == tag) return Get(row.Id);
                return null;
            }
        }

        /// <summary>SELECT id FROM charge WHERE kind='noti' AND tid=? AND recorded_at >= ? — a payment its Noti recorded since then.</summary>
        public bool RecordedFromNotiSince(string tid, DateTime since)
        {
            lock (gate)
            {
                foreach (var row in rows.Values)
                    if (row.Kind == "noti" && row.Tid == tid && row.ClaimedAt >= since) return true;
                return false;
            }
        }

        /// <summary>UPDATE … SET billkey=NULL WHERE id=? — the key is deleted at CookiePay.</summary>
        public void ForgetBillKey(string id)
        {
            lock (gate) rows[id].BillKey = null;
        }

        public bool HasTid(string tid)
        {
            lock (gate)
            {
                foreach (var row in rows.Values) if (row.Tid == tid) return true;
                return false;
            }
        }

        public ChargeRow Get(string id)
        {
            lock (gate)
            {
                var row = rows[id];
                return new ChargeRow
                {
                    Id = row.Id, Kind = row.Kind, Mode = row.Mode, OrderNo = row.OrderNo, Tag = row.Tag, Amount = row.Amount, ReserveId = row.ReserveId,
                    BillKey = row.BillKey, PayCount = row.PayCount, Status = row.Status, Tid = row.Tid, ClaimedAt = row.ClaimedAt,
                };
            }
        }

        /// <summary>How many rows are in a status (for the demo's narration).</summary>
        public int Count(string kind, string status)
        {
            lock (gate)
            {
                int n = 0;
                foreach (var row in rows.Values) if (row.Kind == kind && row.Status == status) n++;
                return n;
            }
        }
    }
}
