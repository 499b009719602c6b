// Replays the contract vectors (tests/vectors/*.json, format in its README) through this binding's
// public API, against cookiepay-sandbox in replay mode: the same rules as the reference runner
// tests/vectors.rs. Each step calls the typed method of CookiePayClient named by its "call" (or a static
// parser); a thrown CookiePayException is turned back into the error object from its class and its
// typed properties only, so a field of the contract without a property fails here.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using NUnit.Framework;

namespace CookiePay.Tests
{
    [TestFixture]
    public class VectorsTests
    {
        private const string Implementation = "dotnet";
        private Sandbox sandbox;

        [TestFixtureSetUp]
        public void StartSandbox() { sandbox = new Sandbox(); }

        [TestFixtureTearDown]
        public void StopSandbox()
        {
            if (sandbox == null) return;
            try { sandbox.Control("DELETE", "/_sandbox/replay", null); }
            finally { sandbox.Dispose(); }
        }

        // ---- loading ----

        private static string VectorDir()
        {
            // test.sh runs from the repository root; the assembly lives in target/dotnet/test.
            var starts = new[] { Environment.CurrentDirectory, Path.GetDirectoryName(typeof(VectorsTests).Assembly.Location) };
            foreach (string start in starts)
            {
                for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(Path.Combine(dir.FullName, "tests"), "vectors");
                    if (File.Exists(Path.Combine(candidate, "README.md"))) return candidate;
                }
            }
            throw new DirectoryNotFoundException("tests/vectors not found above " + string.Join(" or ", starts));
        }

        public static IEnumerable<TestCaseData> Vectors()
        {
            var files = Directory.GetFiles(VectorDir(), "*.json");
            Array.Sort(files, StringComparer.Ordinal);
            if (files.Length == 0) throw new InvalidOperationException("no vector files in tests/vectors");
            foreach (string path in files)
            {
                string file = Path.GetFileName(path);
                var doc = (IDictionary<string, object>)Json.Parse(File.ReadAllText(path, Encoding.UTF8));
                foreach (object v in (IList<object>)doc["vectors"])
                {
                    var vector = (IDictionary<string, object>)v;
                    yield return new TestCaseData(file, vector).SetName((string)vector["name"]);
                }
            }
        }

        [Test, TestCaseSource("Vectors")]
        public void Replays(string file, IDictionary<string, object> vector)
        {
            string problem = Replay(vector);
            if (problem != null) Assert.Fail(Implementation + " failed " + vector["name"] + " (" + file + "): " + problem);
        }

        [Test]
        public void TheMatcherCanFail()
        {
            Func<string, string, string> diff = (e, a) => Subset(Json.Parse(e), true, Json.Parse(a), "$");
            Assert.IsNull(diff("{\"a\":1}", "{\"a\":1.0,\"b\":2}"));
            Assert.IsNotNull(diff("{\"a\":1}", "{\"a\":\"1\"}"));
            Assert.IsNotNull(diff("{\"a\":{\"$absent\":true}}", "{\"a\":null}"));
            Assert.IsNull(diff("{\"a\":{\"$absent\":true}}", "{}"));
            Assert.IsNotNull(diff("{\"a\":{\"$any\":true}}", "{}"));
            Assert.IsNotNull(diff("[1]", "[1,2]"));
        }

        // ---- one vector ----

        private string Replay(IDictionary<string, object> v)
        {
            var gateway = Field.Get(v, "gateway") as IList<object> ?? new List<object>();
            sandbox.Control("POST", "/_sandbox/replay", new Dictionary<string, object> { { "gateway", gateway } });
            var texts = new List<string>();
            returnedTexts = texts;
            string problem = RunSteps(v, texts);
            if (problem != null) return problem;
            var record = sandbox.Control("GET", "/_sandbox/replay", null);
            object sent;
            if (v.TryGetValue("sent", out sent))
            {
                var got = ((IList<object>)record["requests"]).Select(r => (object)AsSent((IDictionary<string, object>)r)).ToList();
                problem = Subset(sent, true, got, "sent");
                if (problem != null) return problem;
                if (!(record["remaining"] is long) || (long)record["remaining"] != 0)
                    return Json.Write(record["remaining"]) + " scripted answers were never asked for";
            }
            foreach (object s in Field.List(v, "secrets"))
            {
                foreach (string text in texts)
                    if (text.Contains((string)s)) return "the secret \"" + s + "\" appears in a result: " + Cut(text);
            }
            return null;
        }

        private string RunSteps(IDictionary<string, object> v, List<string> texts)
        {
            var config = new Dictionary<string, object>(StringComparer.Ordinal);
            var given = Field.Get(v, "config") as IDictionary<string, object>;
            if (given != null) foreach (var pair in given) config[pair.Key] = pair.Value;
            config["base_url"] = sandbox.Url;
            config["shared"] = false;
            var steps = (IList<object>)v["steps"];
            CookiePayClient client = null;
            try
            {
                if (steps.Any(s => !LocalCalls.Contains((string)((IDictionary<string, object>)s)["call"])))
                {
                    try { client = new CookiePayClient(config); }
                    catch (CookiePayException e) { return "the config was refused: " + Json.Write(ErrorObject(e)); }
                }
                for (int i = 0; i < steps.Count; i++)
                {
                    var step = (IDictionary<string, object>)steps[i];
                    string call = (string)step["call"];
                    var request = Field.Get(step, "request") as IDictionary<string, object> ?? new Dictionary<string, object>();
                    object got;
                    try
                    {
                        object data = Invoke(client, config, call, request);
                        got = new Dictionary<string, object> { { "ok", true }, { "data", data } };
                        texts.Add(Json.Write(got));
                    }
                    catch (CookiePayException e)
                    {
                        var error = ErrorObject(e);
                        got = new Dictionary<string, object> { { "ok", false }, { "error", error } };
                        // Everything the exception carries, not only what the contract names.
                        texts.Add(Json.Write(got));
                        texts.Add(e.Message);
                        texts.Add(e.ErrorJson ?? "");
                        texts.Add(Json.Write(e.Error));
                        texts.Add(e.ToString());
                        string missing = UnexposedField(e, error);
                        if (missing != null) return "steps[" + i + "] (" + call + "): " + missing;
                    }
                    string diff = Subset(step["expect"], true, got, "steps[" + i + "] (" + call + ")");
                    if (diff != null) return diff + "\n    got: " + Cut(Json.Write(got));
                }
                return null;
            }
            finally
            {
                if (client != null) client.Dispose();
            }
        }

        private static readonly HashSet<string> LocalCalls = new HashSet<string> { "parse_return", "parse_noti", "new_client" };

        // ---- the typed API, by call name ----

        /// <summary>The data of a successful call, as the typed API returned it.</summary>
        private object Invoke(CookiePayClient client, IDictionary<string, object> config, string call, IDictionary<string, object> r)
        {
            switch (call)
            {
                case "parse_return": return Returned(CookiePayClient.ParseReturn(Encoding.UTF8.GetBytes(Str(r, "body") ?? "")));
                case "parse_noti": return Returned(CookiePayClient.ParseNoti(Encoding.UTF8.GetBytes(Str(r, "body") ?? "")));
                case "new_client":
                    using (new CookiePayClient(config)) return new Dictionary<string, object>();
            }
            if (!Fits(call, r))
            {
                Console.WriteLine(Implementation + " vectors: " + call + " " + Json.Write(r) + " does not fit the typed signature; sent as is");
                return Raw(client, call, r);
            }
            switch (call)
            {
                case "token": return Returned(client.Token(Field.Get(r, "force_refresh") is bool && (bool)r["force_refresh"]));
                case "ready": return Returned(client.Ready(r));
                case "decrypt": return Returned(client.Decrypt(Str(r, "ENC_DATA")));
                case "paycert": return Returned(client.Paycert(Str(r, "tid")));
                case "verify": return Returned(client.Verify(Str(r, "tid"), (IDictionary<string, object>)Field.Get(r, "expected")));
                case "billkeygen": return Returned(client.Billkeygen(r));
                case "recurring_charge": return Returned(client.RecurringCharge(Str(r, "RESERVE_ID"), Str(r, "BILLKEY")));
                case "schedule_cancel": return Returned(client.ScheduleCancel(Str(r, "RESERVE_ID")));
                case "billkey_delete": return Returned(client.BillkeyDelete(Str(r, "BILLKEY")));
                case "cancel":
                    return Returned(client.Cancel(Str(r, "tid"), Str(r, "reason"), Field.Get(r, "amount") as long?,
                        Str(r, "bank"), Str(r, "account_no"), Str(r, "account_name")));
                case "paysearch":
                    if (r.ContainsKey("tid")) return Returned(client.Paysearch(Str(r, "tid")));
                    return Returned(client.Paysearch(Date(Str(r, "from")), Date(Str(r, "to"))));
                case "receipt_url": return new Dictionary<string, object> { { "url", client.ReceiptUrl(Str(r, "tid")) } };
                case "request":
                    var auth = Field.List(r, "auth").Cast<string>().ToArray();
                    return Returned(client.Request(Str(r, "path"), Field.Get(r, "body"), auth));
                case "confirm_noti": return Returned(client.ConfirmNoti(Str(r, "body")));
                default: throw new ArgumentException("unknown call " + call);
            }
        }

        /// <summary>Whether the typed method of <paramref name="call"/> can carry <paramref name="r"/> exactly:
        /// only its own keys, each of a type its parameter holds.</summary>
        private static bool Fits(string call, IDictionary<string, object> r)
        {
            Func<string, bool> text = k => !r.ContainsKey(k) || r[k] is string;
            Func<string[], bool> only = keys => r.Keys.All(keys.Contains);
            switch (call)
            {
                case "token": return only(new[] { "force_refresh" }) && (!r.ContainsKey("force_refresh") || r["force_refresh"] is bool);
                case "ready": case "billkeygen": return true;
                case "decrypt": return only(new[] { "ENC_DATA" }) && text("ENC_DATA");
                case "paycert": case "receipt_url": return only(new[] { "tid" }) && text("tid");
                case "verify": return only(new[] { "tid", "expected" }) && text("tid") && Field.Get(r, "expected") is IDictionary<string, object>;
                case "recurring_charge": return only(new[] { "RESERVE_ID", "BILLKEY" }) && text("RESERVE_ID") && text("BILLKEY");
                case "schedule_cancel": return only(new[] { "RESERVE_ID" }) && text("RESERVE_ID");
                case "billkey_delete": return only(new[] { "BILLKEY" }) && text("BILLKEY");
                case "cancel":
                    return only(new[] { "tid", "reason", "amount", "bank", "account_no", "account_name" })
                        && text("tid") && text("reason") && text("bank") && text("account_no") && text("account_name")
                        && (!r.ContainsKey("amount") || r["amount"] is long);
                case "paysearch":
                    if (r.ContainsKey("tid")) return only(new[] { "tid" }) && text("tid");
                    DateTime d;
                    return only(new[] { "from", "to" }) && r.Values.All(x => x is string
                        && DateTime.TryParseExact((string)x, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d));
                case "request":
                    return only(new[] { "path", "body", "auth" }) && text("path")
                        && Field.List(r, "auth").All(a => a is string) && (!r.ContainsKey("auth") || r["auth"] is IList<object>);
                case "confirm_noti": return only(new[] { "body" }) && text("body");
                default: return false;
            }
        }

        /// <summary>A request no typed signature can carry (e.g. a list where a string goes) still goes to
        /// the library as it is, through the client's own marshalling, so the error mapping is checked too.</summary>
        private static object Raw(CookiePayClient client, string call, IDictionary<string, object> r)
        {
            string pascal = string.Concat(call.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));
            var function = typeof(CookiePayClient).GetField(pascal + "Function", BindingFlags.NonPublic | BindingFlags.Static);
            var method = typeof(CookiePayClient).GetMethod("Call", BindingFlags.NonPublic | BindingFlags.Instance);
            if (function == null || method == null)
                throw new InvalidOperationException("the vector runner's raw path needs CookiePayClient." + pascal + "Function and Call");
            try
            {
                return method.Invoke(client, new object[] { function.GetValue(null), r, null });
            }
            catch (TargetInvocationException e)
            {
                throw e.InnerException;
            }
        }

        // What every step returned, for the secrets check: the result's data, its raw envelope and its ToString.
        private List<string> returnedTexts;

        private object Returned(CookiePayResult result)
        {
            returnedTexts.Add(result.RawJson ?? "");
            returnedTexts.Add(result.ToString());
            return result.Data;
        }

        private static string Str(IDictionary<string, object> r, string key) { return Field.Get(r, key) as string; }

        private static DateTime Date(string text)
        {
            return DateTime.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        // ---- the exception back into the error object ----

        /// <summary>kind from the class; every other field from the exception's typed properties.</summary>
        private static Dictionary<string, object> ErrorObject(CookiePayException e)
        {
            var o = new Dictionary<string, object>(StringComparer.Ordinal);
            o["kind"] = KindOf(e);
            o["message"] = e.Message;
            Put(o, "outcome", e.Outcome);
            var validation = e as CookiePayValidationException;
            if (validation != null)
                o["fields"] = validation.Fields.Select(f => (object)new Dictionary<string, object>
                    { { "field", f.Field }, { "rule", f.Rule }, { "message", f.Message } }).ToList();
            var api = e as CookiePayApiException;
            if (api != null)
            {
                Put(o, "code", api.Code);
                Put(o, "api_message", api.ApiMessage);
                Put(o, "layer", api.Layer);
                Put(o, "hint", api.Hint);
                if (api.Response.Count > 0) o["response"] = api.Response;
            }
            var verification = e as CookiePayVerificationException;
            if (verification != null)
            {
                o["mismatches"] = verification.Mismatches.Select(m => (object)new Dictionary<string, object>
                    { { "field", m.Field }, { "expected", m.Expected }, { "actual", m.Actual } }).ToList();
                if (verification.Payment.Count > 0) o["payment"] = verification.Payment;
            }
            var network = e as CookiePayNetworkException;
            if (network != null) Put(o, "phase", network.Phase);
            var http = e as CookiePayHttpException;
            if (http != null)
            {
                o["status"] = (long)http.Status;
                Put(o, "content_type", http.ContentType);
                Put(o, "excerpt", http.Excerpt);
            }
            var decode = e as CookiePayDecodeException;
            if (decode != null) Put(o, "excerpt", decode.Excerpt);
            var noti = e as CookiePayNotiNotConfirmedException;
            if (noti != null)
            {
                Put(o, "reason", noti.Reason);
                o["mismatches"] = noti.Mismatches.Select(m => (object)new Dictionary<string, object>
                    { { "field", m.Field }, { "expected", m.Expected }, { "actual", m.Actual } }).ToList();
                Put(o, "code", noti.Code);
            }
            return o;
        }

        private static string KindOf(CookiePayException e)
        {
            if (e is CookiePayInvalidArgumentException) return "invalid_argument";
            if (e is CookiePayValidationException) return "validation";
            if (e is CookiePayApiException) return "api";
            if (e is CookiePayVerificationException) return "verification_failed";
            if (e is CookiePayNetworkException) return "network";
            if (e is CookiePayTimeoutException) return "timeout";
            if (e is CookiePayHttpException) return "http";
            if (e is CookiePayDecodeException) return "decode";
            if (e is CookiePayInternalException) return "internal";
            if (e is CookiePayNotiNotConfirmedException) return "noti_not_confirmed";
            return e.Kind;
        }

        private static void Put(IDictionary<string, object> o, string key, object value)
        {
            if (value != null) o[key] = value;
        }

        /// <summary>A field of the library's error object that no property of the exception gives back.</summary>
        private static string UnexposedField(CookiePayException e, IDictionary<string, object> rebuilt)
        {
            foreach (var pair in e.Error)
                if (pair.Value != null && !rebuilt.ContainsKey(pair.Key))
                    return e.GetType().Name + " has no property for the error field \"" + pair.Key + "\" (" + Cut(Json.Write(pair.Value)) + ")";
            return null;
        }

        // ---- the replay record ----

        /// <summary>A recorded request in the shape "sent" matches: path, method, headers, and the body parsed.</summary>
        private static IDictionary<string, object> AsSent(IDictionary<string, object> recorded)
        {
            var r = new Dictionary<string, object>(recorded, StringComparer.Ordinal);
            string body = Field.Get(recorded, "body") as string ?? "";
            try { r["json"] = Json.Parse(body); }
            catch (FormatException) { }
            var form = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (string pair in body.Split('&'))
            {
                if (pair.Length == 0) continue;
                int eq = pair.IndexOf('=');
                string key = eq < 0 ? pair : pair.Substring(0, eq);
                string value = eq < 0 ? "" : pair.Substring(eq + 1);
                form[FormDecode(key)] = FormDecode(value);
            }
            r["form"] = form;
            return r;
        }

        private static string FormDecode(string s)
        {
            try { return Uri.UnescapeDataString(s.Replace('+', ' ')); }
            catch (UriFormatException) { return s; }
        }

        // ---- subset matching (tests/vectors/README.md) ----

        /// <summary>null when <paramref name="expected"/> ⊆ the actual value, else the first difference.</summary>
        private static string Subset(object expected, bool present, object actual, string at)
        {
            var e = expected as IDictionary<string, object>;
            if (e != null && e.Count == 1)
            {
                if (true.Equals(Field.Get(e, "$absent")))
                    return present ? at + ": expected no value, got " + Cut(Json.Write(actual)) : null;
                if (true.Equals(Field.Get(e, "$any")))
                    return present ? null : at + ": missing";
            }
            if (!present) return at + ": missing (expected " + Cut(Json.Write(expected)) + ")";
            var a = actual as IDictionary<string, object> ?? AsDictionary(actual);
            if (e != null && a != null)
            {
                foreach (var pair in e)
                {
                    object value;
                    bool has = a.TryGetValue(pair.Key, out value);
                    string diff = Subset(pair.Value, has, value, at + "." + pair.Key);
                    if (diff != null) return diff;
                }
                return null;
            }
            var el = expected as IList<object>;
            var al = actual as IList ?? (actual is IEnumerable && !(actual is string) && !(actual is IDictionary<string, object>)
                ? ((IEnumerable)actual).Cast<object>().ToList() : null);
            if (el != null && al != null)
            {
                if (el.Count != al.Count)
                    return at + ": expected " + el.Count + " elements, got " + al.Count + ": " + Cut(Json.Write(actual));
                for (int i = 0; i < el.Count; i++)
                {
                    string diff = Subset(el[i], true, al[i], at + "[" + i + "]");
                    if (diff != null) return diff;
                }
                return null;
            }
            if (IsNumber(expected) && IsNumber(actual) && Convert.ToDouble(expected, CultureInfo.InvariantCulture) == Convert.ToDouble(actual, CultureInfo.InvariantCulture))
                return null;
            if (expected == null ? actual == null : (!IsNumber(expected) && (expected is string || expected is bool) && expected.Equals(actual)))
                return null;
            return at + ": expected " + Cut(Json.Write(expected)) + ", got " + Cut(Json.Write(actual));
        }

        private static IDictionary<string, object> AsDictionary(object value)
        {
            var ro = value as IReadOnlyDictionary<string, object>;
            return ro == null ? null : ro.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }

        private static bool IsNumber(object x)
        {
            return x is long || x is int || x is double || x is float || x is decimal || x is short || x is byte;
        }

        private static string Cut(string text)
        {
            return text.Length <= 800 ? text : text.Substring(0, 800) + "…";
        }
    }
}
