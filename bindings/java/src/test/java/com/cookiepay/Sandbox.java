package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A cookiepay-sandbox process on ephemeral ports for one test class, its control API
 * (/_sandbox/...), and the "browser" step between ready and RETURNURL.
 */
final class Sandbox implements AutoCloseable {
    static final String API_ID = "sandbox_demo01";
    static final String API_KEY = "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
    static final String CARD_OK = "4111111111111111";
    static final String CARD_LIMIT = "4000000000009995";
    /** Approves every charge of its billing key except the 3rd (the billkeygen charge is the 1st). */
    static final String CARD_DUNNING = "4000000000000333";
    static final String BIRTH_DATE = "900101";

    private static final AtomicLong ORDERS = new AtomicLong();

    final String url;
    final String httpsUrl; // null without --tls
    final Path caPem;      // null without --tls
    private final Process process;
    private final Path dir;

    private Sandbox(Process process, Path dir, String url, String httpsUrl, Path caPem) {
        this.process = process;
        this.dir = dir;
        this.url = url;
        this.httpsUrl = httpsUrl;
        this.caPem = caPem;
    }

    static Sandbox start() {
        return start(false);
    }

    static Sandbox start(boolean tls) {
        String bin = System.getProperty("test.sandbox.bin", "../../target/release/cookiepay-sandbox");
        if (!new File(bin).canExecute()) {
            fail("cookiepay-sandbox not found at " + bin + ": run `cargo build --release -p cookiepay-sandbox`");
        }
        try {
            Path dir = Files.createTempDirectory("cookiepay-java-sandbox");
            Path ready = dir.resolve("ready.json");
            List<String> command = new ArrayList<String>();
            command.add(bin);
            command.add("--port");
            command.add("0");
            command.add("--ready-file");
            command.add(ready.toString());
            Path ca = null;
            if (tls) {
                ca = dir.resolve("ca.pem");
                command.add("--tls");
                command.add("--ca-out");
                command.add(ca.toString());
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sandbox.log").toFile())
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(Files.exists(ready) && Files.size(ready) > 0 && readyJsonComplete(ready))) {
                if (!process.isAlive()) {
                    fail("cookiepay-sandbox exited: " + new String(Files.readAllBytes(dir.resolve("sandbox.log")), StandardCharsets.UTF_8));
                }
                if (System.nanoTime() > deadline) {
                    process.destroy();
                    fail("cookiepay-sandbox did not become ready in 10 s");
                }
                Thread.sleep(20);
            }
            Map<String, Object> info = Json.asMap(Json.parse(new String(Files.readAllBytes(ready), StandardCharsets.UTF_8)));
            return new Sandbox(process, dir, (String) info.get("http"), (String) info.get("https"), ca);
        } catch (IOException e) {
            throw new AssertionError("cannot start cookiepay-sandbox", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean readyJsonComplete(Path ready) {
        try {
            Json.parse(new String(Files.readAllBytes(ready), StandardCharsets.UTF_8));
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false; // still being written
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp folder left behind is harmless.
        }
    }

    /** A client config for this sandbox: short timeouts and retry delays keep fault tests fast. */
    Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<String, Object>();
        c.put("base_url", url);
        c.put("api_id", API_ID);
        c.put("api_key", API_KEY);
        c.put("connect_timeout_ms", 2000);
        c.put("timeout_ms", 5000);
        c.put("retry_base_delay_ms", 10);
        c.put("retry_max_delay_ms", 50);
        return c;
    }

    CookiePayClient client() {
        return new CookiePayClient(config());
    }

    static String uniqueOrderNo() {
        return "J" + ProcessHandleCompat.pid() + "-" + System.nanoTime() % 1_000_000_000L + "-" + ORDERS.incrementAndGet();
    }

    /** An order with 한글 and emoji in the fields CookiePay echoes back. */
    static Map<String, Object> order(long amount) {
        Map<String, Object> o = new LinkedHashMap<String, Object>();
        o.put("ORDERNO", uniqueOrderNo());
        o.put("PRODUCTNAME", "쿠키 정기구독 🍪");
        o.put("AMOUNT", amount);
        o.put("BUYERNAME", "홍길동");
        o.put("BUYEREMAIL", "buyer@example.com");
        o.put("BUYERPHONE", "010-1234-5678");
        o.put("BUYERID", "guest");
        o.put("RETURNURL", "http://127.0.0.1:9/return");
        o.put("ETC1", "메모 ✓ 😀");
        o.put("PRODUCTCODE", "SUB1");
        return o;
    }

    /** What the buyer's browser does: submit the window with a card → the body it posts to RETURNURL. */
    String payInWindow(String windowHtml, String cardNo) {
        Map<String, Object> card = new LinkedHashMap<String, Object>();
        card.put("CARDNO", cardNo);
        card.put("EXPIREDT", "3012");
        card.put("CARDAUTH", "900101");
        card.put("CARDPWD", "12");
        card.put("QUOTA", "00");
        Map<String, Object> body = new LinkedHashMap<String, Object>();
        body.put("window_html", windowHtml);
        body.put("card", card);
        return (String) control("checkout", body).get("form_body");
    }

    /** A paid order: ready → window → return post → parseReturn → decrypt. */
    Paid pay(CookiePayClient client, long amount) {
        Map<String, Object> order = order(amount);
        CookiePayResult window = client.ready(order);
        String body = payInWindow(window.getString("html"), CARD_OK);
        CookiePayResult posted = CookiePayClient.parseReturn(body);
        CookiePayResult payment = client.decrypt(posted.getString("ENC_DATA"));
        return new Paid(payment.getString("TID"), (String) order.get("ORDERNO"), amount, payment);
    }

    static final class Paid {
        final String tid;
        final String orderNo;
        final long amount;
        final CookiePayResult payment;

        Paid(String tid, String orderNo, long amount, CookiePayResult payment) {
            this.tid = tid;
            this.orderNo = orderNo;
            this.amount = amount;
            this.payment = payment;
        }
    }

    /** POST (body given) or GET /_sandbox/{path}; the JSON answer. */
    Map<String, Object> control(String path, Map<String, ?> body) {
        try {
            HttpURLConnection http = (HttpURLConnection) new URL(url + "/_sandbox/" + path).openConnection();
            http.setConnectTimeout(5000);
            http.setReadTimeout(10000);
            if (body != null) {
                http.setRequestMethod("POST");
                http.setDoOutput(true);
                http.setRequestProperty("Content-Type", "application/json; charset=utf-8");
                try (OutputStream out = http.getOutputStream()) {
                    out.write(Json.write(body).getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = http.getResponseCode();
            InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream();
            String text = in == null ? "" : readAll(in);
            assertTrue(status < 300, "control " + path + " answered " + status + ": " + text);
            return Json.asMap(Json.parse(text));
        } catch (IOException e) {
            throw new AssertionError("control " + path + " failed", e);
        }
    }

    void reset() {
        control("reset", new LinkedHashMap<String, Object>());
    }

    void fault(String endpoint, String mode, int count, Object... extra) {
        Map<String, Object> body = new LinkedHashMap<String, Object>();
        body.put("endpoint", endpoint);
        body.put("mode", mode);
        body.put("count", count);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        control("faults", body);
    }

    /**
     * A billkeygen request: an order (no RETURNURL) with 한글 and an emoji, the card, and a monthly
     * schedule of {@code charges} charges in all when {@code charges > 0}.
     */
    static Map<String, Object> signUp(String cardNo, long amount, int charges) {
        Map<String, Object> r = order(amount);
        r.remove("RETURNURL");
        r.put("CARDNO", cardNo);
        r.put("EXPIREDT", "3012");
        r.put("CARDAUTH", BIRTH_DATE);
        r.put("CARDPWD", "12");
        r.put("QUOTA", "00");
        if (charges > 0) {
            r.put("RECURRENCE_PAY", "Y");
            r.put("RECURRENCE_TYPE", "M");
            r.put("PAY_DAY", "10");
            r.put("START_PAY_CNT", "1");
            r.put("LAST_PAY_CNT", String.valueOf(charges));
        }
        return r;
    }

    /** Move the sandbox clock forward; due recurring charges run (and their Notis go out). */
    Map<String, Object> advanceDays(int days) {
        Map<String, Object> body = new LinkedHashMap<String, Object>();
        body.put("advance_days", days);
        return control("clock", body);
    }

    /**
     * Today on the sandbox clock (KST), the day its payments are dated: the suites pin the clock to
     * a fixed day (COOKIEPAY_SANDBOX_CLOCK_START), so the machine's date says nothing about it.
     */
    java.time.LocalDate today() {
        return java.time.LocalDate.parse(String.valueOf(control("clock", null).get("now")).substring(0, 10));
    }

    /** Where the sandbox POSTs its Notis. */
    void notiUrl(String notiUrl) {
        control("noti", java.util.Collections.singletonMap("url", notiUrl));
    }

    /** Settle a payment: its next cancel answers 9029 (입금후 취소). */
    void settle(String tid) {
        control("payments/" + tid + "/settle", new LinkedHashMap<String, Object>());
    }

    /** Every request the sandbox has counted since start or reset, all endpoints together. */
    long totalRequests() {
        long sum = 0;
        for (Object counts : Json.asMap(control("stats", null).get("requests")).values()) {
            Object total = Json.asMap(counts).get("total");
            sum += total instanceof Number ? ((Number) total).longValue() : 0;
        }
        return sum;
    }

    long count(String endpoint) {
        Object total = Json.asMap(Json.asMap(control("stats", null).get("requests")).get(endpoint)).get("total");
        return total instanceof Number ? ((Number) total).longValue() : 0;
    }

    static String readAll(InputStream in) throws IOException {
        try (InputStream input = in) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = input.read(buffer)) != -1) {
                out.write(buffer, 0, n);
            }
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        }
    }

    /** The pid without Java 9's ProcessHandle (the tests compile for Java 8 too). */
    static final class ProcessHandleCompat {
        static String pid() {
            String name = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
            int at = name.indexOf('@');
            return at > 0 ? name.substring(0, at) : "0";
        }
    }
}
