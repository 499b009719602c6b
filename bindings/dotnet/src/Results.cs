// The data of a successful call. Fields are exposed by the names CookiePay uses (result["TID"]), with
// a few named properties for the ones every shop reads. Values are as received: strings, except the
// few the library itself adds (TOKEN expiry, flags).

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;

namespace CookiePay
{
    /// <summary>The <c>data</c> object of a successful call.</summary>
    // The debugger shows the same text as ToString(): field names, never values.
    [DebuggerDisplay("{DebuggerText,nq}")]
    public class CookiePayResult
    {
        /// <summary>Every field of <c>data</c>, parsed: string, long, double, bool, null,
        /// Dictionary&lt;string, object&gt; (a nested object) or List&lt;object&gt; (an array).</summary>
        public IReadOnlyDictionary<string, object> Data { get; private set; }

        /// <summary>The whole envelope the library returned, <c>{"ok":true,"data":{...}}</c>, as received.</summary>
        public string RawJson { get; private set; }

        internal CookiePayResult(IDictionary<string, object> data, string rawJson)
        {
            Data = new ReadOnlyDictionary<string, object>(data ?? new Dictionary<string, object>());
            RawJson = rawJson;
        }

        /// <summary>A field as text (numbers in invariant culture, nested values as JSON), or null when absent.</summary>
        public string this[string field]
        {
            get
            {
                object value;
                if (!Data.TryGetValue(field, out value) || value == null) return null;
                var s = value as string;
                if (s != null) return s;
                if (value is bool) return (bool)value ? "true" : "false";
                var formattable = value as IFormattable;
                if (formattable != null) return formattable.ToString(null, CultureInfo.InvariantCulture);
                return Json.Write(value);
            }
        }

        public bool Has(string field) { return Data.ContainsKey(field); }

        /// <summary>A field as parsed (see <see cref="Data"/>), or null when absent.</summary>
        public object GetValue(string field)
        {
            object value;
            return Data.TryGetValue(field, out value) ? value : null;
        }

        protected bool Flag(string field)
        {
            return GetValue(field) is bool && (bool)GetValue(field);
        }

        internal string DebuggerText { get { return ToString(); } }

        /// <summary>A field that may hold a JSON boolean or null: null when absent or not a boolean.</summary>
        protected bool? OptionalFlag(string field)
        {
            object value = GetValue(field);
            return value is bool ? (bool?)(bool)value : null;
        }

        public override string ToString()
        {
            // Field names only: values can include a TOKEN or a BILLKEY, which must not reach logs by accident.
            return GetType().Name + "(" + string.Join(", ", new List<string>(Data.Keys).ToArray()) + ")";
        }
    }

    /// <summary>A TOKEN for the API (the client fetches and caches one by itself; this is for diagnostics).</summary>
    public sealed class TokenResult : CookiePayResult
    {
        internal TokenResult(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        /// <summary>The TOKEN itself: a secret, never log it.</summary>
        public string Token { get { return this["TOKEN"]; } }
        /// <summary>Expiry in Unix seconds, as the library computed it.</summary>
        public long ExpiresAt { get { object v = GetValue("expires_at"); return v is long ? (long)v : 0; } }
        /// <summary>True when the TOKEN came from the client's cache.</summary>
        public bool Cached { get { return Flag("cached"); } }
    }

    /// <summary>The payment window to send to the buyer's browser.</summary>
    public sealed class ReadyResult : CookiePayResult
    {
        internal ReadyResult(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        public string Html { get { return this["html"]; } }
        public string OrderNo { get { return this["ORDERNO"]; } }
        public string Amount { get { return this["AMOUNT"]; } }
    }

    /// <summary>A payment, from decrypt, paycert or verify. Every other field: <c>payment["CARDNAME"]</c>.</summary>
    public sealed class Payment : CookiePayResult
    {
        internal Payment(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        public string ResultCode { get { return this["RESULTCODE"]; } }
        public string ResultMsg { get { return this["RESULTMSG"]; } }
        public string OrderNo { get { return this["ORDERNO"]; } }
        public string Amount { get { return this["AMOUNT"]; } }
        public string Tid { get { return this["TID"]; } }
        public string AcceptNo { get { return this["ACCEPTNO"]; } }
        public string AcceptDate { get { return this["ACCEPTDATE"]; } }
        /// <summary>The billing key for later 정기결제 charges (decrypt only).</summary>
        public string BillKey { get { return this["BILLKEY"]; } }
        public string CancelDate { get { return this["CANCELDATE"]; } }
        /// <summary>For a recurring charge: the schedule it belongs to.</summary>
        public string ReserveId { get { return this["RESERVE_ID"]; } }
        /// <summary>For a recurring charge: which charge of the schedule this is (PAY_CNT, "1" is the sign-up charge).</summary>
        public string PayCount { get { return this["PAY_CNT"]; } }
        /// <summary>For a recurring charge: the next scheduled date, YYYY-MM-DD.</summary>
        public string NextPayDate { get { return this["NEXT_PAY_DATE"]; } }
    }

    /// <summary>The form CookiePay made the browser POST to RETURNURL.</summary>
    public sealed class ReturnPost : CookiePayResult
    {
        internal ReturnPost(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        /// <summary>True when the post carries ENC_DATA (to be passed to Decrypt).</summary>
        public bool Encrypted { get { return Flag("encrypted"); } }
        /// <summary>True when the posted RESULTCODE is 0000. The post comes from the buyer's browser: this
        /// proves nothing. Only what Decrypt and Verify/Paycert return may change an order.</summary>
        public bool Success { get { return Flag("success"); } }
        public string ApiId { get { return this["API_ID"]; } }
        public string ResultCode { get { return this["RESULTCODE"]; } }
        public string ResultMsg { get { return this["RESULTMSG"]; } }
        public string EncData { get { return this["ENC_DATA"]; } }
    }

    /// <summary>
    /// A billing key issued with <see cref="CookiePayClient.Billkeygen"/>: the first charge was made
    /// (<see cref="Charged"/> is always true here) and, when a schedule was asked for, whether CookiePay
    /// registered it (<see cref="Scheduled"/>).
    /// </summary>
    public sealed class BillkeyResult : CookiePayResult
    {
        internal BillkeyResult(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        /// <summary>The billing key: store it (like a password) to charge or delete later.</summary>
        public string BillKey { get { return this["BILLKEY"]; } }
        /// <summary>The TID of the first charge.</summary>
        public string Tid { get { return this["TID"]; } }
        public string OrderNo { get { return this["ORDERNO"]; } }
        public string Amount { get { return this["AMOUNT"]; } }
        public string ResultCode { get { return this["RESULTCODE"]; } }
        public string ResultMsg { get { return this["RESULTMSG"]; } }
        public string AcceptNo { get { return this["ACCEPTNO"]; } }
        public string AcceptDate { get { return this["ACCEPTDATE"]; } }
        /// <summary>When the billing key was made, YYYYMMDDHHMMSS.</summary>
        public string GenDate { get { return this["GENDATE"]; } }
        /// <summary>True: the card was charged. (A decline is a <see cref="CookiePayApiException"/>, never a result.)</summary>
        public bool Charged { get { return Flag("charged"); } }
        /// <summary>
        /// true: the schedule is registered (<see cref="ReserveId"/>); false: the card WAS charged but the
        /// schedule failed (<see cref="ReserveResultCode"/>, <see cref="ReserveResultMsg"/>) — do not charge
        /// again, keep the billing key and fix the schedule; null: no schedule was asked for.
        /// </summary>
        public bool? Scheduled { get { return OptionalFlag("scheduled"); } }
        /// <summary>The schedule's id, for <see cref="CookiePayClient.RecurringCharge"/> and <see cref="CookiePayClient.ScheduleCancel"/>.</summary>
        public string ReserveId { get { return this["RESERVE_ID"]; } }
        public string ReserveOrderNo { get { return this["RESERVE_ORDERNO"]; } }
        public string ReserveResultCode { get { return this["RESERVE_RESULTCODE"]; } }
        public string ReserveResultMsg { get { return this["RESERVE_RESULTMSG"]; } }
        /// <summary>The next scheduled charge, YYYY-MM-DD.</summary>
        public string ReserveNextPayDate { get { return this["RESERVE_NEXT_PAY_DATE"]; } }
    }

    /// <summary>A recurring schedule ended by <see cref="CookiePayClient.ScheduleCancel"/>.</summary>
    public sealed class ScheduleCancelResult : CookiePayResult
    {
        internal ScheduleCancelResult(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        public string ResultCode { get { return this["RESULTCODE"]; } }
        public string ResultMsg { get { return this["RESULTMSG"]; } }
        /// <summary>True when the schedule had been cancelled before (CookiePay's E103): the schedule is
        /// ended either way.</summary>
        public bool AlreadyCancelled { get { return Flag("already_cancelled"); } }
        /// <summary>With <see cref="AlreadyCancelled"/>: when, "YYYY-MM-DD HH:MM:SS" as CookiePay said it; else null.</summary>
        public string CancelledAt { get { return this["cancelled_at"]; } }
    }

    /// <summary>A billing key deleted by <see cref="CookiePayClient.BillkeyDelete"/>: CookiePay's answer.</summary>
    public sealed class BillkeyDeleteResult : CookiePayResult
    {
        internal BillkeyDeleteResult(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        public string ResultCode { get { return this["RESULTCODE"]; } }
        public string ResultMsg { get { return this["RESULTMSG"]; } }
    }

    /// <summary>A payment cancelled (refunded) in full or in part by <see cref="CookiePayClient.Cancel"/>.</summary>
    public sealed class CancelResult : CookiePayResult
    {
        internal CancelResult(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        /// <summary>The TID of the cancellation.</summary>
        public string CancelTid { get { return this["cancel_tid"]; } }
        public string CancelCode { get { return this["cancel_code"]; } }
        public string CancelMsg { get { return this["cancel_msg"]; } }
        public string CancelDate { get { return this["cancel_date"]; } }
        /// <summary>The amount refunded by this call, as CookiePay wrote it.</summary>
        public string CancelAmount { get { return this["cancel_amt"]; } }
        /// <summary>True when CookiePay said the payment was already cancelled ("이미 취소" / "원거래 기취소"):
        /// nothing more was refunded by this call.</summary>
        public bool AlreadyCancelled { get { return Flag("already_cancelled"); } }
    }

    /// <summary>The payments <see cref="CookiePayClient.Paysearch(string)"/> found (none is an empty list, not an error).</summary>
    public sealed class PaysearchResult : CookiePayResult
    {
        internal PaysearchResult(IDictionary<string, object> data, string rawJson) : base(data, rawJson)
        {
            var rows = new List<Payment>();
            var list = Field.Get(data, "payments") as IList<object>;
            if (list != null)
            {
                foreach (object item in list)
                {
                    var row = item as IDictionary<string, object>;
                    // A row's RawJson is that row as JSON (the envelope holds them all).
                    if (row != null) rows.Add(new Payment(row, Json.Write(row)));
                }
            }
            Payments = rows.AsReadOnly();
        }

        /// <summary>Each payment found, with paycert's field names (TID, ORDERNO, AMOUNT, CANCELDATE, …).</summary>
        public IReadOnlyList<Payment> Payments { get; private set; }
        /// <summary>True when CookiePay found nothing (its E008).</summary>
        public bool IsEmpty { get { return Payments.Count == 0; } }
    }

    /// <summary>The answer to <see cref="CookiePayClient.Request"/>: the HTTP status and the body.</summary>
    public sealed class ApiResponse : CookiePayResult
    {
        internal ApiResponse(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        public int Status { get { object v = GetValue("status"); return v is long ? (int)(long)v : 0; } }
        /// <summary>The body: parsed JSON (Dictionary&lt;string, object&gt;, List&lt;object&gt;, …) when it was
        /// JSON, else the text.</summary>
        public object Body { get { return GetValue("body"); } }
        /// <summary>The body when it is a JSON object (e.g. <c>BodyObject["RESULTCODE"]</c>), else null.</summary>
        public IDictionary<string, object> BodyObject { get { return Body as IDictionary<string, object>; } }
        /// <summary>The body as text: JSON re-written when it was JSON.</summary>
        public string BodyText
        {
            get
            {
                object body = Body;
                return body == null ? null : body as string ?? Json.Write(body);
            }
        }
    }

    /// <summary>
    /// A 통지 (Noti) CookiePay POSTed to the shop, parsed by <see cref="CookiePayClient.ParseNoti(byte[])"/>.
    /// It is NOT authenticated: anyone can post one. Confirm with <see cref="CookiePayClient.Verify(string, string, long)"/>
    /// or <see cref="CookiePayClient.Paycert"/> before marking anything paid, and process each
    /// <see cref="DedupKey"/> once.
    /// </summary>
    public sealed class Noti : CookiePayResult
    {
        internal Noti(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        /// <summary>"payment", "recurring" or "cancel" (newer libraries may add kinds).</summary>
        public string Kind { get { return this["kind"]; } }
        public bool IsPayment { get { return Kind == "payment"; } }
        public bool IsRecurring { get { return Kind == "recurring"; } }
        public bool IsCancel { get { return Kind == "cancel"; } }
        /// <summary>Process a Noti once per key: CookiePay may send the same one again, and a recurring
        /// Noti may race with <see cref="CookiePayClient.RecurringCharge"/>.</summary>
        public string DedupKey { get { return this["dedup_key"]; } }
        public string Tid { get { return this["TID"]; } }
        public string OrderNo { get { return this["ORDERNO"]; } }
        public string Amount { get { return this["AMOUNT"]; } }
        public string ResultCode { get { return this["RESULTCODE"]; } }
        public string ResultMsg { get { return this["RESULTMSG"]; } }
        public string BillKey { get { return this["BILLKEY"]; } }
        public string ReserveId { get { return this["RESERVE_ID"]; } }
        public string ReserveOrderNo { get { return this["RESERVE_ORDERNO"]; } }
        public string PayCount { get { return this["PAY_CNT"]; } }
        public string NextPayDate { get { return this["NEXT_PAY_DATE"]; } }
    }

    /// <summary>
    /// A Noti turned into CookiePay's facts by <see cref="CookiePayClient.ConfirmNoti(string)"/>: the
    /// paycert payment of the Noti's TID — never a field of the Noti's body — with <see cref="Kind"/> and
    /// <see cref="DedupKey"/> computed from it. Every other paycert field: <c>confirmed["CARDNAME"]</c>.
    /// </summary>
    public sealed class ConfirmedNoti : CookiePayResult
    {
        internal ConfirmedNoti(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        /// <summary>"payment", or "cancel" when paycert shows the payment cancelled. paycert does not say
        /// which schedule a payment belongs to: a recurring charge is a "payment" here.</summary>
        public string Kind { get { return this["kind"]; } }
        public bool IsPayment { get { return Kind == "payment"; } }
        public bool IsCancel { get { return Kind == "cancel"; } }
        /// <summary>"payment:&lt;TID&gt;" or "cancel:&lt;TID&gt;:&lt;CANCELDATE&gt;", from paycert's fields: claim it
        /// (unique) after this call returned, then act once.</summary>
        public string DedupKey { get { return this["dedup_key"]; } }
        public string ResultCode { get { return this["RESULTCODE"]; } }
        public string Tid { get { return this["TID"]; } }
        public string OrderNo { get { return this["ORDERNO"]; } }
        public string Amount { get { return this["AMOUNT"]; } }
        public string AcceptNo { get { return this["ACCEPTNO"]; } }
        public string AcceptDate { get { return this["ACCEPTDATE"]; } }
        public string CancelDate { get { return this["CANCELDATE"]; } }
    }
}
