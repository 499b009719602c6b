// The glue between .NET and libcookiepay's C ABI (include/cookiepay.h). Everything a call does —
// checks, HTTP, retries, TOKEN caching, verification — happens in the library; this file only turns
// .NET values into UTF-8 JSON, calls the function and turns the envelope back into a result or an
// exception.

using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Microsoft.Win32.SafeHandles;

// The NUnit suite (tests/) checks the JSON reader and the error mapping directly.
[assembly: InternalsVisibleTo("CookiePay.Tests")]

namespace CookiePay
{
    /// <summary>Settings of a client (README "Config"). Unset properties take the library's defaults.</summary>
    public sealed class CookiePayOptions
    {
        /// <summary>"sandbox" or "live".</summary>
        public string Env { get; set; }
        /// <summary>Instead of / overriding Env, e.g. a local cookiepay-sandbox.</summary>
        public string BaseUrl { get; set; }
        /// <summary>The 연동 id of one credential pair.</summary>
        public string ApiId { get; set; }
        /// <summary>The 연동 key: a secret, never logged by the library.</summary>
        public string ApiKey { get; set; }
        public int? ConnectTimeoutMs { get; set; }
        public int? TimeoutMs { get; set; }
        /// <summary>An extra trust anchor (PEM), e.g. a TLS-inspecting proxy's CA.</summary>
        public string CaCertPem { get; set; }
        public int? MaxRetries { get; set; }
        public int? RetryBaseDelayMs { get; set; }
        public int? RetryMaxDelayMs { get; set; }
        /// <summary>False gives this client its own connection pool and TOKEN cache; by default clients
        /// with the same settings in one process share them.</summary>
        public bool? Shared { get; set; }

        internal Dictionary<string, object> ToConfig()
        {
            var config = new Dictionary<string, object>(StringComparer.Ordinal);
            if (Env != null) config["env"] = Env;
            if (BaseUrl != null) config["base_url"] = BaseUrl;
            config["api_id"] = ApiId;
            config["api_key"] = ApiKey;
            if (ConnectTimeoutMs.HasValue) config["connect_timeout_ms"] = ConnectTimeoutMs.Value;
            if (TimeoutMs.HasValue) config["timeout_ms"] = TimeoutMs.Value;
            if (CaCertPem != null) config["ca_cert_pem"] = CaCertPem;
            if (MaxRetries.HasValue) config["max_retries"] = MaxRetries.Value;
            if (RetryBaseDelayMs.HasValue) config["retry_base_delay_ms"] = RetryBaseDelayMs.Value;
            if (RetryMaxDelayMs.HasValue) config["retry_max_delay_ms"] = RetryMaxDelayMs.Value;
            if (Shared.HasValue) config["shared"] = Shared.Value;
            return config;
        }

        public override string ToString()
        {
            return "CookiePayOptions(Env=" + Env + ", BaseUrl=" + BaseUrl + ", ApiId=" + ApiId + ", ApiKey=***)";
        }
    }

    /// <summary>
    /// A CookiePay client for one credential pair. Create one per merchant at start-up and share it:
    /// every method is safe to call from any number of threads at once (it keeps a connection pool and
    /// the TOKEN). Dispose it at shutdown.
    /// </summary>
    public sealed class CookiePayClient : IDisposable
    {
        private readonly ClientHandle handle;
        // SafeHandle only counts as closed once no call holds it, so with calls overlapping without pause
        // new calls could keep starting after Dispose; this flag refuses them at once.
        private int disposed;

        /// <summary>Create a client; nothing connects yet.</summary>
        /// <exception cref="CookiePayValidationException">A setting is missing or out of range.</exception>
        public CookiePayClient(CookiePayOptions options)
            : this(options == null ? null : options.ToConfig())
        {
        }

        /// <summary>Create a client from config keys as the C API names them (env, base_url, api_id, …),
        /// for keys newer than this binding.</summary>
        public CookiePayClient(IDictionary<string, object> config)
        {
            if (config == null) throw new ArgumentNullException("config");
            var withBinding = new Dictionary<string, object>(config, StringComparer.Ordinal);
            if (!withBinding.ContainsKey("binding")) withBinding["binding"] = BindingName;
            IntPtr error;
            handle = NativeMethods.cookiepay_client_new(ToUtf8(Json.Write(withBinding)), out error);
            if (handle.IsInvalid)
            {
                handle.Dispose();
                throw ToException(TakeString(error));
            }
        }

        /// <summary>The version of the loaded libcookiepay, e.g. "0.1.0".</summary>
        public static string LibraryVersion
        {
            get { return CopyUtf8(NativeMethods.cookiepay_version()); }
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

        /// <summary>Parse the raw body CookiePay made the browser POST to RETURNURL (no network).</summary>
        public static ReturnPost ParseReturn(string rawBody)
        {
            return ParseTerminated(rawBody == null ? null : ToUtf8(rawBody));
        }

        /// <summary>Parse the raw bytes of the RETURNURL post, e.g. read from Request.Body / InputStream.</summary>
        public static ReturnPost ParseReturn(byte[] rawBody)
        {
            byte[] body = null;
            if (rawBody != null)
            {
                body = new byte[rawBody.Length + 1];
                Buffer.BlockCopy(rawBody, 0, body, 0, rawBody.Length);
            }
            return ParseTerminated(body);
        }

        private static ReturnPost ParseTerminated(byte[] nulTerminatedBody)
        {
            string envelope = TakeString(NativeMethods.cookiepay_parse_return(nulTerminatedBody));
            return new ReturnPost(Unwrap(envelope), envelope);
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

        private IDictionary<string, object> Call(NativeCall function, object request, out string envelope)
        {
            if (Volatile.Read(ref disposed) != 0) throw new ObjectDisposedException(typeof(CookiePayClient).FullName);
            byte[] json = ToUtf8(Json.Write(request));
            // The SafeHandle parameter keeps the client alive for the call even if another thread disposes it.
            envelope = TakeString(function(handle, json));
            return Unwrap(envelope);
        }

        /// <summary>The <c>data</c> of an ok envelope, or the exception of an error envelope.</summary>
        private static IDictionary<string, object> Unwrap(string envelope)
        {
            var parsed = Json.Parse(envelope) as IDictionary<string, object>;
            if (parsed != null && Field.Get(parsed, "ok") is bool && (bool)parsed["ok"])
                return Field.Get(parsed, "data") as IDictionary<string, object> ?? new Dictionary<string, object>();
            throw ToException(envelope);
        }

        private static CookiePayException ToException(string envelope)
        {
            var parsed = Json.Parse(envelope) as IDictionary<string, object>;
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
            int length = 0;
            while (Marshal.ReadByte(text, length) != 0) length++;
            var bytes = new byte[length];
            Marshal.Copy(text, bytes, 0, length);
            return Encoding.UTF8.GetString(bytes);
        }
    }

    /// <summary>Owns a <c>cookiepay_client *</c>; frees it once, after the last call using it returns.</summary>
    internal sealed class ClientHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        private ClientHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            NativeMethods.cookiepay_client_free(handle);
            return true;
        }
    }

    /// <summary>
    /// The C functions. Strings go in as NUL-terminated UTF-8 byte arrays (never the ANSI code page) and
    /// come back as IntPtr: declaring them string would let the marshaller free Rust memory with
    /// CoTaskMemFree. "cookiepay" resolves to cookiepay.dll, libcookiepay.so or libcookiepay.dylib.
    /// </summary>
    internal static class NativeMethods
    {
        private const string Library = "cookiepay";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern ClientHandle cookiepay_client_new(byte[] configJson, out IntPtr errorJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void cookiepay_client_free(IntPtr client);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_token(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_ready(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_decrypt(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_paycert(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_verify(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_parse_return(byte[] formBody);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void cookiepay_string_free(IntPtr text);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_version();
    }
}
