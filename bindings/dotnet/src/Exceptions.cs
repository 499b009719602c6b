// One exception class per error kind of the C API (README "Error kinds"), under CookiePayException.
// Names carry the CookiePay prefix so they never collide with System.TimeoutException,
// System.Web.HttpException or DataAnnotations' ValidationException in a controller's usings.
// Messages come from the core, which keeps secrets out of them.

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;

namespace CookiePay
{
    /// <summary>Any failure reported by the CookiePay library.</summary>
    [DebuggerDisplay("{GetType().Name,nq} ({Kind,nq}): {Message}")]
    public class CookiePayException : Exception
    {
        private static readonly IReadOnlyDictionary<string, object> NoFields =
            new ReadOnlyDictionary<string, object>(new Dictionary<string, object>());

        /// <summary>The error kind: invalid_argument, validation, api, verification_failed, network,
        /// timeout, http, decode, internal or noti_not_confirmed (newer libraries may add kinds); "library"
        /// when the native library itself cannot be loaded (<see cref="CookiePayLibraryException"/>).</summary>
        public string Kind { get; private set; }

        /// <summary>The whole envelope the library returned, <c>{"ok":false,"error":{...}}</c>, as received.</summary>
        public string ErrorJson { get; private set; }

        /// <summary>The parsed <c>error</c> object, for fields this binding does not name.</summary>
        public IReadOnlyDictionary<string, object> Error { get; private set; }

        /// <summary>
        /// "unknown" when the call may have taken effect at CookiePay although no answer arrived (a call
        /// that changes state — Billkeygen, RecurringCharge, Cancel, ScheduleCancel, BillkeyDelete,
        /// Request — or Ready that timed out or lost its connection after sending): never simply repeat
        /// it; the <see cref="System.Exception.Message"/> ends with what settles
        /// it for that call (a partial refund, for one, shows in no lookup: CookiePay's dashboard).
        /// "not_applied" when it certainly did not; null when the error does not say (it was answered).
        /// </summary>
        public string Outcome { get; private set; }

        /// <summary>True when <see cref="Outcome"/> is "unknown".</summary>
        public bool OutcomeUnknown { get { return Outcome == "unknown"; } }

        public CookiePayException(string kind, string message, IDictionary<string, object> error, string errorJson)
            : base(message)
        {
            Kind = kind;
            ErrorJson = errorJson;
            Error = error == null ? NoFields : new ReadOnlyDictionary<string, object>(error);
            Outcome = Field.Str(error, "outcome");
        }

        /// <summary>For an error of this binding that another exception caused (the native library's load).</summary>
        internal CookiePayException(string kind, string message, Exception cause)
            : base(message, cause)
        {
            var error = new Dictionary<string, object> { { "kind", kind }, { "message", message } };
            Kind = kind;
            ErrorJson = Json.Write(new Dictionary<string, object> { { "ok", false }, { "error", error } });
            Error = new ReadOnlyDictionary<string, object>(error);
        }

        /// <summary>An error of this binding itself, as the library would report it.</summary>
        internal static CookiePayException Local(string kind, string message)
        {
            var error = new Dictionary<string, object> { { "kind", kind }, { "message", message } };
            return FromError(error, Json.Write(new Dictionary<string, object> { { "ok", false }, { "error", error } }));
        }

        /// <summary>The exception for an error envelope: its <c>error</c> object and the raw text.</summary>
        internal static CookiePayException FromError(IDictionary<string, object> error, string envelope)
        {
            string kind = Field.Str(error, "kind") ?? "internal";
            string message = Field.Str(error, "message") ?? kind;
            switch (kind)
            {
                case "invalid_argument": return new CookiePayInvalidArgumentException(message, error, envelope);
                case "validation": return new CookiePayValidationException(message, error, envelope);
                case "api": return new CookiePayApiException(message, error, envelope);
                case "verification_failed": return new CookiePayVerificationException(message, error, envelope);
                case "network": return new CookiePayNetworkException(message, error, envelope);
                case "timeout": return new CookiePayTimeoutException(message, error, envelope);
                case "http": return new CookiePayHttpException(message, error, envelope);
                case "decode": return new CookiePayDecodeException(message, error, envelope);
                case "internal": return new CookiePayInternalException(message, error, envelope);
                case "noti_not_confirmed": return new CookiePayNotiNotConfirmedException(message, error, envelope);
                default: return new CookiePayException(kind, message, error, envelope);
            }
        }
    }

    /// <summary>NULL, non-UTF-8 or non-JSON input, or a value of the wrong JSON type.</summary>
    public class CookiePayInvalidArgumentException : CookiePayException
    {
        public CookiePayInvalidArgumentException(string message, IDictionary<string, object> error, string errorJson)
            : base("invalid_argument", message, error, errorJson) { }
    }

    /// <summary>One broken rule of one input field.</summary>
    public sealed class FieldProblem
    {
        public string Field { get; private set; }
        public string Rule { get; private set; }
        public string Message { get; private set; }

        public FieldProblem(string field, string rule, string message)
        {
            Field = field;
            Rule = rule;
            Message = message;
        }

        public override string ToString() { return Field + " (" + Rule + "): " + Message; }
    }

    /// <summary>The input breaks the manual's rules; <see cref="Fields"/> lists every problem at once.</summary>
    public class CookiePayValidationException : CookiePayException
    {
        public IReadOnlyList<FieldProblem> Fields { get; private set; }

        public CookiePayValidationException(string message, IDictionary<string, object> error, string errorJson)
            : base("validation", message, error, errorJson)
        {
            var problems = new List<FieldProblem>();
            foreach (var item in Field.List(error, "fields"))
            {
                var f = item as IDictionary<string, object>;
                if (f != null) problems.Add(new FieldProblem(Field.Str(f, "field"), Field.Str(f, "rule"), Field.Str(f, "message")));
            }
            Fields = problems.AsReadOnly();
        }
    }

    /// <summary>CookiePay answered with a non-success code.</summary>
    public class CookiePayApiException : CookiePayException
    {
        /// <summary>CookiePay's result code, e.g. the RESULTCODE or RTN_CD of the answer.</summary>
        public string Code { get; private set; }
        /// <summary>CookiePay's own message for the code.</summary>
        public string ApiMessage { get; private set; }
        /// <summary>For decrypt and RecurringCharge: "outer" (the call itself) or "inner" (the payment, e.g. declined); else null.</summary>
        public string Layer { get; private set; }
        /// <summary>The whole answer as parsed, for logs and support tickets.</summary>
        public IReadOnlyDictionary<string, object> Response { get; private set; }
        /// <summary>What to do, when the library knows (e.g. Cancel's 9029: use 입금후 취소); else null.</summary>
        public string Hint { get; private set; }

        public CookiePayApiException(string message, IDictionary<string, object> error, string errorJson)
            : base("api", message, error, errorJson)
        {
            Code = Field.Str(error, "code");
            ApiMessage = Field.Str(error, "api_message");
            Layer = Field.Str(error, "layer");
            Response = Field.Obj(error, "response");
            Hint = Field.Str(error, "hint");
        }
    }

    /// <summary>One field of the payment that differs from the order.</summary>
    public sealed class Mismatch
    {
        public string Field { get; private set; }
        /// <summary>What the order says (string, long, double, bool or null as sent).</summary>
        public object Expected { get; private set; }
        /// <summary>What CookiePay says.</summary>
        public object Actual { get; private set; }

        public Mismatch(string field, object expected, object actual)
        {
            Field = field;
            Expected = expected;
            Actual = actual;
        }

        public override string ToString() { return Field + ": expected " + Expected + ", actual " + Actual; }
    }

    /// <summary>The payment differs from the stored order, or was cancelled: do not ship.</summary>
    public class CookiePayVerificationException : CookiePayException
    {
        public IReadOnlyList<Mismatch> Mismatches { get; private set; }
        /// <summary>The payment as paycert reported it.</summary>
        public IReadOnlyDictionary<string, object> Payment { get; private set; }

        public CookiePayVerificationException(string message, IDictionary<string, object> error, string errorJson)
            : base("verification_failed", message, error, errorJson)
        {
            var list = new List<Mismatch>();
            foreach (var item in Field.List(error, "mismatches"))
            {
                var m = item as IDictionary<string, object>;
                if (m != null) list.Add(new Mismatch(Field.Str(m, "field"), Field.Get(m, "expected"), Field.Get(m, "actual")));
            }
            Mismatches = list.AsReadOnly();
            Payment = Field.Obj(error, "payment");
        }
    }

    /// <summary>The connection failed. <see cref="Phase"/>: dns, connect (often a firewall), tls (often an
    /// inspecting proxy) or read (lost after sending). See <see cref="CookiePayException.OutcomeUnknown"/>.</summary>
    public class CookiePayNetworkException : CookiePayException
    {
        public string Phase { get; private set; }

        public CookiePayNetworkException(string message, IDictionary<string, object> error, string errorJson)
            : base("network", message, error, errorJson)
        {
            Phase = Field.Str(error, "phase");
        }
    }

    /// <summary>No answer within timeout_ms. See <see cref="CookiePayException.OutcomeUnknown"/>.</summary>
    public class CookiePayTimeoutException : CookiePayException
    {
        public CookiePayTimeoutException(string message, IDictionary<string, object> error, string errorJson)
            : base("timeout", message, error, errorJson)
        {
        }
    }

    /// <summary>An unexpected HTTP status or body (a 500, a proxy's HTML page).</summary>
    public class CookiePayHttpException : CookiePayException
    {
        public int Status { get; private set; }
        public string ContentType { get; private set; }
        public string Excerpt { get; private set; }

        public CookiePayHttpException(string message, IDictionary<string, object> error, string errorJson)
            : base("http", message, error, errorJson)
        {
            object status = Field.Get(error, "status");
            Status = status is long ? (int)(long)status : 0;
            ContentType = Field.Str(error, "content_type");
            Excerpt = Field.Str(error, "excerpt");
        }
    }

    /// <summary>An unreadable answer: broken JSON, over 1 MiB, missing fields.</summary>
    public class CookiePayDecodeException : CookiePayException
    {
        public string Excerpt { get; private set; }

        public CookiePayDecodeException(string message, IDictionary<string, object> error, string errorJson)
            : base("decode", message, error, errorJson)
        {
            Excerpt = Field.Str(error, "excerpt");
        }
    }

    /// <summary>
    /// Kind "library": the native libcookiepay could not be loaded (the message names the file and where it
    /// was looked for; InnerException is the runtime's DllNotFoundException or BadImageFormatException), or
    /// it implements another C ABI than this binding. Nothing is cached: put the right file in place and
    /// the next call loads it, in the same process.
    /// </summary>
    public class CookiePayLibraryException : CookiePayException
    {
        internal CookiePayLibraryException(string message, Exception cause)
            : base("library", message, cause) { }
    }

    /// <summary>A bug in the library, caught before it could crash the process. Please report it.</summary>
    public class CookiePayInternalException : CookiePayException
    {
        public CookiePayInternalException(string message, IDictionary<string, object> error, string errorJson)
            : base("internal", message, error, errorJson) { }
    }

    /// <summary>
    /// <see cref="CookiePayClient.ConfirmNoti(string)"/>: CookiePay's paycert does not back the Noti — it
    /// names no TID (a declined recurring charge has none), CookiePay does not know the TID, a field
    /// contradicts paycert, or it reports a cancellation paycert does not show. Act on nothing in it.
    /// </summary>
    public class CookiePayNotiNotConfirmedException : CookiePayException
    {
        /// <summary>"no_tid", "invalid_tid", "unknown_tid", "mismatch" or "not_cancelled".</summary>
        public string Reason { get; private set; }
        /// <summary>The fields the Noti and paycert both carry that differ: Expected is the Noti's value,
        /// Actual paycert's.</summary>
        public IReadOnlyList<Mismatch> Mismatches { get; private set; }
        /// <summary>paycert's result code when it did not confirm the TID ("unknown_tid"); else null.</summary>
        public string Code { get; private set; }

        public CookiePayNotiNotConfirmedException(string message, IDictionary<string, object> error, string errorJson)
            : base("noti_not_confirmed", message, error, errorJson)
        {
            Reason = Field.Str(error, "reason");
            Code = Field.Str(error, "code");
            var list = new List<Mismatch>();
            foreach (var item in Field.List(error, "mismatches"))
            {
                var m = item as IDictionary<string, object>;
                if (m != null) list.Add(new Mismatch(Field.Str(m, "field"), Field.Get(m, "expected"), Field.Get(m, "actual")));
            }
            Mismatches = list.AsReadOnly();
        }
    }

    /// <summary>Typed reads from parsed JSON objects (absent or mistyped → null/empty).</summary>
    internal static class Field
    {
        private static readonly IReadOnlyDictionary<string, object> Empty =
            new ReadOnlyDictionary<string, object>(new Dictionary<string, object>());

        public static object Get(IDictionary<string, object> obj, string key)
        {
            object value;
            return obj != null && obj.TryGetValue(key, out value) ? value : null;
        }

        public static string Str(IDictionary<string, object> obj, string key)
        {
            return Get(obj, key) as string;
        }

        public static IList<object> List(IDictionary<string, object> obj, string key)
        {
            return Get(obj, key) as IList<object> ?? new List<object>();
        }

        public static IReadOnlyDictionary<string, object> Obj(IDictionary<string, object> obj, string key)
        {
            var value = Get(obj, key) as IDictionary<string, object>;
            return value == null ? Empty : new ReadOnlyDictionary<string, object>(value);
        }
    }
}
