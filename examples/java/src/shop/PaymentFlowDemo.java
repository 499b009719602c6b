package shop;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayResult;

/**
 * The whole authenticated flow (정기결제 인증방식) against a local cookiepay-sandbox, step by step:
 * order page → payment window → return post → decrypt → verify → paid once, BILLKEY kept; then a
 * declined card; then a subscription without the window (billkeygen), its charges made once each
 * (even run twice at once, even when an answer is lost), refunds and the end. Run by bindings/java/demo.sh (scripts/with-sandbox.sh sets the environment).
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

            forgedPosts(client, store, handler, sandboxUrl, returnUrl);
            subscriptions(client, sandboxUrl);
        }
        System.out.println("\nDone.");
    }

    /**
     * Step 7 (issue 11 item 3): a buyer pays but the browser never comes back; someone who learnt the
     * TID (a receipt, a screenshot) posts the payment's fields in plaintext with their own BILLKEY and
     * another order's ORDERNO. Only the order paycert names may be marked paid, and only after verify;
     * the attacker's BILLKEY is never stored.
     */
    private static void forgedPosts(CookiePayClient client, OrderStore store, ReturnHandler handler, String sandboxUrl,
            String returnUrl) throws Exception {
        String attackerKey = "ATTACKERBILLKEY0123456789";
        String paidOrder = "DEMO-" + System.currentTimeMillis() + "-L";
        System.out.println("\n7. Forged plaintext posts: a real TID, another ORDERNO, the attacker's BILLKEY");
        byte[] lost = SandboxBrowser.payInWindow(sandboxUrl, OrderPage.render(client, store, paidOrder, returnUrl), "4111111111111111");
        String tid = client.decrypt(CookiePayClient.parseReturn(lost).getString("ENC_DATA")).getString("TID");
        String otherOrder = "DEMO-" + System.currentTimeMillis() + "-X";
        OrderPage.render(client, store, otherOrder, returnUrl);

        String forged = "RESULTCODE=0000&RESULTMSG=ok&TID=" + tid + "&ORDERNO=" + otherOrder + "&AMOUNT="
                + store.find(otherOrder).amount + "&BILLKEY=" + attackerKey;
        System.out.println("   real TID → page: " + title(handler.handle(forged.getBytes("US-ASCII"))));
        String unknown = "RESULTCODE=0000&TID=SBX000000000000NONE&ORDERNO=" + otherOrder + "&BILLKEY=" + attackerKey;
        System.out.println("   unknown TID → page: " + title(handler.handle(unknown.getBytes("US-ASCII"))));
        String voting = "RESULTCODE=9999&success=1&encrypted=0&TID=" + tid + "&ORDERNO=" + otherOrder;
        System.out.println("   a post that sets success itself → page: " + title(handler.handle(voting.getBytes("US-ASCII"))));

        OrderStore.Order paid = store.find(paidOrder);
        OrderStore.Order other = store.find(otherOrder);
        System.out.println("   order " + paidOrder + ": " + paid.getStatus() + ", TID " + paid.getTid() + ", BILLKEY stored: "
                + (paid.getBillKey() != null) + "; order " + otherOrder + ": " + other.getStatus());
        if (!OrderStore.PAID.equals(paid.getStatus()) || !tid.equals(paid.getTid()) || paid.getBillKey() != null
                || !OrderStore.PENDING.equals(other.getStatus()) || other.getBillKey() != null) {
            throw new AssertionError("a forged post changed an order beyond what paycert confirmed");
        }
    }

    /** Steps 8-13: a subscription without the window, its charges and a refund, each made once. */
    private static void subscriptions(CookiePayClient client, String sandboxUrl) throws Exception {
        System.out.println("\n8. Sign-up without the window (billkeygen): first charge + a monthly schedule");
        Map<String, Object> signUp = new LinkedHashMap<String, Object>();
        String subscriptionId = "SUB-" + System.currentTimeMillis();  // the shop's subscription row
        signUp.put("ORDERNO", subscriptionId);        // new for every attempt
        signUp.put("ETC1", "sub:" + subscriptionId);  // CookiePay copies it to every charge: paysearch finds them by it
        signUp.put("PRODUCTNAME", "쿠키 정기구독 🍪");
        signUp.put("AMOUNT", 9900);
        signUp.put("BUYERNAME", "홍길동");
        signUp.put("CARDNO", "4111111111111111");    // from the shop's HTTPS form; never logged
        signUp.put("EXPIREDT", "3012");
        signUp.put("CARDAUTH", "900101");
        signUp.put("CARDPWD", "12");
        signUp.put("QUOTA", "00");
        signUp.put("RECURRENCE_PAY", "Y");
        signUp.put("RECURRENCE_TYPE", "M");
        signUp.put("PAY_DAY", "10");
        signUp.put("START_PAY_CNT", "1");
        signUp.put("LAST_PAY_CNT", "12");
        CookiePayResult sub = client.billkeygen(signUp);
        System.out.println("   charged " + sub.getString("AMOUNT") + "원, TID " + sub.getString("TID") + ", scheduled=" + sub.get("scheduled")
                + ", next " + sub.getString("RESERVE_NEXT_PAY_DATE") + ", BILLKEY " + mask(sub.getString("BILLKEY")));
        if (Boolean.FALSE.equals(sub.get("scheduled"))) {
            // Paid, but no schedule: keep the payment, never call billkeygen again for it.
            System.out.println("   schedule refused: " + sub.getString("RESERVE_RESULTMSG"));
        }
        String reserveId = sub.getString("RESERVE_ID");
        String billKey = sub.getString("BILLKEY");
        Set<String> recorded = new HashSet<String>();
        recorded.add(sub.getString("TID"));

        ChargeStore charges = new ChargeStore();
        BillingJob job = new BillingJob(client, charges);
        charges.setMode(reserveId, "schedule");   // signed up with a schedule: CookiePay charges its cycles
        charges.recordPayment(reserveId, "1", sub.getString("TID"));

        System.out.println("\n9. One way per subscription: the shop's own job refuses to charge a cycle of a scheduled one");
        long before = SandboxBrowser.count(sandboxUrl, "recurring_charge");
        charges.create(reserveId + "#own-2", ChargeStore.CYCLE, reserveId, billKey, "sub:" + subscriptionId, 9900, "2");
        System.out.println("   charge: " + job.charge(reserveId + "#own-2") + " (" + charges.find(reserveId + "#own-2").getNote() + ")");
        if (SandboxBrowser.count(sandboxUrl, "recurring_charge") != before) {
            throw new AssertionError("a cycle of a scheduled subscription was charged by the shop");
        }

        System.out.println("   A declined month charged again (a retry), run twice at once (two servers, one cron)");
        String cycle = reserveId + "#retry-2";
        charges.create(cycle, ChargeStore.RETRY, reserveId, billKey, "sub:" + subscriptionId, 9900, "2");
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<String> a = two.submit(() -> job.charge(cycle));
            Future<String> b = two.submit(() -> job.charge(cycle));
            System.out.println("   run A: " + a.get() + ", run B: " + b.get() + " (the run that lost the claim sent nothing)");
        } finally {
            two.shutdown();
        }
        long sent = SandboxBrowser.count(sandboxUrl, "recurring_charge") - before;
        ChargeStore.Charge row = charges.find(cycle);
        System.out.println("   row " + row.getState() + ", TID " + row.getTid() + "; charges sent to CookiePay: " + sent);
        recorded.add(row.getTid());

        System.out.println("\n10. The next charge's answer is cut off on the way back (outcome unknown)");
        String next = reserveId + "#retry-3";
        charges.create(next, ChargeStore.RETRY, reserveId, billKey, "sub:" + subscriptionId, 9900, "3");
        SandboxBrowser.fault(sandboxUrl, "recurring_charge", "truncate");
        System.out.println("   charge: " + job.charge(next) + " (" + charges.find(next).getNote() + ") - not charged again blindly");
        System.out.println("   settle with paysearch: " + job.settle(next, recorded) + ", TID " + charges.find(next).getTid());
        System.out.println("   charge again anyway: " + job.charge(next) + " (the row is not pending: nothing sent)");
        recorded.add(charges.find(next).getTid());

        System.out.println("\n11. Refunds: part of the first charge, then all of it, then once more");
        String firstTid = sub.getString("TID");
        charges.create("refund-1", reserveId, billKey, null, 1000);
        job.refund("refund-1", firstTid, 1000L, "부분 환불");
        System.out.println("   1,000원: " + charges.find("refund-1").getNote());
        charges.create("refund-2", reserveId, billKey, null, 8900);
        job.refund("refund-2", firstTid, null, "해지 환불");
        System.out.println("   the rest: " + charges.find("refund-2").getNote());
        charges.create("refund-3", reserveId, billKey, null, 0);
        job.refund("refund-3", firstTid, null, "중복 요청");
        System.out.println("   again, as a new refund: " + charges.find("refund-3").getNote() + " (a success, nothing refunded twice)");
        long cancels = SandboxBrowser.count(sandboxUrl, "cancel");
        job.refund("refund-2", firstTid, null, "해지 환불");
        System.out.println("   the same refund row run again: " + (SandboxBrowser.count(sandboxUrl, "cancel") - cancels) + " requests sent (it is done)");

        System.out.println("\n12. Time passes (the sandbox clock): CookiePay charges the next cycle and POSTs a Noti");
        NotiHandler notis = new NotiHandler(client, charges);
        notis.subscribe(reserveId, subscriptionId, "sub:" + subscriptionId, 9900);
        java.util.concurrent.BlockingQueue<byte[]> received = new java.util.concurrent.LinkedBlockingQueue<byte[]>();
        com.sun.net.httpserver.HttpServer notiUrl = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
        notiUrl.createContext("/cookiepay/noti", exchange -> {
            byte[] body = readAll(exchange.getRequestBody());
            received.add(body);
            System.out.println("   Noti → " + notis.handle(body));
            byte[] answer = "<RESULT>SUCCESS</RESULT>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        notiUrl.start();
        try {
            SandboxBrowser.control(sandboxUrl, "noti", "{\"url\":\"http://127.0.0.1:" + notiUrl.getAddress().getPort() + "/cookiepay/noti\"}");
            byte[] first = null;
            for (int week = 1; week <= 20 && first == null; week++) {
                SandboxBrowser.control(sandboxUrl, "clock", "{\"advance_days\":7}");
                first = received.poll(week == 20 ? 3 : 1, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (first == null) {
                throw new AssertionError("no Noti in twenty weeks");
            }
            Thread.sleep(300);
            System.out.println("   the same Noti again (CookiePay repeats them) → " + notis.handle(first));
        } finally {
            notiUrl.stop(0);
        }

        System.out.println("\n13. Ending the subscription: schedule, then the billing key");
        CookiePayResult ended = client.scheduleCancel(reserveId);
        System.out.println("   scheduleCancel: already_cancelled=" + ended.get("already_cancelled"));
        System.out.println("   again: already_cancelled=" + client.scheduleCancel(reserveId).get("already_cancelled") + " (E103 is not an error)");
        client.billkeyDelete(billKey);
        System.out.println("   billing key deleted; receipt of the first charge: " + client.receiptUrl(firstTid));

        if (sent != 1 || !ChargeStore.PAID.equals(row.getState()) || !ChargeStore.PAID.equals(charges.find(next).getState())
                || !"already cancelled".equals(charges.find("refund-3").getNote())) {
            throw new AssertionError("the subscription flow did not end as expected");
        }
    }

    private static byte[] readAll(java.io.InputStream in) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
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
