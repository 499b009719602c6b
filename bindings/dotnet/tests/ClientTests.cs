// Every method and every exception kind of the binding, against a sandbox this fixture starts.

using System;
using System.Collections.Generic;
using System.Text;
using NUnit.Framework;

namespace CookiePay.Tests
{
    [TestFixture]
    public class ClientTests
    {
        private Sandbox sandbox;
        private CookiePayClient client;

        [TestFixtureSetUp]
        public void StartSandbox()
        {
            sandbox = new Sandbox();
            client = sandbox.Client();
        }

        [TestFixtureTearDown]
        public void StopSandbox()
        {
            if (client != null) client.Dispose();
            if (sandbox != null) sandbox.Dispose();
        }

        [SetUp]
        public void ClearFaultsAndStats()
        {
            sandbox.Reset();
        }

        private CookiePayClient ClientWithoutRetries(int timeoutMs = 5000)
        {
            var options = sandbox.Options();
            options.MaxRetries = 0;
            options.TimeoutMs = timeoutMs;
            return new CookiePayClient(options);
        }

        // ---- success paths ----

        [Test]
        public void ReportsLibraryVersionAndBindingName()
        {
            StringAssert.IsMatch(@"^\d+\.\d+\.\d+", CookiePayClient.LibraryVersion);
            StringAssert.StartsWith("dotnet/", CookiePayClient.BindingName);
            Assert.Greater(CookiePayClient.BindingName.Length, "dotnet/".Length);
            foreach (char c in CookiePayClient.BindingName) Assert.That(c > ' ' && c < 0x7f, "printable ASCII: " + CookiePayClient.BindingName);
        }

        [Test]
        public void BindingNameIsSentInTheUserAgent()
        {
            // The sandbox does not record headers: a one-request listener does.
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
                string head = null;
                var server = new System.Threading.Thread(() =>
                {
                    using (var socket = listener.AcceptTcpClient())
                    using (var stream = socket.GetStream())
                    {
                        var received = new StringBuilder();
                        var buffer = new byte[4096];
                        while (!received.ToString().Contains("\r\n\r\n"))
                        {
                            int n = stream.Read(buffer, 0, buffer.Length);
                            if (n == 0) break;
                            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        head = received.ToString();
                        byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                        stream.Write(answer, 0, answer.Length);
                    }
                });
                server.Start();
                var options = sandbox.Options();
                options.BaseUrl = "http://127.0.0.1:" + port;
                options.MaxRetries = 0;
                using (var probe = new CookiePayClient(options))
                    Assert.Throws<CookiePayHttpException>(() => probe.Token());
                Assert.IsTrue(server.Join(10000));
                StringAssert.IsMatch("(?im)^user-agent: cookiepay/[^\\r\\n]*" + System.Text.RegularExpressions.Regex.Escape(CookiePayClient.BindingName), head);
            }
            finally
            {
                listener.Stop();
            }
        }

        [Test]
        public void TokenIsFetchedOnceThenCached()
        {
            using (var fresh = sandbox.PrivateClient())
            {
                var first = fresh.Token();
                Assert.IsFalse(first.Cached);
                Assert.IsNotNullOrEmpty(first.Token);
                Assert.Greater(first.ExpiresAt, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                var second = fresh.Token();
                Assert.IsTrue(second.Cached);
                Assert.AreEqual(first.Token, second.Token);
                Assert.AreEqual(1, sandbox.Requests("token"));
                var forced = fresh.Token(forceRefresh: true);
                Assert.IsFalse(forced.Cached);
                Assert.AreEqual(2, sandbox.Requests("token"));
                // The TOKEN is a secret: not in the result's debug text.
                StringAssert.DoesNotContain(first.Token, first.ToString());
            }
        }

        [Test]
        public void WholeFlowKeepsHangulAndEmoji()
        {
            var order = Sandbox.Order(9900);
            string orderNo = (string)order["ORDERNO"];

            var window = client.Ready(order);
            Assert.AreEqual(orderNo, window.OrderNo);
            Assert.AreEqual("9900", window.Amount);
            StringAssert.Contains("<form", window.Html);
            StringAssert.Contains("\"ok\":true", window.RawJson);

            string formBody = sandbox.PayInWindow(window.Html, Sandbox.CardOk);
            var post = CookiePayClient.ParseReturn(formBody);
            Assert.IsTrue(post.Encrypted);
            Assert.IsTrue(post.Success);
            Assert.AreEqual(Sandbox.ApiId, post.ApiId);
            Assert.AreEqual("0000", post.ResultCode);
            Assert.IsNotNullOrEmpty(post.EncData);

            var payment = client.Decrypt(post.EncData);
            Assert.AreEqual("0000", payment.ResultCode);
            Assert.AreEqual(orderNo, payment.OrderNo);
            Assert.AreEqual("9900", payment.Amount);
            Assert.IsNotNullOrEmpty(payment.Tid);
            Assert.IsNotNullOrEmpty(payment.BillKey);
            Assert.AreEqual("메모 ✓ 😀", payment["ETC1"], "한글 and emoji survive ready → window → decrypt");
            // Both spellings of the vendor's fields are present.
            Assert.AreEqual(payment["ACCEPTNO"], payment["ACCEPT_NO"]);
            Assert.AreEqual(payment.AcceptNo, payment["ACCEPTNO"]);

            var cert = client.Paycert(payment.Tid);
            Assert.AreEqual(payment.Tid, cert.Tid);
            Assert.AreEqual(orderNo, cert.OrderNo);
            Assert.AreEqual("쿠키 정기구독 🍪", cert["PRODUCTNAME"]);
            Assert.AreEqual("홍길동", cert["BUYERNAME"]);
            Assert.IsNull(cert["NO_SUCH_FIELD"]);
            Assert.IsFalse(cert.Has("NO_SUCH_FIELD"));

            var verified = client.Verify(payment.Tid, orderNo, 9900);
            Assert.AreEqual(payment.Tid, verified.Tid);
            var verifiedByFields = client.Verify(payment.Tid, new Dictionary<string, object>
            {
                { "ORDERNO", orderNo }, { "AMOUNT", "9900" }, { "BUYERNAME", "홍길동" },
            });
            Assert.AreEqual("9900", verifiedByFields.Amount);

            // Debug text names fields only: no BILLKEY, no card number anywhere.
            StringAssert.DoesNotContain(payment.BillKey, payment.ToString());
            StringAssert.DoesNotContain(Sandbox.CardOk, payment.RawJson);
            StringAssert.DoesNotContain(Sandbox.CardOk, cert.RawJson);
        }

        [Test]
        public void ParseReturnDecodesPlusPercentAndHangul()
        {
            string body = "API_ID=sandbox_demo01&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5&ENC_DATA=ab+c%2Bd%3D%3D";
            var post = CookiePayClient.ParseReturn(body);
            Assert.IsTrue(post.Encrypted);
            Assert.IsTrue(post.Success);
            Assert.AreEqual("성공", post.ResultMsg);
            Assert.AreEqual("ab+c+d==", post.EncData, "'+' in Base64 stays '+', %2B becomes '+'");
            var fromBytes = CookiePayClient.ParseReturn(Encoding.ASCII.GetBytes(body));
            Assert.AreEqual(post.RawJson, fromBytes.RawJson);

            var failed = CookiePayClient.ParseReturn("RESULTCODE=9999&RESULTMSG=%EC%B7%A8%EC%86%8C");
            Assert.IsFalse(failed.Encrypted);
            Assert.IsFalse(failed.Success);
            Assert.AreEqual("취소", failed.ResultMsg);
        }

        // Issue 11 item 2: the same crafted posts, with the same messages, as the PHP and Java suites.
        private static readonly string[][] CraftedReturnPosts =
        {
            new[] { "RESULTCODE=9999&success=false", "the return post carries a field named success: not a CookiePay return post" },
            new[] { "RESULTCODE=9999&success=1&encrypted=0", "the return post carries a field named encrypted: not a CookiePay return post" },
            new[] { "RESULTCODE=0000&TID=T1\0&ENC_DATA=x", "the return body contains a NUL byte" },
            new[] { "RESULTCODE=0000\0", "the return body contains a NUL byte" },
        };

        [Test]
        public void AReturnPostCannotSetItsOwnSuccess()
        {
            foreach (var crafted in CraftedReturnPosts)
            {
                // As text and as the bytes that arrived: a NUL is handed over, never cut at.
                var e = Assert.Throws<CookiePayInvalidArgumentException>(() => CookiePayClient.ParseReturn(crafted[0]), crafted[0]);
                Assert.AreEqual(crafted[1], e.Message);
                Assert.AreEqual("invalid_argument", e.Kind);
                e = Assert.Throws<CookiePayInvalidArgumentException>(() => CookiePayClient.ParseReturn(Encoding.UTF8.GetBytes(crafted[0])), crafted[0]);
                Assert.AreEqual(crafted[1], e.Message);
            }

            // A decline computes the JSON boolean false, not a string.
            var declined = CookiePayClient.ParseReturn("RESULTCODE=9999&RESULTMSG=x");
            Assert.AreEqual(false, declined.GetValue("success"));
            Assert.IsInstanceOf<bool>(declined.GetValue("success"));
            Assert.IsFalse(declined.Success);
            Assert.AreEqual("9999", declined.ResultCode);
        }

        [Test]
        public void RetriesAServerErrorOfAReadOnlyCall()
        {
            var payment = sandbox.Pay(client, Sandbox.Order(1000));
            long before = sandbox.Requests("paycert");
            sandbox.Fault("paycert", "http_500", 1);
            Assert.AreEqual(payment.Tid, client.Paycert(payment.Tid).Tid);
            Assert.AreEqual(before + 2, sandbox.Requests("paycert"));
        }

        // ---- one test per error kind ----

        [Test]
        public void InvalidArgument()
        {
            var e = Assert.Throws<CookiePayInvalidArgumentException>(() => client.Ready(null));
            Assert.AreEqual("invalid_argument", e.Kind);
            StringAssert.Contains("\"kind\":\"invalid_argument\"", e.ErrorJson);
            Assert.Throws<CookiePayInvalidArgumentException>(() => CookiePayClient.ParseReturn((string)null));
            Assert.Throws<CookiePayInvalidArgumentException>(() => CookiePayClient.ParseReturn((byte[])null));
        }

        [Test]
        public void ValidationListsEveryProblemAtOnce()
        {
            var e = Assert.Throws<CookiePayValidationException>(() => client.Ready(new Dictionary<string, object>()));
            Assert.AreEqual("validation", e.Kind);
            var names = new List<string>();
            foreach (var f in e.Fields)
            {
                names.Add(f.Field);
                Assert.AreEqual("required", f.Rule);
                Assert.IsNotNullOrEmpty(f.Message);
            }
            CollectionAssert.IsSubsetOf(new[] { "ORDERNO", "PRODUCTNAME", "AMOUNT", "BUYERNAME", "RETURNURL" }, names);
            Assert.AreEqual(0, sandbox.Requests("ready"), "nothing is sent when validation fails");

            var noTid = Assert.Throws<CookiePayValidationException>(() => client.Paycert(""));
            Assert.AreEqual("tid", noTid.Fields[0].Field);
            Assert.IsInstanceOf<CookiePayException>(noTid);
        }

        [Test]
        public void ApiErrorCarriesCodeAndResponse()
        {
            var e = Assert.Throws<CookiePayApiException>(() => client.Paycert("SBX00000000000000000"));
            Assert.AreEqual("api", e.Kind);
            Assert.IsNotNullOrEmpty(e.Code);
            Assert.AreNotEqual("0000", e.Code);
            Assert.IsNotNullOrEmpty(e.ApiMessage);
            Assert.AreEqual(e.Code, e.Response["RESULTCODE"]);
            StringAssert.Contains(e.Code, e.Message);
        }

        [Test]
        public void DeclinedCardIsAnInnerApiError()
        {
            var window = client.Ready(Sandbox.Order(5000));
            var post = CookiePayClient.ParseReturn(sandbox.PayInWindow(window.Html, Sandbox.CardLimit));
            var e = Assert.Throws<CookiePayApiException>(() => client.Decrypt(post.EncData));
            Assert.AreEqual("inner", e.Layer);
            Assert.AreNotEqual("0000", e.Code);

            var outer = Assert.Throws<CookiePayApiException>(() => client.Decrypt("bm90IG91ciBkYXRh"));
            Assert.AreEqual("outer", outer.Layer);
        }

        [Test]
        public void VerificationFailsOnAmountAndCancellation()
        {
            var order = Sandbox.Order(9900);
            var payment = sandbox.Pay(client, order);
            var e = Assert.Throws<CookiePayVerificationException>(
                () => client.Verify(payment.Tid, (string)order["ORDERNO"], 99000));
            Assert.AreEqual("verification_failed", e.Kind);
            Assert.AreEqual(1, e.Mismatches.Count);
            Assert.AreEqual("AMOUNT", e.Mismatches[0].Field);
            Assert.AreEqual(99000L, e.Mismatches[0].Expected);
            Assert.AreEqual(payment.Tid, e.Payment["TID"]);

            var wrongName = Assert.Throws<CookiePayVerificationException>(() => client.Verify(payment.Tid,
                new Dictionary<string, object> { { "ORDERNO", order["ORDERNO"] }, { "AMOUNT", 9900 }, { "BUYERNAME", "김철수" } }));
            Assert.AreEqual("BUYERNAME", wrongName.Mismatches[0].Field);
            Assert.AreEqual("김철수", wrongName.Mismatches[0].Expected);
            Assert.AreEqual("홍길동", wrongName.Mismatches[0].Actual);

            sandbox.Cancel(payment.Tid);
            var cancelled = Assert.Throws<CookiePayVerificationException>(
                () => client.Verify(payment.Tid, (string)order["ORDERNO"], 9900));
            Assert.IsNotNullOrEmpty((string)cancelled.Payment["CANCELDATE"]);
        }

        [Test]
        public void NetworkErrorSaysConnect()
        {
            var options = sandbox.Options();
            options.BaseUrl = "http://127.0.0.1:1";
            options.MaxRetries = 0;
            using (var offline = new CookiePayClient(options))
            {
                var e = Assert.Throws<CookiePayNetworkException>(() => offline.Paycert("SBX00000000000000000"));
                Assert.AreEqual("network", e.Kind);
                Assert.AreEqual("connect", e.Phase);
                Assert.AreEqual("not_applied", e.Outcome);
                Assert.IsFalse(e.OutcomeUnknown);
            }
        }

        [Test]
        public void TimeoutOfReadyHasAnUnknownOutcome()
        {
            using (var impatient = ClientWithoutRetries(timeoutMs: 300))
            {
                impatient.Token(); // so that only ready is slow
                sandbox.Fault("ready", "delay", 1, delayMs: 1500);
                var e = Assert.Throws<CookiePayTimeoutException>(() => impatient.Ready(Sandbox.Order(1000)));
                Assert.AreEqual("timeout", e.Kind);
                Assert.IsTrue(e.OutcomeUnknown, "ready may have reached CookiePay: " + e.ErrorJson);

                sandbox.Fault("paycert", "delay", 1, delayMs: 1500);
                var readOnly = Assert.Throws<CookiePayTimeoutException>(() => impatient.Paycert("SBX00000000000000000"));
                Assert.AreEqual("not_applied", readOnly.Outcome);
            }
        }

        [Test]
        public void HttpErrorCarriesStatus()
        {
            using (var once = ClientWithoutRetries())
            {
                once.Token();
                sandbox.Fault("paycert", "http_500", 1);
                var e = Assert.Throws<CookiePayHttpException>(() => once.Paycert("SBX00000000000000000"));
                Assert.AreEqual("http", e.Kind);
                Assert.AreEqual(500, e.Status);
                Assert.IsNotNull(e.Excerpt);
            }
        }

        [Test]
        public void DecodeErrorCarriesAnExcerpt()
        {
            using (var once = ClientWithoutRetries())
            {
                once.Token();
                sandbox.Fault("paycert", "invalid_json", 1);
                var e = Assert.Throws<CookiePayDecodeException>(() => once.Paycert("SBX00000000000000000"));
                Assert.AreEqual("decode", e.Kind);
                Assert.IsNotNullOrEmpty(e.Excerpt);
            }
        }

        [Test]
        public void InternalAndUnknownKindsMapToTheirClasses()
        {
            // The core cannot be made to fail on purpose; check the mapping with envelopes of its shape.
            const string internalEnvelope = "{\"ok\":false,\"error\":{\"kind\":\"internal\",\"message\":\"internal error: boom\"}}";
            var e = CookiePayException.FromError(Error(internalEnvelope), internalEnvelope);
            Assert.IsInstanceOf<CookiePayInternalException>(e);
            Assert.AreEqual("internal error: boom", e.Message);
            Assert.AreEqual(internalEnvelope, e.ErrorJson);

            const string newKind = "{\"ok\":false,\"error\":{\"kind\":\"rate_limited\",\"message\":\"slow down\",\"retry_after\":3}}";
            var future = CookiePayException.FromError(Error(newKind), newKind);
            Assert.AreEqual(typeof(CookiePayException), future.GetType());
            Assert.AreEqual("rate_limited", future.Kind);
            Assert.AreEqual(3L, future.Error["retry_after"]);
        }

        private static IDictionary<string, object> Error(string envelope)
        {
            return (IDictionary<string, object>)((IDictionary<string, object>)Json.Parse(envelope))["error"];
        }

        // ---- configuration and secrets ----

        [Test]
        public void BadConfigIsAValidationErrorWithoutTheKey()
        {
            var options = sandbox.Options();
            options.TimeoutMs = -1;
            var e = Assert.Throws<CookiePayValidationException>(() => new CookiePayClient(options));
            Assert.AreEqual("timeout_ms", e.Fields[0].Field);
            StringAssert.DoesNotContain(Sandbox.ApiKey, e.ToString());
            StringAssert.DoesNotContain(Sandbox.ApiKey, e.ErrorJson);
            StringAssert.DoesNotContain(Sandbox.ApiKey, options.ToString());

            var missing = Assert.Throws<CookiePayValidationException>(() => new CookiePayClient(new CookiePayOptions { BaseUrl = sandbox.Url }));
            var fields = new List<string>();
            foreach (var f in missing.Fields) fields.Add(f.Field);
            CollectionAssert.Contains(fields, "api_id");
            CollectionAssert.Contains(fields, "api_key");
            Assert.Throws<ArgumentNullException>(() => new CookiePayClient((IDictionary<string, object>)null));
        }

        [Test]
        public void RawConfigKeysAreAccepted()
        {
            var config = new Dictionary<string, object>
            {
                { "base_url", sandbox.Url }, { "api_id", Sandbox.ApiId }, { "api_key", Sandbox.ApiKey }, { "binding", "dotnet-tests/1" },
            };
            using (var raw = new CookiePayClient(config))
                Assert.IsNotNullOrEmpty(raw.Token().Token);
        }

        [Test]
        public void WrongKeyNeverAppearsInTheError()
        {
            const string wrongKey = "sbxkey_WRONG0123456789abcdefghijklmnopqrstuvwxyzAB";
            var options = sandbox.Options();
            options.ApiKey = wrongKey;
            using (var wrong = new CookiePayClient(options))
            {
                var e = Assert.Throws<CookiePayApiException>(() => wrong.Paycert("SBX00000000000000000"));
                StringAssert.DoesNotContain(wrongKey, e.ToString());
                StringAssert.DoesNotContain(wrongKey, e.ErrorJson);
            }
        }

        [Test]
        public void TokenNeverAppearsInErrors()
        {
            using (var once = ClientWithoutRetries())
            {
                string token = once.Token().Token;
                sandbox.Fault("paycert", "http_500", 1);
                var http = Assert.Throws<CookiePayHttpException>(() => once.Paycert("SBX00000000000000000"));
                var api = Assert.Throws<CookiePayApiException>(() => once.Paycert("SBX00000000000000000"));
                foreach (var e in new CookiePayException[] { http, api })
                {
                    StringAssert.DoesNotContain(token, e.ToString());
                    StringAssert.DoesNotContain(token, e.ErrorJson);
                }
            }
        }

        [Test]
        public void HttpsTrustsAnExtraCaAndOtherwiseFailsInTls()
        {
            using (var tlsSandbox = new Sandbox(tls: true))
            {
                var options = tlsSandbox.Options();
                options.BaseUrl = tlsSandbox.HttpsUrl;
                options.MaxRetries = 0;
                using (var untrusting = new CookiePayClient(options))
                {
                    var e = Assert.Throws<CookiePayNetworkException>(() => untrusting.Token());
                    Assert.AreEqual("tls", e.Phase);
                }
                options.CaCertPem = tlsSandbox.CaPem; // multi-line PEM: newlines travel as JSON escapes
                using (var trusting = new CookiePayClient(options))
                    Assert.IsNotNullOrEmpty(trusting.Token().Token);
            }
        }

        // ---- lifetime ----

        [Test]
        public void DisposeTwiceIsHarmlessAndUseAfterDisposeThrows()
        {
            var shortLived = sandbox.Client();
            Assert.IsNotNullOrEmpty(shortLived.Token().Token);
            shortLived.Dispose();
            shortLived.Dispose();
            Assert.Throws<ObjectDisposedException>(() => shortLived.Token());
            Assert.Throws<ObjectDisposedException>(() => shortLived.Ready(Sandbox.Order(1000)));
            Assert.Throws<ObjectDisposedException>(() => shortLived.Decrypt("x"));
            Assert.Throws<ObjectDisposedException>(() => shortLived.Paycert("x"));
            Assert.Throws<ObjectDisposedException>(() => shortLived.Verify("x", "o", 1));
            // Parsing needs no client and keeps working.
            Assert.IsTrue(CookiePayClient.ParseReturn("RESULTCODE=0000&RESULTMSG=ok&ENC_DATA=x").Encrypted);
        }
    }
}
