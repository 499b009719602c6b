// `make demo` for C#: the whole 정기결제 (인증방식) flow through HomeController against a sandbox that
// scripts/with-sandbox.sh starts, then subscriptions (정기결제 비인증) through SubscriptionController:
// sign-up, a charge claimed once by two concurrent runs, a lost answer settled with Paysearch, Notis,
// refunds and the end of the subscription. The buyer's browser is played by two HTTP requests to the
// sandbox's test-only /_sandbox/checkout endpoint; its clock and fault controls stand in for time
// passing and a slow network.

using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using CookiePay;
using Shop.Controllers;

namespace Shop
{
    public static class Program
    {
        private const string CardOk = "4111111111111111";
        private const string CardDeclined = "4000000000009995";

        public static int Main()
        {
            string sandboxUrl = Env("COOKIEPAY_SANDBOX_URL");
            Console.WriteLine("cookiepay {0} via {1}, sandbox at {2}", CookiePayClient.LibraryVersion, CookiePayClient.BindingName, sandboxUrl);

            var options = new CookiePayOptions { BaseUrl = sandboxUrl, ApiId = Env("COOKIEPAY_API_ID"), ApiKey = Env("COOKIEPAY_API_KEY") };
            using (var cookiepay = new CookiePayClient(options))
            {
                var orders = new OrderTable();
                var home = new HomeController(cookiepay, orders);
                const string returnUrl = "https://shop.example/Home/Return";

                Step(1, "ReadyCall: the order is stored as 결제대기 and the window HTML goes to the browser");
                string html = home.ReadyCall("쿠키 정기구독 (월간) 🍪", 9900, "홍길동", "buyer@example.com", returnUrl);
                string orderNo = orders.LastOrderNo;
                Console.WriteLine("order {0}: {1}, {2} bytes of HTML", orderNo, orders.StatusOf(orderNo), Encoding.UTF8.GetByteCount(html));

                Step(2, "the buyer enters 카유생비 (test card 4111 1111 1111 1111); the browser posts to RETURNURL");
                string body = Browser.Pay(sandboxUrl, html, CardOk);
                Console.WriteLine(body.Length > 120 ? body.Substring(0, 120) + "…" : body);

                Step(3, "Return: parse the post, decrypt ENC_DATA, verify with paycert, mark the order paid once");
                Console.WriteLine(home.Return(Encoding.ASCII.GetBytes(body)));
                Console.WriteLine("order {0}: {1}", orderNo, orders.StatusOf(orderNo));
                if (orders.StatusOf(orderNo) != "결제성공") return Fail("the order was not marked paid");

                Step(4, "the same post again (a reload): nothing is marked twice");
                Console.WriteLine(home.Return(Encoding.ASCII.GetBytes(body)));

                Step(5, "Paycert: the manual's action, TOKEN included");
                string tid = orders.TidOf(orderNo);
                Console.WriteLine(home.Paycert(tid));

                Step(6, "a shop that stored 99,000원 for this order would be told");
                try
                {
                    cookiepay.Verify(tid, orderNo, 99000);
                    return Fail("a wrong amount was accepted");
                }
                catch (CookiePayVerificationException e)
                {
                    Console.WriteLine("{0}: {1} ({2} mismatch)", e.GetType().Name, e.Message, e.Mismatches.Count);
                }

                Step(7, "a declined card (4000 0000 0000 9995, 한도초과)");
                string secondWindow = home.ReadyCall("쿠키 정기구독 (월간) 🍪", 9900, "김철수", "kim@example.com", returnUrl);
                string declinedBody = Browser.Pay(sandboxUrl, secondWindow, CardDeclined);
                Console.WriteLine(home.Return(Encoding.ASCII.GetBytes(declinedBody)));

                Step(8, "an order the manual's rules reject (PRODUCTNAME with '&', no buyer name): nothing is sent");
                Console.WriteLine(home.ReadyCall("A & B", 9900, "", "buyer@example.com", returnUrl));

                Step(9, "forged posts (a real TID, an attacker's BILLKEY, computed fields): only decrypt and paycert change an order");
                int forged = ForgedPosts(cookiepay, home, orders, sandboxUrl, returnUrl);
                if (forged != 0) return forged;

                int failed = Subscriptions(cookiepay, options, sandboxUrl);
                if (failed != 0) return failed;
            }
            Console.WriteLine("\nDone.");
            return 0;
        }

        /// <summary>정기결제 비인증: sign-up, charges claimed once, a lost answer settled, Notis, refunds, the end.</summary>
        private static int Subscriptions(CookiePayClient cookiepay, CookiePayOptions options, string sandboxUrl)
        {
            var charges = new ChargeTable();
            var subscriptions = new SubscriptionController(cookiepay, charges);
            string expiry = DateTime.UtcNow.AddYears(3).ToString("yyMM");

            // The shop's 통지 URL: a listener in this process, registered with the sandbox (with CookiePay: in
            // its dashboard). Received bodies wait in a queue so that the steps' output stays in order.
            var notis = new NotiEndpoint();
            Control(sandboxUrl, "/_sandbox/noti", "{\"url\":\"" + notis.Url + "\"}");

            Step(10, "SignUp: billing key + first charge + monthly schedule in one Billkeygen call (card data never stored)");
            Console.WriteLine(subscriptions.SignUp("홍길동", "buyer@example.com", 9900, "05", CardOk, expiry, "900101", "12"));
            const string signUp = "C1";
            if (charges.Get(signUp).Status != "paid") return Fail("the sign-up was not charged");

            Step(11, "the same card form with a bad card number, a past expiry, a 5-digit birth date: nothing is sent");
            Console.WriteLine(subscriptions.SignUp("홍길동", "buyer@example.com", 9900, "05", "4111111111111112", "2001", "90010", "12"));

            Step(12, "one way per subscription: this one has CookiePay's schedule, so the shop's own job refuses to charge a cycle of it");
            ChargeRow signUpRow = charges.Get(signUp);
            long before = SandboxCount(sandboxUrl, "recurring_charge");
            string own = charges.CreatePending("cycle", 9900, signUpRow.ReserveId, signUpRow.BillKey, signUpRow.Tag).Id;
            Console.WriteLine(subscriptions.ChargeCycle(own));
            if (SandboxCount(sandboxUrl, "recurring_charge") != before) return Fail("a cycle of a schedule-mode subscription was charged by the shop");

            Step(13, "a declined month charged again (a retry): two job runs at once, one conditional UPDATE → one charge");
            string cycle = charges.CreateRetry(signUpRow, "2").Id;
            var answers = new string[2];
            var runs = new System.Threading.Thread[2];
            for (int i = 0; i < 2; i++)
            {
                int me = i;
                runs[i] = new System.Threading.Thread(() => answers[me] = subscriptions.ChargeCycle(cycle));
                runs[i].Start();
            }
            foreach (var run in runs) run.Join();
            foreach (string answer in answers) Console.WriteLine(answer);
            long sent = SandboxCount(sandboxUrl, "recurring_charge") - before;
            Console.WriteLine("recurring_charge requests CookiePay received: {0}", sent);
            if (sent != 1) return Fail("the cycle was charged " + sent + " times");

            Step(14, "the answer is lost (CookiePay is slow, our timeout 300 ms): outcome unknown → settle with Paysearch");
            var impatientOptions = new CookiePayOptions { BaseUrl = options.BaseUrl, ApiId = options.ApiId, ApiKey = options.ApiKey, TimeoutMs = 300 };
            using (var impatient = new CookiePayClient(impatientOptions))
            {
                var slow = new SubscriptionController(impatient, charges);
                string lost = charges.CreateRetry(signUpRow, "3").Id;
                Control(sandboxUrl, "/_sandbox/faults", "{\"endpoint\":\"recurring_charge\",\"mode\":\"delay\",\"delay_ms\":1500,\"count\":1}");
                before = SandboxCount(sandboxUrl, "recurring_charge");
                Console.WriteLine(slow.ChargeCycle(lost));
                Console.WriteLine(subscriptions.ChargeCycle(lost));     // another run: the row is not 'pending'
                System.Threading.Thread.Sleep(2000);                     // meanwhile CookiePay finished the charge
                Console.WriteLine(subscriptions.Settle(lost, TimeSpan.FromMinutes(1)));
                sent = SandboxCount(sandboxUrl, "recurring_charge") - before;
                Console.WriteLine("recurring_charge requests CookiePay received: {0}; the row is {1}", sent, charges.Get(lost).Status);
                if (sent != 1 || charges.Get(lost).Status != "paid") return Fail("the lost charge was not settled once");
            }

            Step(15, "CookiePay charges the next cycle on PAY_DAY by itself (the sandbox's clock moved 70 days); then the Notis\n"
                + "     it posted to our 통지 URL: unauthenticated, so each is confirmed with paycert, and each handled once");
            Control(sandboxUrl, "/_sandbox/clock", "{\"advance_days\":70}");
            System.Threading.Thread.Sleep(500);
            byte[] body;
            byte[] last = null;
            while (notis.TryTake(out body))
            {
                Console.WriteLine(subscriptions.Noti(body));
                last = body;
            }
            if (last == null) return Fail("no Noti arrived");
            Console.WriteLine("the last one again (CookiePay may resend): " + subscriptions.Noti(last));

            Step(16, "refunds of the sign-up charge: 3,000원, then more than is left, then the rest, then again");
            Console.WriteLine(subscriptions.Refund(signUp, 3000, "부분 환불"));
            Console.WriteLine(subscriptions.Refund(signUp, 9000, "남은 금액 초과"));
            Console.WriteLine(subscriptions.Refund(signUp, null, "나머지 환불"));
            Console.WriteLine(subscriptions.Refund(signUp, null, "고객 요청"));

            Step(17, "ending the subscription: cancel the schedule and delete the billing key; a second time is harmless");
            Console.WriteLine(subscriptions.Unsubscribe(signUp));
            Console.WriteLine(subscriptions.Unsubscribe(signUp));
            Console.WriteLine("receipt of the first charge: {0}", cookiepay.ReceiptUrl(signUpRow.Tid));
            notis.Dispose();
            return 0;
        }

        /// <summary>
        /// Issue 11 item 3: a buyer pays but the browser never comes back; someone who learnt the TID
        /// (a receipt, a screenshot) posts the payment's fields in plaintext with their own BILLKEY and
        /// another order's ORDERNO. The shop must mark paid only what paycert confirms, for the order
        /// paycert names, and never store that BILLKEY.
        /// </summary>
        private static int ForgedPosts(CookiePayClient cookiepay, HomeController home, OrderTable orders, string sandboxUrl, string returnUrl)
        {
            const string attackerKey = "ATTACKERBILLKEY0123456789";
            string html = home.ReadyCall("쿠키 선물세트 🍪", 25000, "이영희", "lee@example.com", returnUrl);
            string paidOrder = orders.LastOrderNo;
            string lostPost = Browser.Pay(sandboxUrl, html, CardOk);
            string tid = cookiepay.Decrypt(CookiePayClient.ParseReturn(lostPost).EncData).Tid;
            home.ReadyCall("쿠키 선물세트 🍪", 25000, "공격자", "evil@example.com", returnUrl);
            string otherOrder = orders.LastOrderNo;

            string forged = "RESULTCODE=0000&RESULTMSG=ok&TID=" + tid + "&ORDERNO=" + otherOrder + "&AMOUNT=25000&BILLKEY=" + attackerKey;
            Console.WriteLine("real TID, another ORDERNO, own BILLKEY: " + home.Return(Encoding.ASCII.GetBytes(forged)));
            if (orders.StatusOf(otherOrder) != "결제대기") return Fail("an order was marked paid by another order's TID");
            if (orders.StatusOf(paidOrder) != "결제성공" || orders.TidOf(paidOrder) != tid)
                return Fail("the payment paycert confirmed was not recorded for its own order");
            if (orders.BillKeyOf(paidOrder) != null || orders.BillKeyOf(otherOrder) != null)
                return Fail("a BILLKEY from a plaintext post was stored");

            string unknown = "RESULTCODE=0000&TID=SBX000000000000NONE&ORDERNO=" + otherOrder + "&AMOUNT=25000&BILLKEY=" + attackerKey;
            Console.WriteLine("a TID CookiePay does not know: " + home.Return(Encoding.ASCII.GetBytes(unknown)));
            string voting = "RESULTCODE=9999&success=1&encrypted=0&TID=" + tid + "&ORDERNO=" + otherOrder;
            Console.WriteLine("a post that sets success itself: " + home.Return(Encoding.ASCII.GetBytes(voting)));
            if (orders.StatusOf(otherOrder) != "결제대기" || orders.BillKeyOf(otherOrder) != null)
                return Fail("a forged post changed an order");
            Console.WriteLine("order {0}: {1}, BILLKEY stored: {2}; order {3}: {4}", paidOrder, orders.StatusOf(paidOrder),
                orders.BillKeyOf(paidOrder) != null, otherOrder, orders.StatusOf(otherOrder));
            return 0;
        }

        private static void Step(int n, string title) { Console.WriteLine("\n[{0}] {1}", n, title); }

        /// <summary>Requests the sandbox received for one endpoint (its test-only /_sandbox/stats:
        /// <c>"endpoint":{"total":N,…}</c>).</summary>
        private static long SandboxCount(string sandboxUrl, string endpoint)
        {
            string stats = Browser.Get(sandboxUrl + "/_sandbox/stats");
            Match total = Regex.Match(stats, "\"" + Regex.Escape(endpoint) + "\":\\{[^{}]*?\"total\":(\\d+)");
            return total.Success ? long.Parse(total.Groups[1].Value) : 0;
        }

        private static void Control(string sandboxUrl, string path, string json) { Browser.Post(sandboxUrl + path, json); }

        private static int Fail(string why)
        {
            Console.Error.WriteLine("demo failed: " + why);
            return 1;
        }

        private static string Env(string name)
        {
            string value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                Console.Error.WriteLine(name + " is not set: run me through scripts/with-sandbox.sh (bindings/dotnet/demo.sh)");
                Environment.Exit(2);
            }
            return value;
        }
    }

    /// <summary>What the buyer's browser does with the window, shortened through the sandbox's test endpoint.</summary>
    internal static class Browser
    {
        public static string Pay(string sandboxUrl, string html, string cardNo)
        {
            // The window's form posts to /pay/window/{id}; the sandbox's checkout submits it for us.
            Match window = Regex.Match(html, "(/pay/window/[A-Za-z0-9]+)");
            if (!window.Success) throw new InvalidOperationException("no payment window in the HTML");
            string request = "{\"window_path\":\"" + window.Groups[1].Value + "\",\"card\":{\"CARDNO\":\"" + cardNo
                + "\",\"EXPIREDT\":\"3012\",\"CARDAUTH\":\"900101\",\"CARDPWD\":\"12\",\"QUOTA\":\"00\"}}";
            string answer = Post(sandboxUrl + "/_sandbox/checkout", request);
            // form_body is URL-encoded, so it holds no quote or backslash to unescape.
            Match body = Regex.Match(answer, "\"form_body\":\"([^\"]*)\"");
            if (!body.Success) throw new InvalidOperationException("the sandbox did not return a form body");
            return body.Groups[1].Value;
        }

        public static string Get(string url)
        {
            var request = (HttpWebRequest)WebRequest.Create(url);
            request.Proxy = null;
            using (var response = (HttpWebResponse)request.GetResponse())
            using (var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
                return reader.ReadToEnd();
        }

        public static string Post(string url, string json)
        {
            var request = (HttpWebRequest)WebRequest.Create(url);
            request.Method = "POST";
            request.Proxy = null;
            request.ContentType = "application/json";
            byte[] bytes = Encoding.UTF8.GetBytes(json);
            request.ContentLength = bytes.Length;
            using (var stream = request.GetRequestStream()) stream.Write(bytes, 0, bytes.Length);
            using (var response = (HttpWebResponse)request.GetResponse())
            using (var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
                return reader.ReadToEnd();
        }
    }

    /// <summary>The shop's 통지 URL for the demo: an HttpListener on a free loopback port that queues each body.</summary>
    internal sealed class NotiEndpoint : IDisposable
    {
        private readonly HttpListener listener = new HttpListener();
        private readonly System.Collections.Concurrent.BlockingCollection<byte[]> bodies =
            new System.Collections.Concurrent.BlockingCollection<byte[]>();

        public string Url { get; private set; }

        public NotiEndpoint()
        {
            var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = "http://127.0.0.1:" + port + "/cookiepay/noti/";
            listener.Prefixes.Add(Url);
            listener.Start();
            var thread = new System.Threading.Thread(Serve) { IsBackground = true };
            thread.Start();
        }

        private void Serve()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = listener.GetContext(); }
                catch (Exception) { return; }   // stopped
                using (var buffer = new MemoryStream())
                {
                    context.Request.InputStream.CopyTo(buffer);   // the raw body, as Request.InputStream in MVC
                    bodies.Add(buffer.ToArray());
                }
                // The reply format is not documented; P1 answers an empty 200 to recurring Notis.
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        public bool TryTake(out byte[] body) { return bodies.TryTake(out body, 200); }

        public void Dispose() { listener.Close(); }
    }
}
