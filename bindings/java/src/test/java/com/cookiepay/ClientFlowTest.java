package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every method of CookiePayClient against a real sandbox, and text that must survive the trip. */
class ClientFlowTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    @Test
    void versionIsTheCoreVersion() throws Exception {
        // The [package] version of the core's Cargo.toml, two folders up.
        String cargo = new String(Files.readAllBytes(Paths.get("../../Cargo.toml")), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\\[package\\][^\\[]*?\\nversion\\s*=\\s*\"([^\"]+)\"").matcher(cargo);
        assertTrue(m.find(), "no [package] version in Cargo.toml");
        assertEquals(m.group(1), CookiePayClient.version());
    }

    @Test
    void theBindingNameReachesTheWireInTheUserAgent() throws Exception {
        // The sandbox does not record headers: a one-request listener does.
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<String> head = pool.submit(() -> {
                    try (Socket socket = listener.accept()) {
                        socket.setSoTimeout(10_000);
                        InputStream in = socket.getInputStream();
                        StringBuilder received = new StringBuilder();
                        byte[] buffer = new byte[4096];
                        int n;
                        while (received.indexOf("\r\n\r\n") < 0 && (n = in.read(buffer)) > 0) {
                            received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                        }
                        socket.getOutputStream().write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        return received.toString();
                    }
                });
                Map<String, Object> config = fx.sandbox().config();
                config.put("base_url", "http://127.0.0.1:" + listener.getLocalPort());
                config.put("max_retries", 0);
                try (CookiePayClient probe = new CookiePayClient(config)) {
                    assertThrows(CookiePayHttpException.class, probe::token);
                }
                String expected = "user-agent: cookiepay/" + CookiePayClient.version() + " java/" + System.getProperty("java.version");
                assertTrue(head.get(10, TimeUnit.SECONDS).toLowerCase(Locale.ROOT).contains(expected.toLowerCase(Locale.ROOT)), head.get());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void tokenIsCachedThenRefreshedOnRequest() {
        CookiePayResult first = fx.client().token(true);
        String token = first.getString("TOKEN");
        assertNotNull(token);
        assertEquals(Boolean.FALSE, first.get("cached"));
        assertTrue(first.get("expires_at") instanceof Long, String.valueOf(first.get("expires_at")));

        CookiePayResult again = fx.client().token();
        assertEquals(token, again.getString("TOKEN"));
        assertEquals(Boolean.TRUE, again.get("cached"));
        assertFalse(again.toString().contains(token), "toString must not print the TOKEN");
        assertTrue(again.getRawJson().startsWith("{\"ok\":true"));
    }

    @Test
    void theWholeWindowFlowKeepsHangulAndEmoji() {
        Map<String, Object> order = Sandbox.order(12_900);
        order.put("ETC2", "따옴표 \" 역슬래시 \\ 슬래시 / 🍪🎉 é ü ß \u00a0 \uffe6");
        String orderNo = (String) order.get("ORDERNO");

        CookiePayResult window = fx.client().ready(order);
        assertEquals(orderNo, window.getString("ORDERNO"));
        assertEquals("12900", window.getString("AMOUNT"));
        assertTrue(window.getString("html").contains("cookiepay-window"));

        String body = fx.sandbox().payInWindow(window.getString("html"), Sandbox.CARD_OK);
        CookiePayResult posted = CookiePayClient.parseReturn(body);
        assertEquals(Boolean.TRUE, posted.get("encrypted"));
        assertEquals(Boolean.TRUE, posted.get("success"));
        assertEquals(Sandbox.API_ID, posted.getString("API_ID"));
        String enc = posted.getString("ENC_DATA");
        // Base64's + and / arrive percent-encoded and must come back as they were.
        assertTrue(enc.contains("+") || enc.contains("/"), enc);

        CookiePayResult payment = fx.client().decrypt(enc);
        assertEquals(orderNo, payment.getString("ORDERNO"));
        assertEquals("12900", payment.getString("AMOUNT"));
        assertEquals("메모 ✓ 😀", payment.getString("ETC1"));
        assertEquals(order.get("ETC2"), payment.getString("ETC2"));
        assertEquals(payment.getString("ACCEPTNO"), payment.getString("ACCEPT_NO"));
        assertEquals(20, payment.getString("BILLKEY").length());
        String tid = payment.getString("TID");

        CookiePayResult cert = fx.client().paycert(tid);
        assertEquals(orderNo, cert.getString("ORDERNO"));
        assertEquals("쿠키 정기구독 🍪", cert.getString("PRODUCTNAME"));
        assertEquals("홍길동", cert.getString("BUYERNAME"));
        assertEquals(cert.getString("BUYERID"), cert.getString("USERID"));

        assertEquals(tid, fx.client().verify(tid, orderNo, 12_900L).getString("TID"));
        assertEquals(tid, fx.client().verify(tid, orderNo, "12900").getString("TID"));
        Map<String, Object> expected = new LinkedHashMap<String, Object>();
        expected.put("ORDERNO", orderNo);
        expected.put("AMOUNT", 12_900);
        expected.put("BUYERNAME", "홍길동");
        assertEquals(tid, fx.client().verify(tid, expected).getString("TID"));
    }

    @Test
    void parseReturnDecodesPlusAndPercentAsUtf8() {
        String body = "API_ID=sandbox_demo01&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5+ok&ENC_DATA=ab%2Bcd%2F%3D%3D";
        CookiePayResult parsed = CookiePayClient.parseReturn(body);
        assertEquals("성공 ok", parsed.getString("RESULTMSG"));
        assertEquals("ab+cd/==", parsed.getString("ENC_DATA"));
        assertEquals(parsed.getData(), CookiePayClient.parseReturn(body.getBytes(StandardCharsets.US_ASCII)).getData());

        // A sloppy sender's raw UTF-8 (an emoji, 4 bytes) and percent-encoded emoji arrive intact.
        CookiePayResult plain = CookiePayClient.parseReturn("RESULTCODE=0000&RESULTMSG=성공 😀&ETC1=%F0%9F%8D%AA");
        assertEquals("성공 😀", plain.getString("RESULTMSG"));
        assertEquals("🍪", plain.getString("ETC1"));

        // Escapes written by the core come back as the characters they stand for.
        CookiePayResult escaped = CookiePayClient.parseReturn("RESULTCODE=0000&ETC2=a%0Ab%09c%22d%5Ce%2Ff%00g%E2%80%A8");
        assertEquals("a\nb\tc\"d\\e/f\u0000g\u2028", escaped.getString("ETC2"));
    }

    @Test
    void httpsWithTheSandboxCa() throws Exception {
        try (Sandbox tls = Sandbox.start(true)) {
            Map<String, Object> config = tls.config();
            config.put("base_url", tls.httpsUrl);
            config.put("ca_cert_pem", new String(Files.readAllBytes(tls.caPem), StandardCharsets.UTF_8));
            try (CookiePayClient secure = new CookiePayClient(config)) {
                CookiePayResult token = secure.token();
                assertNotNull(token.getString("TOKEN"));
            }
        }
    }

    @Test
    void twoClientsSideBySide() {
        try (CookiePayClient other = fx.sandbox().client()) {
            Sandbox.Paid paid = fx.sandbox().pay(other, 3_000);
            assertEquals(paid.tid, fx.client().paycert(paid.tid).getString("TID"));
            assertNotEquals(0, paid.tid.length());
        }
    }
}
