package shop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Not part of a shop: plays the buyer, who types a card into the payment window. It asks the local
 * cookiepay-sandbox to submit the window (POST /_sandbox/checkout) and returns the raw body the
 * browser would then post to RETURNURL.
 */
final class SandboxBrowser {
    private static final Pattern WINDOW = Pattern.compile("action=\"[^\"]*(/pay/window/[A-Za-z0-9]+)\"");
    // The body is URL-encoded: no quote or backslash can occur inside it.
    private static final Pattern FORM_BODY = Pattern.compile("\"form_body\"\\s*:\\s*\"([^\"]*)\"");

    private SandboxBrowser() {}

    static byte[] payInWindow(String sandboxUrl, String windowHtml, String cardNo) throws IOException {
        Matcher window = WINDOW.matcher(windowHtml);
        if (!window.find()) {
            throw new IOException("no payment window in the page");
        }
        String request = "{\"window_path\":\"" + window.group(1) + "\",\"card\":{\"CARDNO\":\"" + cardNo
                + "\",\"EXPIREDT\":\"3012\",\"CARDAUTH\":\"900101\",\"CARDPWD\":\"12\",\"QUOTA\":\"00\"}}";
        HttpURLConnection http = (HttpURLConnection) new URL(sandboxUrl + "/_sandbox/checkout").openConnection();
        http.setRequestMethod("POST");
        http.setDoOutput(true);
        http.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = http.getOutputStream()) {
            out.write(request.getBytes(StandardCharsets.UTF_8));
        }
        if (http.getResponseCode() != 200) {
            throw new IOException("sandbox checkout answered " + http.getResponseCode());
        }
        String answer = readAll(http.getInputStream());
        Matcher body = FORM_BODY.matcher(answer);
        if (!body.find()) {
            throw new IOException("no form_body in the checkout answer");
        }
        return body.group(1).getBytes(StandardCharsets.US_ASCII);
    }

    /** The demo's stand-in for a flaky network: the sandbox misbehaves on the next request to an endpoint. */
    static void fault(String sandboxUrl, String endpoint, String mode) throws IOException {
        String answer = post(sandboxUrl + "/_sandbox/faults", "{\"endpoint\":\"" + endpoint + "\",\"mode\":\"" + mode + "\",\"count\":1}");
        if (answer == null) {
            throw new IOException("the sandbox refused the fault");
        }
    }

    /** POST a sandbox control call (/_sandbox/{path}), e.g. clock or noti. */
    static void control(String sandboxUrl, String path, String json) throws IOException {
        if (post(sandboxUrl + "/_sandbox/" + path, json) == null) {
            throw new IOException("the sandbox refused " + path);
        }
    }

    /** How many requests the sandbox has seen for an endpoint (its /_sandbox/stats). */
    static long count(String sandboxUrl, String endpoint) throws IOException {
        HttpURLConnection http = (HttpURLConnection) new URL(sandboxUrl + "/_sandbox/stats").openConnection();
        String stats = readAll(http.getInputStream());
        Matcher m = Pattern.compile("\"" + endpoint + "\"\\s*:\\s*\\{[^}]*?\"total\"\\s*:\\s*(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String post(String url, String json) throws IOException {
        HttpURLConnection http = (HttpURLConnection) new URL(url).openConnection();
        http.setRequestMethod("POST");
        http.setDoOutput(true);
        http.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = http.getOutputStream()) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return http.getResponseCode() == 200 ? readAll(http.getInputStream()) : null;
    }

    private static String readAll(InputStream in) throws IOException {
        try (InputStream input = in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = input.read(buffer)) != -1) {
                out.write(buffer, 0, n);
            }
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        }
    }
}
