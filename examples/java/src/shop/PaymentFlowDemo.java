package shop;

import java.util.HashMap;
import java.util.Map;

import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayResult;

/**
 * The whole authenticated flow (정기결제 인증방식) against a local cookiepay-sandbox, step by step:
 * order page → payment window → return post → decrypt → verify → paid once, BILLKEY kept; then a
 * declined card. Run by bindings/java/demo.sh (scripts/with-sandbox.sh sets the environment).
 */
public final class PaymentFlowDemo {
    private PaymentFlowDemo() {}

    public static void main(String[] args) throws Exception {
        String sandboxUrl = env("COOKIEPAY_SANDBOX_URL");
        Map<String, Object> config = new HashMap<String, Object>();
        config.put("base_url", sandboxUrl);   // with CookiePay itself: config.put("env", "sandbox") or "live"
        config.put("api_id", env("COOKIEPAY_API_ID"));
        config.put("api_key", env("COOKIEPAY_API_KEY"));

        System.out.println("cookiepay " + CookiePayClient.version() + " on Java " + System.getProperty("java.version"));
        // One client per application (in a web app: created at start-up, closed at shutdown).
        try (CookiePayClient client = new CookiePayClient(config)) {
            OrderStore store = new OrderStore();
            ReturnHandler handler = new ReturnHandler(client, store);
            String returnUrl = "https://shop.example/cookiepay/return";

            String orderNo = "DEMO-" + System.currentTimeMillis();
            System.out.println("\n1. Order page (the manual's JSP): order " + orderNo + " stored as " + OrderStore.PENDING);
            String page = OrderPage.render(client, store, orderNo, returnUrl);
            System.out.println("   page with the payment window: " + page.length() + " characters, window "
                    + (page.contains("cookiepay-window") ? "present" : "MISSING"));

            System.out.println("\n2. The buyer pays in the window (test card 4111…1111)");
            byte[] returnPost = SandboxBrowser.payInWindow(sandboxUrl, page, "4111111111111111");
            System.out.println("   the browser posts to RETURNURL: " + abbreviate(new String(returnPost, "US-ASCII"), 90));

            System.out.println("\n3. RETURNURL handler: parse → decrypt → verify → mark paid once");
            CookiePayResult posted = CookiePayClient.parseReturn(returnPost);
            System.out.println("   parsed: RESULTCODE=" + posted.getString("RESULTCODE") + " RESULTMSG=" + posted.getString("RESULTMSG")
                    + " encrypted=" + posted.get("encrypted"));
            String result = handler.handle(returnPost);
            System.out.println("   page: " + title(result));
            OrderStore.Order order = store.find(orderNo);
            System.out.println("   order " + orderNo + ": " + order.getStatus() + ", TID " + order.getTid()
                    + ", BILLKEY " + mask(order.getBillKey()) + " (stored for the next charges)");

            System.out.println("\n4. The same post again (a reload): " + title(handler.handle(returnPost)));

            System.out.println("\n5. Later, from an admin page: paycert " + order.getTid());
            CookiePayResult cert = client.paycert(order.getTid());
            System.out.println("   " + cert.getString("PRODUCTNAME") + " · " + cert.getString("AMOUNT") + "원 · "
                    + cert.getString("BUYERNAME") + " · 승인 " + cert.getString("ACCEPTDATE"));

            String declined = "DEMO-" + System.currentTimeMillis() + "-D";
            System.out.println("\n6. Another order, paid with a card over its limit (4000…9995)");
            String page2 = OrderPage.render(client, store, declined, returnUrl);
            byte[] post2 = SandboxBrowser.payInWindow(sandboxUrl, page2, "4000000000009995");
            System.out.println("   page: " + title(handler.handle(post2)));
            System.out.println("   order " + declined + ": " + store.find(declined).getStatus());

            if (!OrderStore.PAID.equals(order.getStatus()) || !OrderStore.FAILED.equals(store.find(declined).getStatus())) {
                throw new AssertionError("the demo flow did not end as expected");
            }
        }
        System.out.println("\nDone.");
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(name + " is not set: run me through scripts/with-sandbox.sh");
        }
        return value;
    }

    private static String title(String html) {
        int start = html.indexOf("<h1>");
        int end = html.indexOf("</h1>");
        String detailStart = "<p>";
        int p = html.indexOf(detailStart, end);
        String detail = p < 0 ? "" : html.substring(p + 3, html.indexOf("</p>", p));
        return html.substring(start + 4, end) + " — " + detail;
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static String mask(String secret) {
        return secret == null || secret.length() < 4 ? "?" : secret.substring(0, 4) + "…";
    }
}
