// Java contenders of bench/run.sh. Prints one JSON line.
//  binding            com.cookiepay.CookiePayClient
//  httpurlconnection  what a JSP page would write: HttpURLConnection per request (the JDK keeps the
//                     connection alive underneath when the answer is read to the end)
//  httpclient         java.net.http.HttpClient, one instance reused
// Scenario "verify" adds the comparison with the stored order (ORDERNO, AMOUNT, not cancelled) to
// paycert; "concurrent" runs it on BENCH_THREADS threads sharing one client.
import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayValidationException;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class Verify {
    interface Call { void run() throws Exception; }

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) throw new IllegalStateException(name + " is not set (run bench/run.sh)");
        return v;
    }

    static long peakRssKb() throws Exception {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status")))
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        return 0;
    }

    /** Trust exactly the sandbox's test CA. */
    static SSLContext sandboxTrust(String caPath) throws Exception {
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(Files.newInputStream(Paths.get(caPath)));
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("sandbox", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    static String postUrlConnection(SSLContext ssl, String url, String json, String token) throws Exception {
        HttpsURLConnection conn = (HttpsURLConnection) new URL(url).openConnection();
        conn.setSSLSocketFactory(ssl.getSocketFactory());
        conn.setRequestMethod("POST");
        conn.setConnectTimeout(10000);
        conn.setReadTimeout(20000);
        conn.setDoOutput(true);
        conn.setRequestProperty("Content-Type", "application/json; charset=utf-8");
        if (token != null) conn.setRequestProperty("TOKEN", token);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        conn.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = conn.getOutputStream()) { out.write(body); }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = conn.getInputStream()) {
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) > 0) buf.write(chunk, 0, n);
        }
        return new String(buf.toByteArray(), StandardCharsets.UTF_8);
    }

    /** A field of the flat JSON answer, as a hand-written check reads it. */
    static String field(String json, String name) {
        String key = "\"" + name + "\":";
        int at = json.indexOf(key);
        if (at < 0) return "";
        at += key.length();
        if (json.charAt(at) == '"') return json.substring(at + 1, json.indexOf('"', at + 1));
        int end = at;
        while (end < json.length() && json.charAt(end) != ',' && json.charAt(end) != '}') end++;
        return json.substring(at, end).trim();
    }

    static void check(String answer, boolean verify, String tid, String orderNo, long amount) {
        if (!verify) {
            if (!answer.contains("\"0000\"")) throw new IllegalStateException("paycert failed");
            return;
        }
        if (!field(answer, "RESULTCODE").equals("0000") || !field(answer, "TID").equals(tid)
            || !field(answer, "ORDERNO").equals(orderNo) || Long.parseLong(field(answer, "AMOUNT")) != amount
            || !field(answer, "CANCELDATE").trim().isEmpty())
            throw new IllegalStateException("verification failed");
    }

    static String tokenOf(String answer) {
        int start = answer.indexOf("\"TOKEN\":\"") + 9;
        return answer.substring(start, answer.indexOf('"', start));
    }

    public static void main(String[] args) throws Exception {
        String contender = env("BENCH_CONTENDER");
        if (contender.equals("overhead")) { overhead(); return; }
        final String url = env("BENCH_URL"), apiId = env("BENCH_API_ID"), apiKey = env("BENCH_API_KEY"), tid = env("BENCH_TID");
        String scenario = env("BENCH_SCENARIO");
        final boolean fresh = scenario.equals("token+paycert");
        final boolean verify = scenario.equals("verify") || scenario.equals("concurrent");
        final String orderNo = env("BENCH_ORDERNO");
        final long amount = Long.parseLong(env("BENCH_AMOUNT"));
        double seconds = Double.parseDouble(env("BENCH_SECONDS"));
        final String tokenJson = "{\"pay2_id\":\"" + apiId + "\",\"pay2_key\":\"" + apiKey + "\"}";
        final String paycertJson = "{\"tid\":\"" + tid + "\"}";
        final String[] token = {null};
        Call one;
        CookiePayClient client = null;
        switch (contender) {
            case "binding": {
                Map<String, Object> config = new HashMap<>();
                config.put("base_url", url);
                config.put("api_id", apiId);
                config.put("api_key", apiKey);
                config.put("ca_cert_pem", new String(Files.readAllBytes(Paths.get(env("BENCH_CA"))), StandardCharsets.US_ASCII));
                final CookiePayClient c = client = new CookiePayClient(config);
                one = () -> {
                    if (fresh) c.token(true);
                    if (verify) c.verify(tid, orderNo, amount);
                    else c.paycert(tid);
                };
                break;
            }
            case "httpurlconnection": {
                final SSLContext ssl = sandboxTrust(env("BENCH_CA"));
                one = () -> {
                    if (fresh || token[0] == null) token[0] = tokenOf(postUrlConnection(ssl, url + "/payAuth/token", tokenJson, null));
                    check(postUrlConnection(ssl, url + "/api/paycert", paycertJson, token[0]), verify, tid, orderNo, amount);
                };
                break;
            }
            case "httpclient": {
                final HttpClient http = HttpClient.newBuilder().sslContext(sandboxTrust(env("BENCH_CA")))
                    .version(HttpClient.Version.HTTP_1_1).build();
                one = () -> {
                    if (fresh || token[0] == null) {
                        HttpRequest t = HttpRequest.newBuilder(URI.create(url + "/payAuth/token"))
                            .header("Content-Type", "application/json; charset=utf-8")
                            .POST(HttpRequest.BodyPublishers.ofString(tokenJson)).build();
                        token[0] = tokenOf(http.send(t, HttpResponse.BodyHandlers.ofString()).body());
                    }
                    HttpRequest p = HttpRequest.newBuilder(URI.create(url + "/api/paycert"))
                        .header("Content-Type", "application/json; charset=utf-8").header("TOKEN", token[0])
                        .POST(HttpRequest.BodyPublishers.ofString(paycertJson)).build();
                    check(http.send(p, HttpResponse.BodyHandlers.ofString()).body(), verify, tid, orderNo, amount);
                };
                break;
            }
            default:
                throw new IllegalArgumentException("unknown contender " + contender);
        }
        if (scenario.equals("concurrent")) {
            concurrent(contender, one, Integer.parseInt(env("BENCH_THREADS")), seconds);
            if (client != null) client.close();
            return;
        }
        long warmUpEnd = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < warmUpEnd) one.run();
        List<Long> latencies = new ArrayList<>();
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        long t;
        while ((t = System.nanoTime()) < end) {
            one.run();
            latencies.add((System.nanoTime() - t) / 1000);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Collections.sort(latencies);
        int n = latencies.size();
        if (client != null) client.close();
        System.out.println(String.format(Locale.ROOT,
            "{\"lang\":\"java\",\"contender\":\"%s\",\"scenario\":\"%s\",\"calls\":%d,\"seconds\":%.6f,\"calls_per_s\":%.3f,\"p50_us\":%d,\"p99_us\":%d,\"peak_rss_kb\":%d}",
            contender, scenario, n, elapsed, n / elapsed, latencies.get((int) Math.round((n - 1) * 0.5)),
            latencies.get((int) Math.round((n - 1) * 0.99)), peakRssKb()));
    }

    /** {@code threads} threads call {@code one} on the same client at once. */
    static void concurrent(String contender, Call one, int threads, double seconds) throws Exception {
        final long warmUpEnd = System.nanoTime() + 1_000_000_000L;
        final long[] window = new long[2];
        final java.util.concurrent.CyclicBarrier ready = new java.util.concurrent.CyclicBarrier(threads, () -> {
            window[0] = System.nanoTime();
            window[1] = window[0] + (long) (seconds * 1e9);
        });
        final List<List<Long>> lists = new ArrayList<>();
        final Throwable[] failed = {null};
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            final List<Long> mine = new ArrayList<>();
            lists.add(mine);
            Thread w = new Thread(() -> {
                try {
                    while (System.nanoTime() < warmUpEnd) one.run();
                    ready.await();
                    long t;
                    while ((t = System.nanoTime()) < window[1]) {
                        one.run();
                        mine.add((System.nanoTime() - t) / 1000);
                    }
                } catch (Throwable e) {
                    synchronized (failed) { failed[0] = e; }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) w.join();
        if (failed[0] != null) throw new IllegalStateException("a worker failed", failed[0]);
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        List<Long> all = new ArrayList<>();
        for (List<Long> l : lists) all.addAll(l);
        Collections.sort(all);
        int n = all.size();
        System.out.println(String.format(Locale.ROOT,
            "{\"lang\":\"java\",\"contender\":\"%s\",\"scenario\":\"concurrent\",\"threads\":%d,\"calls\":%d,\"seconds\":%.6f,\"calls_per_s\":%.3f,\"p50_us\":%d,\"p99_us\":%d,\"peak_rss_kb\":%d}",
            contender, threads, n, elapsed, n / elapsed, all.get((int) Math.round((n - 1) * 0.5)),
            all.get((int) Math.round((n - 1) * 0.99)), peakRssKb()));
    }

    static void measure(String name, Call call) throws Exception {
        int n = 100_000;
        for (int i = 0; i < 10_000; i++) call.run();
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) call.run();
        double us = (System.nanoTime() - t) / 1000.0 / n;
        System.out.println(String.format(Locale.ROOT,
            "{\"lang\":\"java\",\"contender\":\"binding\",\"scenario\":\"%s\",\"calls\":%d,\"us_per_call\":%.4f}", name, n, us));
    }

    static void overhead() throws Exception {
        final String body = "API_ID=sandbox_demo01&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5&ENC_DATA=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA%2Bq83vEjRWeJCrze8SNFZ4kA%3D%3D";
        measure("parse_return", () -> CookiePayClient.parseReturn(body));
        Map<String, Object> config = new HashMap<>();
        config.put("base_url", "http://127.0.0.1:1");
        config.put("api_id", "sandbox_demo01");
        config.put("api_key", "k1234567");
        try (CookiePayClient client = new CookiePayClient(config)) {
            final Map<String, Object> order = new HashMap<>();
            order.put("ORDERNO", "A1");
            order.put("PRODUCTNAME", "a&b");
            order.put("AMOUNT", "1,000");
            order.put("BUYERNAME", "홍");
            order.put("RETURNURL", "x");
            measure("validation_failure", () -> {
                try {
                    client.ready(order);
                    throw new IllegalStateException("validation expected");
                } catch (CookiePayValidationException expected) {
                    // the path being measured
                }
            });
        }
    }
}
