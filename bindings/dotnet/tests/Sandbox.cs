// A cookiepay-sandbox process for one test fixture (ephemeral port, stopped at teardown), its control
// API, and a few lines of "browser" that submit the payment window with a test card.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using NUnit.Framework;

namespace CookiePay.Tests
{
    public sealed class Sandbox : IDisposable
    {
        public const string ApiId = "sandbox_demo01";
        public const string ApiKey = "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
        public const string CardOk = "4111111111111111";
        public const string CardLimit = "4000000000009995";
        /// <summary>Approves every charge but the third of a schedule (sandbox/README.md "Test cards").</summary>
        public const string CardDunning = "4000000000000333";
        public const string BirthDate = "900101";
        public const string CardPassword = "12";

        private static int orderCounter;

        private readonly Process process;
        private readonly string workDir;
        public string Url { get; private set; }
        /// <summary>With tls: the HTTPS address and the PEM of the CA that signed its certificate.</summary>
        public string HttpsUrl { get; private set; }
        public string CaPem { get; private set; }

        public Sandbox(bool tls = false)
        {
            string bin = Environment.GetEnvironmentVariable("COOKIEPAY_SANDBOX_BIN");
            if (string.IsNullOrEmpty(bin) || !File.Exists(bin))
                throw new InvalidOperationException("COOKIEPAY_SANDBOX_BIN must name the cookiepay-sandbox binary (test.sh sets it)");
            workDir = Path.Combine(Path.GetTempPath(), "cookiepay-dotnet-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(workDir);
            string readyFile = Path.Combine(workDir, "ready.json");
            string caFile = Path.Combine(workDir, "ca.pem");
            string args = "--port 0 --ready-file " + readyFile + (tls ? " --tls --ca-out " + caFile : "");
            var start = new ProcessStartInfo(bin, args)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            process = Process.Start(start);
            // Drain its output so it can never block on a full pipe.
            process.ErrorDataReceived += delegate { };
            process.OutputDataReceived += delegate { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!(File.Exists(readyFile) && new FileInfo(readyFile).Length > 0))
            {
                if (process.HasExited) throw new InvalidOperationException("cookiepay-sandbox exited early");
                if (DateTime.UtcNow > deadline) { Dispose(); throw new TimeoutException("cookiepay-sandbox did not start in 15 s"); }
                Thread.Sleep(50);
            }
            Thread.Sleep(20); // the file is written in one go, but let the writer close it
            var ready = (IDictionary<string, object>)Json.Parse(File.ReadAllText(readyFile));
            Url = (string)ready["http"];
            if (tls)
            {
                HttpsUrl = (string)ready["https"];
                CaPem = File.ReadAllText(caFile);
            }
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited)
                {
                    // SIGTERM lets it shut down cleanly; Process.Kill would be SIGKILL.
                    using (var kill = Process.Start(new ProcessStartInfo("kill", "-TERM " + process.Id) { UseShellExecute = false }))
                        kill.WaitForExit();
                    if (!process.WaitForExit(5000)) process.Kill();
                }
            }
            catch (InvalidOperationException) { }
            process.Dispose();
            try { Directory.Delete(workDir, true); } catch (IOException) { }
        }

        public CookiePayOptions Options()
        {
            return new CookiePayOptions
            {
                BaseUrl = Url, ApiId = ApiId, ApiKey = ApiKey,
                ConnectTimeoutMs = 2000, TimeoutMs = 5000, RetryBaseDelayMs = 10, RetryMaxDelayMs = 50,
            };
        }

        public CookiePayClient Client() { return new CookiePayClient(Options()); }

        /// <summary>A client with its own connection pool and TOKEN cache: clients with equal settings
        /// share them, so tests that count TOKEN requests from a cold start use this one.</summary>
        public CookiePayClient PrivateClient()
        {
            var options = Options();
            options.Shared = false;
            return new CookiePayClient(options);
        }

        public static string UniqueOrderNo()
        {
            return "NET" + Process.GetCurrentProcess().Id + "-" + DateTime.UtcNow.Ticks % 1000000000 + "-" + Interlocked.Increment(ref orderCounter);
        }

        public static Dictionary<string, object> Order(long amount)
        {
            return new Dictionary<string, object>
            {
                { "ORDERNO", UniqueOrderNo() }, { "PRODUCTNAME", "쿠키 정기구독 🍪" }, { "AMOUNT", amount },
                { "BUYERNAME", "홍길동" }, { "BUYEREMAIL", "buyer@example.com" }, { "BUYERPHONE", "010-1234-5678" },
                { "BUYERID", "guest" }, { "RETURNURL", "http://127.0.0.1:9/return" }, { "ETC1", "메모 ✓ 😀" },
                { "PRODUCTCODE", "SUB1" },
            };
        }

        /// <summary>An expiry (YYMM) two years ahead.</summary>
        public static string FutureExpiry()
        {
            return DateTime.UtcNow.AddYears(2).ToString("yyMM", System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>A billkeygen request: order, card and (unless schedule is false) a monthly schedule.</summary>
        public static Dictionary<string, object> Subscription(long amount, string cardNo = CardOk, bool schedule = true)
        {
            var request = new Dictionary<string, object>
            {
                { "ORDERNO", UniqueOrderNo() }, { "PRODUCTNAME", "쿠키 정기구독 (월간) 🍪" }, { "AMOUNT", amount },
                { "BUYERNAME", "홍길동" }, { "BUYEREMAIL", "buyer@example.com" }, { "BUYERPHONE", "010-1234-5678" },
                { "ETC1", "구독 ✓" },
                { "CARDNO", cardNo }, { "EXPIREDT", FutureExpiry() }, { "CARDAUTH", BirthDate }, { "CARDPWD", CardPassword },
                { "QUOTA", "00" },
            };
            if (schedule)
            {
                request["RECURRENCE_PAY"] = "Y";
                request["RECURRENCE_TYPE"] = "M";
                request["PAY_DAY"] = "05";
                request["START_PAY_CNT"] = "1";
                request["LAST_PAY_CNT"] = "12";
            }
            return request;
        }

        /// <summary>What the buyer's browser does: submit the window with a card; returns the RETURNURL post body.</summary>
        public string PayInWindow(string windowHtml, string cardNo)
        {
            var card = new Dictionary<string, object>
            {
                { "CARDNO", cardNo }, { "EXPIREDT", "3012" }, { "CARDAUTH", "900101" }, { "CARDPWD", "12" }, { "QUOTA", "00" },
            };
            var answer = Control("POST", "/_sandbox/checkout", new Dictionary<string, object> { { "window_html", windowHtml }, { "card", card } });
            return (string)answer["form_body"];
        }

        /// <summary>A paid order: (order, the decrypted payment).</summary>
        public Payment Pay(CookiePayClient client, Dictionary<string, object> order, string cardNo = CardOk)
        {
            var window = client.Ready(order);
            var post = CookiePayClient.ParseReturn(PayInWindow(window.Html, cardNo));
            return client.Decrypt(post.EncData);
        }

        public void Fault(string endpoint, string mode, int count, int delayMs = 0)
        {
            var body = new Dictionary<string, object> { { "endpoint", endpoint }, { "mode", mode }, { "count", count } };
            if (delayMs > 0) body["delay_ms"] = delayMs;
            Control("POST", "/_sandbox/faults", body);
        }

        public void Reset() { Control("POST", "/_sandbox/reset", new Dictionary<string, object>()); }

        public void Cancel(string tid) { Control("POST", "/_sandbox/payments/" + tid + "/cancel", new Dictionary<string, object>()); }

        /// <summary>The next cancel of this payment answers 9029 (settled: 입금후 취소 needed).</summary>
        public void Settle(string tid) { Control("POST", "/_sandbox/payments/" + tid + "/settle", new Dictionary<string, object>()); }

        /// <summary>Move the sandbox's clock forward; due recurring charges run. Answers the control API's JSON.</summary>
        public IDictionary<string, object> AdvanceDays(int days)
        {
            return Control("POST", "/_sandbox/clock", new Dictionary<string, object> { { "advance_days", days } });
        }

        /// <summary>Where the sandbox POSTs Notis from now on.</summary>
        public void NotiUrl(string url) { Control("POST", "/_sandbox/noti", new Dictionary<string, object> { { "url", url } }); }

        /// <summary>The Notis the sandbox has sent.</summary>
        public IDictionary<string, object> Notis() { return Control("GET", "/_sandbox/notis", null); }

        /// <summary>The recurring schedules as the sandbox keeps them.</summary>
        public IDictionary<string, object> Subscriptions() { return Control("GET", "/_sandbox/subscriptions", null); }

        /// <summary>Requests the sandbox has answered for an endpoint (token, ready, decrypt, paycert, …).</summary>
        public long Requests(string endpoint)
        {
            var stats = Control("GET", "/_sandbox/stats", null);
            var requests = (IDictionary<string, object>)stats["requests"];
            return (long)((IDictionary<string, object>)requests[endpoint])["total"];
        }

        /// <summary>Requests the sandbox has answered, all endpoints together.</summary>
        public long AllRequests()
        {
            var stats = Control("GET", "/_sandbox/stats", null);
            long total = 0;
            foreach (var endpoint in ((IDictionary<string, object>)stats["requests"]).Values)
                total += (long)((IDictionary<string, object>)endpoint)["total"];
            return total;
        }

        public IDictionary<string, object> Control(string method, string path, object body)
        {
            var request = (HttpWebRequest)WebRequest.Create(Url + path);
            request.Method = method;
            request.Proxy = null;
            request.KeepAlive = false;
            if (body != null)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(Json.Write(body));
                request.ContentType = "application/json";
                request.ContentLength = bytes.Length;
                using (var stream = request.GetRequestStream()) stream.Write(bytes, 0, bytes.Length);
            }
            try
            {
                using (var response = (HttpWebResponse)request.GetResponse())
                using (var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
                    return (IDictionary<string, object>)Json.Parse(reader.ReadToEnd());
            }
            catch (WebException e)
            {
                string detail = "";
                if (e.Response != null)
                    using (var reader = new StreamReader(e.Response.GetResponseStream(), Encoding.UTF8)) detail = reader.ReadToEnd();
                Assert.Fail("sandbox control " + method + " " + path + " failed: " + e.Message + " " + detail);
                throw;
            }
        }
    }

    /// <summary>A 통지 URL for tests: a minimal HTTP/1.1 server on a free loopback port that keeps every body
    /// it receives. A TcpListener, not HttpListener: on CoreCLR 3.1 HttpListener loads OpenSSL, whose 1.x the
    /// test machine lacks (test.sh runs this suite on Mono and on CoreCLR).</summary>
    public sealed class NotiSink : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        private readonly List<byte[]> bodies = new List<byte[]>();
        private readonly Thread thread;

        public string Url { get; private set; }

        public NotiSink()
        {
            listener.Start();
            Url = "http://127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port + "/noti/";
            thread = new Thread(Serve) { IsBackground = true };
            thread.Start();
        }

        private void Serve()
        {
            while (true)
            {
                System.Net.Sockets.TcpClient connection;
                // Asynchronous accept: on CoreCLR/Linux, Stop() waits for a blocking Accept to return (never).
                try { connection = listener.AcceptTcpClientAsync().GetAwaiter().GetResult(); }
                catch (Exception) { return; }
                using (connection)
                using (var stream = connection.GetStream())
                {
                    try
                    {
                        byte[] body = ReadRequestBody(stream);
                        lock (bodies) bodies.Add(body);
                        byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                        stream.Write(answer, 0, answer.Length);
                    }
                    catch (IOException)
                    {
                        // The sender gave up: nothing arrived.
                    }
                }
            }
        }

        // The body of one request: Content-Length or chunked.
        private static byte[] ReadRequestBody(Stream stream)
        {
            var headers = new StringBuilder();
            while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                int b = stream.ReadByte();
                if (b < 0) throw new IOException("connection closed in the headers");
                headers.Append((char)b);
            }
            long length = 0;
            bool chunked = false;
            foreach (string line in headers.ToString().Split(new[] { "\r\n" }, StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string name = line.Substring(0, colon).Trim(), value = line.Substring(colon + 1).Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value);
                if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.IndexOf("chunked", StringComparison.OrdinalIgnoreCase) >= 0) chunked = true;
            }
            var body = new MemoryStream();
            if (!chunked)
            {
                ReadExactly(stream, body, length);
                return body.ToArray();
            }
            while (true)
            {
                string size = ReadLine(stream);
                int semicolon = size.IndexOf(';');
                long chunk = Convert.ToInt64((semicolon < 0 ? size : size.Substring(0, semicolon)).Trim(), 16);
                if (chunk == 0) return body.ToArray();
                ReadExactly(stream, body, chunk);
                ReadLine(stream);
            }
        }

        private static void ReadExactly(Stream stream, MemoryStream into, long count)
        {
            var buffer = new byte[8192];
            while (count > 0)
            {
                int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
                if (n <= 0) throw new IOException("connection closed in the body");
                into.Write(buffer, 0, n);
                count -= n;
            }
        }

        private static string ReadLine(Stream stream)
        {
            var line = new StringBuilder();
            while (true)
            {
                int b = stream.ReadByte();
                if (b < 0) throw new IOException("connection closed in a chunk size");
                if (b == '\n') return line.ToString().TrimEnd('\r');
                line.Append((char)b);
            }
        }

        /// <summary>The bodies received so far, once at least <paramref name="count"/> arrived (or 10 s passed).</summary>
        public List<byte[]> WaitFor(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                lock (bodies)
                    if (bodies.Count >= count || DateTime.UtcNow > deadline) return new List<byte[]>(bodies);
                Thread.Sleep(50);
            }
        }

        public void Dispose() { listener.Stop(); }
    }
}
