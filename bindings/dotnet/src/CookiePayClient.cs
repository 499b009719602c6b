// The glue between .NET and libcookiepay's C ABI (include/cookiepay.h). Everything a call does —
// checks, HTTP, retries, TOKEN caching, verification — happens in the library; this file only turns
// .NET values into UTF-8 JSON, calls the function and turns the envelope back into a result or an
// exception.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

// The NUnit suite (tests/) checks the JSON reader and the error mapping directly.
[assembly: InternalsVisibleTo("CookiePay.Tests")]

namespace CookiePay
{
    /// <summary>
    /// A CookiePay client for one credential pair. Create one per merchant at start-up and share it:
    /// every method is safe to call from any number of threads at once (it keeps a connection pool and
    /// the TOKEN). Dispose it at shutdown.
    /// </summary>
    public sealed class CookiePayClient : IDisposable
    {
        private readonly ClientHandle handle;
        private readonly Action<IDictionary<string, object>> logger;
        // SafeHandle only counts as closed once no call holds it, so with calls overlapping without pause
        // new calls could keep starting after Dispose; this flag refuses them at once.
        private int disposed;

        /// <summary>Create a client; nothing connects yet.</summary>
        /// <exception cref="CookiePayValidationException">A setting is missing or out of range.</exception>
        public CookiePayClient(CookiePayOptions options)
            : this(options == null ? null : options.ToConfig(), options == null ? null : options.Logger)
        {
        }

        /// <summary>Create a client from config keys as the C API names them (env, base_url, api_id, …),
        /// for keys newer than this binding.</summary>
        public CookiePayClient(IDictionary<string, object> config)
            : this(config, null)
        {
        }

        private CookiePayClient(IDictionary<string, object> config, Action<IDictionary<string, object>> logger)
        {
            if (config == null) throw new ArgumentNullException("config");
            NativeLoader.EnsureLoaded(); // not in a static initializer: a failed load can be retried (src/NativeLoader.cs)
            var withBinding = new Dictionary<string, object>(config, StringComparer.Ordinal);
            if (!withBinding.ContainsKey("binding")) withBinding["binding"] = BindingName;
            IntPtr error;
            this.logger = logger;
            handle = NewClient(ToUtf8(Json.Write(withBinding)), logger != null, out error);
            if (handle.IsInvalid)
            {
                handle.Dispose();
                string envelope = TakeString(error);
                throw ToException(Json.Parse(envelope) as IDictionary<string, object>, envelope);
            }
        }

        /// <summary>The version of the loaded libcookiepay, e.g. "0.1.0".</summary>
        public static string LibraryVersion
        {
            get { NativeLoader.EnsureLoaded(); return LoadedVersion(); }
        }

        // Calls into the library sit in methods of their own, never inlined, called once EnsureLoaded()
        // succeeded: Mono builds a DllImport's stub when it compiles the calling method, and keeps a stub
        // that failed for the life of the process.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ClientHandle NewClient(byte[] configJson, bool observed, out IntPtr error)
        {
            return observed
                ? NativeMethods.cookiepay_client_new_observed(configJson, ExchangeLog.Callback, IntPtr.Zero, out error)
                : NativeMethods.cookiepay_client_new(configJson, out error);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string LoadedVersion()
        {
            return CopyUtf8(NativeMethods.cookiepay_version());
        }

        /// <summary>What this binding reports in the User-Agent: "dotnet/" and the runtime, e.g. "dotnet/Mono-6.8.0.105".</summary>
        public static string BindingName
        {
            get
            {
                // A short, readable name (the core would also clean any text); RuntimeInformation gives e.g.
                // ".NET 8.0.1", ".NET Framework 4.8.9181.0" or "Mono 6.8.0.105 (Debian …)".
                string runtime = RuntimeInformation.FrameworkDescription ?? Environment.Version.ToString();
                int paren = runtime.IndexOf('(');
                if (paren > 0) runtime = runtime.Substring(0, paren);
                var sb = new StringBuilder("dotnet/");
                foreach (char c in runtime.Trim())
                {
                    if (sb.Length >= 60) break;
                    sb.Append(c > ' ' && c < 0x7f ? c : '-');
                }
                return sb.ToString();
            }
        }

        /// <summary>A TOKEN (normally unnecessary: every call fetches and caches one). Never log it.</summary>
        public TokenResult Token(bool forceRefresh = false)
        {
            var request = new Dictionary<string, object>();
            if (forceRefresh) request["force_refresh"] = true;
            var data = Call(TokenFunction, request, out string raw);
            return new TokenResult(data, raw);
        }

        /// <summary>Open the payment window for an order: ORDERNO, PRODUCTNAME, AMOUNT, BUYERNAME, RETURNURL,
        /// and the manual's optional fields. Sent exactly once (never retried).</summary>
        /// <exception cref="CookiePayValidationException">The order breaks the manual's rules (all problems listed).</exception>
        /// <exception cref="CookiePayTimeoutException">Check <c>OutcomeUnknown</c>: look the order up before retrying.</exception>
        public ReadyResult Ready(IDictionary<string, object> order)
        {
            var data = Call(ReadyFunction, order, out string raw);
            return new ReadyResult(data, raw);
        }

        /// <summary>Decrypt the ENC_DATA of a return post into the payment, with TID and BILLKEY.</summary>
        /// <exception cref="CookiePayApiException">Layer "inner": the payment itself failed (e.g. declined).</exception>
        public Payment Decrypt(string encData)
        {
            var data = Call(DecryptFunction, new Dictionary<string, object> { { "ENC_DATA", encData } }, out string raw);
            return new Payment(data, raw);
        }

        /// <summary>Look a payment up by TID (결제정보 검증 without comparing; see <see cref="Verify(string, string, long)"/>).</summary>
        public Payment Paycert(string tid)
        {
            var data = Call(PaycertFunction, new Dictionary<string, object> { { "tid", tid } }, out string raw);
            return new Payment(data, raw);
        }

        /// <summary>결제정보 검증: the payment must match the stored order number and amount, and not be cancelled.</summary>
        /// <exception cref="CookiePayVerificationException">It does not: do not ship.</exception>
        public Payment Verify(string tid, string expectedOrderNo, long expectedAmount)
        {
            var expected = new Dictionary<string, object> { { "ORDERNO", expectedOrderNo }, { "AMOUNT", expectedAmount } };
            return Verify(tid, expected);
        }

        /// <summary>Verify a payment against every field of <paramref name="expected"/> (AMOUNT compared as a number).</summary>
        public Payment Verify(string tid, IDictionary<string, object> expected)
        {
            var request = new Dictionary<string, object> { { "tid", tid }, { "expected", expected } };
            var data = Call(VerifyFunction, request, out string raw);
            return new Payment(data, raw);
        }

        // ---- subscriptions (정기결제 비인증: billing key, schedule, charges, refunds) ----

        /// <summary>
        /// 빌링키 발급: issue a billing key from card data and make the first charge, optionally registering a
        /// recurring schedule in the same call. Money call: sent exactly once, never retried, with a fresh TOKEN.
        /// </summary>
        /// <param name="request">The order fields (<c>ORDERNO</c> new and unique, <c>PRODUCTNAME</c>,
        /// <c>AMOUNT</c>, <c>BUYERNAME</c>, optional <c>BUYEREMAIL</c>, <c>BUYERID</c>, <c>BUYERADDRESS</c>,
        /// <c>BUYERPHONE</c>, <c>PRODUCTCODE</c>, <c>ETC1</c>–<c>ETC5</c>; no RETURNURL), the card
        /// (<c>CARDNO</c>, <c>EXPIREDT</c> YYMM, <c>CARDAUTH</c> 6-digit birth date or 10-digit business
        /// number, <c>CARDPWD</c> first 2 digits, <c>QUOTA</c> "00"…) and, for a schedule,
        /// <c>RECURRENCE_PAY</c> "Y", <c>RECURRENCE_TYPE</c> "M"/"W", <c>PAY_DAY</c>, <c>START_PAY_CNT</c>,
        /// <c>LAST_PAY_CNT</c>. <c>API_ID</c> is filled in. Card values never appear in what this binding
        /// returns or throws.</param>
        /// <returns>The billing key, the first charge's TID, and <see cref="BillkeyResult.Scheduled"/>:
        /// false means charged but NOT scheduled — do not charge again.</returns>
        /// <exception cref="CookiePayValidationException">A card or order field is wrong (Luhn, past expiry,
        /// CARDAUTH not 6 or 10 digits, CARDPWD not 2 digits, …): every bad field is listed and nothing was sent.</exception>
        /// <exception cref="CookiePayApiException">Declined: <c>Code</c> says why (e.g. C001).</exception>
        /// <exception cref="CookiePayException">With <see cref="CookiePayException.OutcomeUnknown"/>: the card
        /// may have been charged; look the order up (Paysearch by date) before trying again.</exception>
        public BillkeyResult Billkeygen(IDictionary<string, object> request)
        {
            var data = Call(BillkeygenFunction, request, out string raw);
            return new BillkeyResult(data, raw);
        }

        /// <summary>
        /// 반복결제 즉시결제: charge a registered schedule now (e.g. retry a declined cycle). Money call: sent
        /// exactly once, never retried, with a fresh TOKEN.
        /// </summary>
        /// <returns>The decrypted payment: <c>Tid</c>, <c>OrderNo</c> (made by CookiePay, "SRS…"),
        /// <c>Amount</c>, <c>PayCount</c>, <c>NextPayDate</c>.</returns>
        /// <exception cref="CookiePayApiException">Declined (<c>Layer</c> "inner", <c>Code</c> e.g. C001), or
        /// <c>Code</c> "E103" when the schedule was cancelled.</exception>
        /// <exception cref="CookiePayException">With <see cref="CookiePayException.OutcomeUnknown"/>: the card
        /// may have been charged; settle with Paysearch before trying again, never charge blindly.</exception>
        public Payment RecurringCharge(string reserveId, string billkey)
        {
            var request = new Dictionary<string, object> { { "RESERVE_ID", reserveId }, { "BILLKEY", billkey } };
            var data = Call(RecurringChargeFunction, request, out string raw);
            return new Payment(data, raw);
        }

        /// <summary>반복결제 해지: end a recurring schedule. A schedule already cancelled is not an error:
        /// <see cref="ScheduleCancelResult.AlreadyCancelled"/> is true and <c>CancelledAt</c> says when.
        /// Sent once (never retried): on an unknown outcome send it again; AlreadyCancelled says whether the
        /// lost one had cancelled it.</summary>
        public ScheduleCancelResult ScheduleCancel(string reserveId)
        {
            var data = Call(ScheduleCancelFunction, new Dictionary<string, object> { { "RESERVE_ID", reserveId } }, out string raw);
            return new ScheduleCancelResult(data, raw);
        }

        /// <summary>빌링키 폐기: delete a billing key. To end a subscription call <see cref="ScheduleCancel"/>
        /// too: whether deleting the key stops its schedule is not documented. Sent once (never retried): on
        /// an unknown outcome check the key in CookiePay's dashboard (no public answer tells); an "already
        /// disposed" answer is a CookiePayApiException whose Hint says it was disposed of before.</summary>
        public BillkeyDeleteResult BillkeyDelete(string billkey)
        {
            var data = Call(BillkeyDeleteFunction, new Dictionary<string, object> { { "BILLKEY", billkey } }, out string raw);
            return new BillkeyDeleteResult(data, raw);
        }

        /// <summary>
        /// 결제취소: refund a payment in full, or in part with <paramref name="amount"/>. Use the client of the
        /// credential pair that made the payment. Money call: sent exactly once, never retried. On an unknown
        /// outcome the message says what settles it: a full refund, Paycert (CANCELDATE is set when it went
        /// through); a partial one, CookiePay's dashboard (no lookup shows it) — never resend it blindly.
        /// </summary>
        /// <param name="tid">The payment's TID.</param>
        /// <param name="reason">취소사유, e.g. "고객요청".</param>
        /// <param name="amount">The amount to refund; null refunds what is left in full.</param>
        /// <param name="bank">Refund account (virtual-account payments): bank.</param>
        /// <param name="accountNo">Refund account number.</param>
        /// <param name="accountName">Refund account holder.</param>
        /// <returns><see cref="CancelResult.AlreadyCancelled"/> true when CookiePay said it was cancelled
        /// before ("이미 취소" / "원거래 기취소"): nothing more was refunded.</returns>
        /// <exception cref="CookiePayApiException"><c>Code</c> "9029": the payment is settled and needs 입금후
        /// 취소 (cancel after deposit, KiwoomPay); other codes e.g. for more than is left.</exception>
        /// <exception cref="CookiePayException">With <see cref="CookiePayException.OutcomeUnknown"/>: the refund
        /// may have happened; check with Paysearch / Paycert (CANCELDATE) before trying again.</exception>
        public CancelResult Cancel(string tid, string reason, long? amount = null,
            string bank = null, string accountNo = null, string accountName = null)
        {
            var request = new Dictionary<string, object> { { "tid", tid }, { "reason", reason } };
            if (amount.HasValue) request["amount"] = amount.Value;
            if (bank != null) request["bank"] = bank;
            if (accountNo != null) request["account_no"] = accountNo;
            if (accountName != null) request["account_name"] = accountName;
            var data = Call(CancelFunction, request, out string raw);
            return new CancelResult(data, raw);
        }

        /// <summary>결제내역 조회 by TID: how CookiePay sees one payment (e.g. to settle an unknown outcome).
        /// Nothing found is an empty list, not an error. Read-only: retried on connection errors.</summary>
        public PaysearchResult Paysearch(string tid)
        {
            var data = Call(PaysearchFunction, new Dictionary<string, object> { { "tid", tid } }, out string raw);
            return new PaysearchResult(data, raw);
        }

        /// <summary>결제내역 조회 by date range (inclusive; the dates' calendar days, Korean time as CookiePay
        /// keeps it). Nothing found is an empty list, not an error.</summary>
        public PaysearchResult Paysearch(DateTime from, DateTime to)
        {
            var request = new Dictionary<string, object>
            {
                { "from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
                { "to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            };
            var data = Call(PaysearchFunction, request, out string raw);
            return new PaysearchResult(data, raw);
        }

        /// <summary>The address of a payment's receipt (전표) page, to open in the buyer's browser (no network).</summary>
        public string ReceiptUrl(string tid)
        {
            var data = Call(ReceiptUrlFunction, new Dictionary<string, object> { { "tid", tid } }, out string raw);
            return Field.Str(data, "url");
        }

        /// <summary>
        /// The escape hatch: POST <paramref name="body"/> as JSON to a CookiePay path this binding does not
        /// wrap yet, with the headers named in <paramref name="auth"/> ("api_key" for ApiKey, "token" for a
        /// TOKEN the client fetches). Never retried (it may move money).
        /// </summary>
        /// <param name="path">e.g. "/api/paylist".</param>
        /// <param name="body">Anything JSON can hold: a dictionary, a list, strings, numbers, … (null: no body key).</param>
        /// <param name="auth">Any of "api_key", "token"; none given: no authentication header.</param>
        /// <returns>The HTTP status and the body (parsed when it was JSON). A non-success RESULTCODE is not
        /// an exception here: read it from <see cref="ApiResponse.BodyObject"/>.</returns>
        public ApiResponse Request(string path, object body, params string[] auth)
        {
            var request = new Dictionary<string, object> { { "path", path } };
            if (body != null) request["body"] = body;
            if (auth != null && auth.Length > 0) request["auth"] = auth;
            var data = Call(RequestFunction, request, out string raw);
            return new ApiResponse(data, raw);
        }

        /// <summary>
        /// Parse the JSON body CookiePay POSTs to the shop's 통지 (Noti) URL (no network). A Noti is not
        /// authenticated: every field here is the poster's claim. Act on <see cref="ConfirmNoti(string)"/>,
        /// which returns CookiePay's own answer instead.
        /// </summary>
        public static Noti ParseNoti(string body)
        {
            NativeLoader.EnsureLoaded();
            return ParseNotiTerminated(body == null ? null : ToUtf8(body));
        }

        /// <summary>Parse the raw bytes of a Noti, e.g. read from Request.InputStream / Request.Body.</summary>
        public static Noti ParseNoti(byte[] body)
        {
            NativeLoader.EnsureLoaded();
            return ParseNotiTerminated(Terminate(body));
        }

        /// <summary>
        /// Turn a Noti into CookiePay's facts (one read, retried like Paycert): the Noti's TID is looked up
        /// with paycert and only paycert's answer comes back — never a field of the body, so a forged
        /// AMOUNT or ORDERNO cannot reach the shop — with <see cref="ConfirmedNoti.Kind"/> and
        /// <see cref="ConfirmedNoti.DedupKey"/> computed from it. Claim the key after this returns.
        /// </summary>
        /// <param name="body">The raw Noti body as received.</param>
        /// <exception cref="CookiePayNotiNotConfirmedException">CookiePay does not back it (Reason: no_tid,
        /// invalid_tid, unknown_tid, mismatch, not_cancelled): act on nothing in it.</exception>
        /// <exception cref="CookiePayNetworkException">Or an api (no TOKEN), timeout, http or decode error: paycert
        /// could not be asked, the Noti is neither confirmed nor refuted (answer so it is sent again).</exception>
        public ConfirmedNoti ConfirmNoti(string body)
        {
            var data = Call(ConfirmNotiFunction, new Dictionary<string, object> { { "body", body } }, out string raw);
            return new ConfirmedNoti(data, raw);
        }

        /// <summary><see cref="ConfirmNoti(string)"/> of the raw bytes, e.g. read from Request.InputStream;
        /// bytes that are not UTF-8 are refused (<see cref="CookiePayInvalidArgumentException"/>).</summary>
        public ConfirmedNoti ConfirmNoti(byte[] body)
        {
            string text = null;
            try { if (body != null) text = StrictUtf8.GetString(body); }
            catch (DecoderFallbackException) { throw CookiePayException.Local("invalid_argument", "the Noti body is not valid UTF-8"); }
            return ConfirmNoti(text);
        }

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        [MethodImpl(MethodImplOptions.NoInlining)] // see NewClient
        private static Noti ParseNotiTerminated(byte[] nulTerminatedBody)
        {
            string envelope = TakeString(NativeMethods.cookiepay_parse_noti(nulTerminatedBody));
            var data = Unwrap(envelope);
            return new Noti(data, envelope);
        }

        /// <summary>
        /// Parse the raw body CookiePay made the browser POST to RETURNURL (no network). The post comes
        /// from the buyer's browser: <see cref="ReturnPost.Success"/> proves nothing, only Decrypt and
        /// Verify/Paycert may change an order. A post naming <c>success</c> or <c>encrypted</c> itself, a
        /// NUL character and a body over 64 KiB are refused (<see cref="CookiePayInvalidArgumentException"/>).
        /// </summary>
        public static ReturnPost ParseReturn(string rawBody)
        {
            NativeLoader.EnsureLoaded();
            return ParseBytes(rawBody == null ? null : Encoding.UTF8.GetBytes(rawBody));
        }

        /// <summary>Parse the raw bytes of the RETURNURL post, e.g. read from Request.Body / InputStream.</summary>
        public static ReturnPost ParseReturn(byte[] rawBody)
        {
            NativeLoader.EnsureLoaded();
            return ParseBytes(rawBody);
        }

        // Every byte with its length: the core refuses a NUL byte (no silent cut at the first one).
        [MethodImpl(MethodImplOptions.NoInlining)] // see NewClient
        private static ReturnPost ParseBytes(byte[] body)
        {
            IntPtr owned = body == null
                ? NativeMethods.cookiepay_parse_return_len(null, UIntPtr.Zero)
                : NativeMethods.cookiepay_parse_return_len(body, new UIntPtr((uint)body.Length));
            string envelope = TakeString(owned);
            var data = Unwrap(envelope);
            return new ReturnPost(data, envelope);
        }

        /// <summary>A copy with a NUL at the end (the C functions take NUL-terminated text); null stays null.</summary>
        private static byte[] Terminate(byte[] body)
        {
            if (body == null) return null;
            var terminated = new byte[body.Length + 1];
            Buffer.BlockCopy(body, 0, terminated, 0, body.Length);
            return terminated;
        }

        /// <summary>Release the client. Calls still running finish first; later calls throw ObjectDisposedException.</summary>
        public void Dispose()
        {
            Interlocked.Exchange(ref disposed, 1);
            handle.Dispose();
        }

        // ---- marshalling ----

        private delegate IntPtr NativeCall(ClientHandle client, byte[] requestJson);

        // Cached delegates: one allocation per process instead of one per call.
        private static readonly NativeCall TokenFunction = NativeMethods.cookiepay_token;
        private static readonly NativeCall ReadyFunction = NativeMethods.cookiepay_ready;
        private static readonly NativeCall DecryptFunction = NativeMethods.cookiepay_decrypt;
        private static readonly NativeCall PaycertFunction = NativeMethods.cookiepay_paycert;
        private static readonly NativeCall VerifyFunction = NativeMethods.cookiepay_verify;
        private static readonly NativeCall BillkeygenFunction = NativeMethods.cookiepay_billkeygen;
        private static readonly NativeCall RecurringChargeFunction = NativeMethods.cookiepay_recurring_charge;
        private static readonly NativeCall ScheduleCancelFunction = NativeMethods.cookiepay_schedule_cancel;
        private static readonly NativeCall BillkeyDeleteFunction = NativeMethods.cookiepay_billkey_delete;
        private static readonly NativeCall CancelFunction = NativeMethods.cookiepay_cancel;
        private static readonly NativeCall PaysearchFunction = NativeMethods.cookiepay_paysearch;
        private static readonly NativeCall ReceiptUrlFunction = NativeMethods.cookiepay_receipt_url;
        private static readonly NativeCall RequestFunction = NativeMethods.cookiepay_request;
        private static readonly NativeCall ConfirmNotiFunction = NativeMethods.cookiepay_confirm_noti;

        private IDictionary<string, object> Call(NativeCall function, object request, out string envelope)
        {
            if (Volatile.Read(ref disposed) != 0) throw new ObjectDisposedException(typeof(CookiePayClient).FullName);
            byte[] json = ToUtf8(Json.Write(request));
            // The SafeHandle parameter keeps the client alive for the call even if another thread disposes it.
            try
            {
                envelope = TakeString(function(handle, json));
            }
            finally
            {
                if (logger != null) ExchangeLog.Deliver(logger);
            }
            return Unwrap(envelope);
        }

        /// <summary>The <c>data</c> of an ok envelope, or the exception of an error envelope. Card data
        /// never reaches here: the core masks it in answers and scrubs it from errors (for every binding).</summary>
        internal static IDictionary<string, object> Unwrap(string envelope)
        {
            var parsed = Json.Parse(envelope) as IDictionary<string, object>;
            if (parsed != null && Field.Get(parsed, "ok") is bool && (bool)parsed["ok"])
                return Field.Get(parsed, "data") as IDictionary<string, object> ?? new Dictionary<string, object>();
            throw ToException(parsed, envelope);
        }

        private static CookiePayException ToException(IDictionary<string, object> parsed, string envelope)
        {
            var error = Field.Get(parsed, "error") as IDictionary<string, object>;
            return CookiePayException.FromError(error ?? new Dictionary<string, object>(), envelope);
        }

        /// <summary>NUL-terminated UTF-8, whatever the process's ANSI code page (CP949 on Korean Windows).</summary>
        private static byte[] ToUtf8(string text)
        {
            int length = Encoding.UTF8.GetByteCount(text);
            var bytes = new byte[length + 1];
            Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0);
            return bytes;
        }

        /// <summary>Copy a string the library returned, then give it back to the library's allocator.</summary>
        private static string TakeString(IntPtr owned)
        {
            if (owned == IntPtr.Zero) throw new OutOfMemoryException("libcookiepay returned NULL (out of memory)");
            try
            {
                return CopyUtf8(owned);
            }
            finally
            {
                NativeMethods.cookiepay_string_free(owned);
            }
        }

        // Marshal.PtrToStringUTF8 is missing from netstandard2.0 and .NET Framework, hence the copy by hand.
        private static string CopyUtf8(IntPtr text)
        {
            int length = Strlen(text);
            var bytes = new byte[length];
            Marshal.Copy(text, bytes, 0, length);
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>The length of a NUL-terminated string, 8 bytes per read (without unsafe code): a read
        /// per byte cost more than the rest of a parse_return. Byte reads up to an 8-byte boundary, then
        /// aligned 8-byte reads: an aligned read never crosses into the next page, so reading the word
        /// that holds the NUL is safe, as in every C strlen.</summary>
        internal static int Strlen(IntPtr text)
        {
            long address = text.ToInt64();
            int length = 0;
            while (((address + length) & 7) != 0)
            {
                if (Marshal.ReadByte(text, length) == 0) return length;
                length++;
            }
            while (true)
            {
                long word = Marshal.ReadInt64(text, length);
                // Has the word a zero byte? (the classic bit trick: exact for "any zero byte")
                if (((word - 0x0101010101010101L) & ~word & unchecked((long)0x8080808080808080UL)) != 0)
                {
                    while (Marshal.ReadByte(text, length) != 0) length++;
                    return length;
                }
                length += 8;
            }
        }
    }
}
