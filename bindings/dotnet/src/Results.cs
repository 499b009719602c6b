// The data of a successful call. Fields are exposed by the names CookiePay uses (result["TID"]), with
// a few named properties for the ones every shop reads. Values are as received: strings, except the
// few the library itself adds (TOKEN expiry, flags).

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;

namespace CookiePay
{
    /// <summary>The <c>data</c> object of a successful call.</summary>
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
    }

    /// <summary>The form CookiePay made the browser POST to RETURNURL.</summary>
    public sealed class ReturnPost : CookiePayResult
    {
        internal ReturnPost(IDictionary<string, object> data, string rawJson) : base(data, rawJson) { }

        /// <summary>True when the post carries ENC_DATA (to be passed to Decrypt).</summary>
        public bool Encrypted { get { return Flag("encrypted"); } }
        /// <summary>True when RESULTCODE says the payment window succeeded.</summary>
        public bool Success { get { return Flag("success"); } }
        public string ApiId { get { return this["API_ID"]; } }
        public string ResultCode { get { return this["RESULTCODE"]; } }
        public string ResultMsg { get { return this["RESULTMSG"]; } }
        public string EncData { get { return this["ENC_DATA"]; } }
    }
}
