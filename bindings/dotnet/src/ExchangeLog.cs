using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace CookiePay
{
    /// <summary>
    /// The options' <c>Logger</c>: one record per HTTP exchange (each attempt of a call) with
    /// <c>operation</c>, <c>method</c>, <c>path</c>, <c>status</c> (null when no answer came),
    /// <c>duration_ms</c>, <c>attempt</c>, <c>outcome</c> ("answered" or the error kind) and
    /// <c>may_have_taken_effect</c>; never a body, the API key, a TOKEN, a BILLKEY or card data.
    /// The library's observer (cookiepay_client_new_observed) only stores each record on the calling
    /// thread; the logger gets them when the call returns, on that thread, so no managed exception
    /// ever unwinds through native frames, and one exception of the logger is swallowed (logging never
    /// breaks a payment).
    /// </summary>
    internal static class ExchangeLog
    {
        [ThreadStatic] private static List<string> pending;

        /// <summary>One static delegate for every client: the native side may call it for as long as
        /// the process runs, so it is never collected.</summary>
        internal static readonly NativeMethods.ObserverCallback Callback = OnRecord;

        private static void OnRecord(IntPtr recordJson, IntPtr userData)
        {
            try
            {
                if (pending == null) pending = new List<string>();
                pending.Add(Utf8At(recordJson));
            }
            catch
            {
                // Never unwind into the library.
            }
        }

        /// <summary>Hand this thread's records to <paramref name="logger"/> and forget them.</summary>
        internal static void Deliver(Action<IDictionary<string, object>> logger)
        {
            List<string> records = pending;
            pending = null;
            if (records == null || logger == null) return;
            foreach (string json in records)
            {
                try
                {
                    var record = Json.Parse(json) as IDictionary<string, object>;
                    if (record != null) logger(record);
                }
                catch
                {
                    // The shop's logger failing must not turn a done payment into an exception.
                }
            }
        }

        private static string Utf8At(IntPtr text)
        {
            if (text == IntPtr.Zero) return "";
            int length = 0;
            while (Marshal.ReadByte(text, length) != 0) length++;
            var bytes = new byte[length];
            Marshal.Copy(text, bytes, 0, length);
            return System.Text.Encoding.UTF8.GetString(bytes);
        }
    }
}
