// `make demo` for C#: the whole 정기결제 (인증방식) flow through HomeController against a sandbox that
// scripts/with-sandbox.sh starts. The buyer's browser is played by two HTTP requests to the sandbox's
// test-only /_sandbox/checkout endpoint.

using System;
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
            }
            Console.WriteLine("\nDone.");
            return 0;
        }

        private static void Step(int n, string title) { Console.WriteLine("\n[{0}] {1}", n, title); }

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

        private static string Post(string url, string json)
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
}
