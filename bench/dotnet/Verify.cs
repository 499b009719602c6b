// C# contenders of bench/run.sh. "binding": CookiePay.dll. "manual-sample": the manual's
// HomeController.Paycert code (HttpWebRequest, a TOKEN request then a paycert request, read with
// StreamReader), changed only in its domain and in trusting the sandbox's test CA. The best
// hand-written patterns on Mono: "httpwebrequest-tuned" (the same HttpWebRequest code with Nagle's
// algorithm and Expect: 100-continue off, which .NET Framework and Mono turn on by default and which
// cost a round trip and a delayed ACK per POST) and "httpclient" (one System.Net.Http.HttpClient
// reused, same ServicePointManager settings). Scenario "verify" adds the comparison with the stored
// order (ORDERNO, AMOUNT, not cancelled); "concurrent" runs BENCH_THREADS threads on one client.
// The same assembly runs on Mono and on CoreCLR (bench/dotnet/contender.sh); its "lang" names the
// runtime, since each has its own HTTP stack: on CoreCLR, HttpClient is SocketsHttpHandler and
// HttpWebRequest builds a new HttpClient (a new connection) per request.
// Prints one JSON line.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CookiePay;

static class Verify
{
    /// <summary>"dotnet-mono" or "dotnet-coreclr": the runtime running this process.</summary>
    static readonly string Lang = Type.GetType("Mono.Runtime") != null ? "dotnet-mono" : "dotnet-coreclr";

    static string Env(string name)
    {
        var v = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(v)) throw new InvalidOperationException(name + " is not set (run bench/run.sh)");
        return v;
    }

    static long PeakRssKb()
    {
        foreach (var line in File.ReadAllLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries)[1]);
        return 0;
    }

    static string Post(string url, string json, string headerName, string headerValue)
    {
        HttpWebRequest request = (HttpWebRequest)WebRequest.Create(url);
        request.Method = "POST";
        request.ContentType = "application/json";
        if (headerName != null) request.Headers.Add(headerName, headerValue);
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        request.ContentLength = bytes.Length;
        Stream reqStream = request.GetRequestStream();
        reqStream.Write(bytes, 0, bytes.Length);
        reqStream.Flush();
        reqStream.Close();
        HttpWebResponse response = (HttpWebResponse)request.GetResponse();
        Stream responseStream = response.GetResponseStream();
        using (StreamReader reader = new StreamReader(responseStream))
        {
            string data = reader.ReadToEnd();
            reader.Close();
            responseStream.Close();
            response.Close();
            return data;
        }
    }

    static string Token(string url, string apiId, string apiKey)
    {
        string answer = Post(url + "/payAuth/token", "{\"pay2_id\":\"" + apiId + "\",\"pay2_key\":\"" + apiKey + "\"}", null, null);
        int start = answer.IndexOf("\"TOKEN\":\"") + 9;
        return answer.Substring(start, answer.IndexOf('"', start) - start);
    }

    static string Field(string json, string name)
    {
        // The answer is flat JSON of strings and numbers; a hand-written check reads the fields it needs.
        string key = "\"" + name + "\":";
        int at = json.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return "";
        at += key.Length;
        if (json[at] == '"') return json.Substring(at + 1, json.IndexOf('"', at + 1) - at - 1);
        int end = at;
        while (end < json.Length && json[end] != ',' && json[end] != '}') end++;
        return json.Substring(at, end - at).Trim();
    }

    static void CheckPayment(string result, bool verify, string tid, string orderNo, long amount)
    {
        if (!verify)
        {
            if (!result.Contains("\"0000\"")) throw new Exception("paycert failed");
            return;
        }
        if (Field(result, "RESULTCODE") != "0000" || Field(result, "TID") != tid || Field(result, "ORDERNO") != orderNo
            || long.Parse(Field(result, "AMOUNT")) != amount || Field(result, "CANCELDATE").Trim() != "")
            throw new Exception("verification failed");
    }

    static void Tune()
    {
        ServicePointManager.UseNagleAlgorithm = false;
        ServicePointManager.Expect100Continue = false;
        ServicePointManager.DefaultConnectionLimit = 64;
    }

    static void Main()
    {
        string contender = Env("BENCH_CONTENDER");
        if (contender == "overhead") { Overhead(); return; }
        string url = Env("BENCH_URL"), apiId = Env("BENCH_API_ID"), apiKey = Env("BENCH_API_KEY"), tid = Env("BENCH_TID");
        string scenario = Env("BENCH_SCENARIO");
        double seconds = double.Parse(Env("BENCH_SECONDS"), System.Globalization.CultureInfo.InvariantCulture);
        string caPem = File.ReadAllText(Env("BENCH_CA"));
        bool freshToken = scenario == "token+paycert";
        bool verify = scenario == "verify" || scenario == "concurrent";
        string orderNo = Env("BENCH_ORDERNO");
        long amount = long.Parse(Env("BENCH_AMOUNT"));
        Action one;
        CookiePayClient client = null;
        if (contender == "binding")
        {
            client = new CookiePayClient(new CookiePayOptions { BaseUrl = url, ApiId = apiId, ApiKey = apiKey, CaCertPem = caPem });
            one = () =>
            {
                if (freshToken) client.Token(true);
                if (verify) client.Verify(tid, orderNo, amount);
                else client.Paycert(tid);
            };
        }
        else if (contender == "manual-sample" || contender == "httpwebrequest-tuned")
        {
            if (contender != "manual-sample") Tune();
            // Trust exactly the sandbox's CA, as a developer would for a test server.
            var ca = new X509Certificate2(Encoding.ASCII.GetBytes(caPem));
            ServicePointManager.ServerCertificateValidationCallback = (sender, cert, chain, errors) =>
                new X509Certificate2(cert).Issuer == ca.Subject;
            string token = Token(url, apiId, apiKey);
            one = () =>
            {
                if (freshToken) token = Token(url, apiId, apiKey);
                string result = Post(url + "/api/paycert", "{\"tid\":\"" + tid + "\"}", "TOKEN", token);
                CheckPayment(result, verify, tid, orderNo, amount);
            };
        }
        else if (contender == "httpclient")
        {
            Tune();
            var ca = new X509Certificate2(Encoding.ASCII.GetBytes(caPem));
            // Mono's HttpClient handler has its own TLS stack: it asks its own callback, not ServicePointManager's.
            var handler = new HttpClientHandler();
            handler.ServerCertificateCustomValidationCallback = (message, cert, chain, errors) => cert.Issuer == ca.Subject;
            var http = new HttpClient(handler);
            Func<string, string, string, string> post = (path, json, tokenHeader) =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, url + path);
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                if (tokenHeader != null) request.Headers.TryAddWithoutValidation("TOKEN", tokenHeader);
                using (var response = http.SendAsync(request).GetAwaiter().GetResult())
                    return response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            };
            string tokenJson = "{\"pay2_id\":\"" + apiId + "\",\"pay2_key\":\"" + apiKey + "\"}";
            string token = Field(post("/payAuth/token", tokenJson, null), "TOKEN");
            one = () =>
            {
                if (freshToken) token = Field(post("/payAuth/token", tokenJson, null), "TOKEN");
                CheckPayment(post("/api/paycert", "{\"tid\":\"" + tid + "\"}", token), verify, tid, orderNo, amount);
            };
        }
        else throw new ArgumentException("unknown contender " + contender);
        if (scenario == "concurrent")
        {
            Concurrent(contender, one, int.Parse(Env("BENCH_THREADS")), seconds);
            if (client != null) client.Dispose();
            return;
        }

        // A warm-up second: JIT compilation and connection set-up are not what is measured.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < 1) one();
        var latencies = new List<long>();
        var total = Stopwatch.StartNew();
        var each = new Stopwatch();
        long ticksPerUs = Stopwatch.Frequency / 1000000;
        while (total.Elapsed.TotalSeconds < seconds)
        {
            each.Restart();
            one();
            latencies.Add(each.ElapsedTicks / ticksPerUs);
        }
        double elapsed = total.Elapsed.TotalSeconds;
        latencies.Sort();
        if (client != null) client.Dispose();
        Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "{{\"lang\":\"{8}\",\"contender\":\"{0}\",\"scenario\":\"{1}\",\"calls\":{2},\"seconds\":{3},\"calls_per_s\":{4},\"p50_us\":{5},\"p99_us\":{6},\"peak_rss_kb\":{7}}}",
            contender, scenario, latencies.Count, elapsed, latencies.Count / elapsed,
            latencies[(int)((latencies.Count - 1) * 0.5)], latencies[(int)((latencies.Count - 1) * 0.99)], PeakRssKb(), Lang));
    }

    /// <summary>BENCH_THREADS threads call <paramref name="one"/> on the same client (or pattern) at once.</summary>
    static void Concurrent(string contender, Action one, int threads, double seconds)
    {
        var lists = new List<long>[threads];
        long ticksPerUs = Stopwatch.Frequency / 1000000;
        var warmUpEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        long start = 0, end = 0;
        var ready = new Barrier(threads, b => { start = Stopwatch.GetTimestamp(); end = start + (long)(seconds * Stopwatch.Frequency); });
        var workers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            int me = i;
            lists[me] = new List<long>();
            workers[i] = new Thread(() =>
            {
                while (Stopwatch.GetTimestamp() < warmUpEnd) one();
                ready.SignalAndWait();
                long t;
                while ((t = Stopwatch.GetTimestamp()) < end)
                {
                    one();
                    lists[me].Add((Stopwatch.GetTimestamp() - t) / ticksPerUs);
                }
            });
            workers[i].Start();
        }
        foreach (var w in workers) w.Join();
        double elapsed = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency;
        var all = lists.SelectMany(l => l).ToList();
        all.Sort();
        Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "{{\"lang\":\"{8}\",\"contender\":\"{0}\",\"scenario\":\"concurrent\",\"threads\":{1},\"calls\":{2},\"seconds\":{3},\"calls_per_s\":{4},\"p50_us\":{5},\"p99_us\":{6},\"peak_rss_kb\":{7}}}",
            contender, threads, all.Count, elapsed, all.Count / elapsed,
            all[(int)((all.Count - 1) * 0.5)], all[(int)((all.Count - 1) * 0.99)], PeakRssKb(), Lang));
    }

    static void Measure(string name, Action action)
    {
        const int n = 100000;
        for (int i = 0; i < 1000; i++) action();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) action();
        double us = sw.Elapsed.TotalMilliseconds * 1000.0 / n;
        Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "{{\"lang\":\"{3}\",\"contender\":\"binding\",\"scenario\":\"{0}\",\"calls\":{1},\"us_per_call\":{2}}}", name, n, us, Lang));
    }

    static void Overhead()
    {
        const string body = "API_ID=sandbox_demo01&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5&ENC_DATA=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA%2Bq83vEjRWeJCrze8SNFZ4kA%3D%3D";
        Measure("parse_return", () => CookiePayClient.ParseReturn(body));
        using (var client = new CookiePayClient(new CookiePayOptions { BaseUrl = "http://127.0.0.1:1", ApiId = "sandbox_demo01", ApiKey = "k1234567" }))
        {
            var order = new Dictionary<string, object> {
                { "ORDERNO", "A1" }, { "PRODUCTNAME", "a&b" }, { "AMOUNT", "1,000" }, { "BUYERNAME", "홍" }, { "RETURNURL", "x" } };
            Measure("validation_failure", () =>
            {
                try { client.Ready(order); throw new Exception("validation expected"); }
                catch (CookiePayValidationException) { }
            });
        }
    }
}
