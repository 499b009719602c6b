package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The example shop's charges (examples/java: BillingJob, ChargeStore, NotiHandler) against a sandbox:
 * one way per subscription (CookiePay's schedule or the shop's job, never both), and a cycle whose
 * payment is known is never charged again (issue 21, item 2). The example is plain Java outside this
 * module, so it is compiled here (as bindings/java/demo.sh does) and driven by reflection.
 */
class ExampleShopTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture().resetBeforeEach();

    private static ClassLoader shop;

    @BeforeAll
    static void compileTheExample() throws Exception {
        Path out = Files.createTempDirectory("cookiepay-java-shop");
        out.toFile().deleteOnExit();
        List<String> args = new ArrayList<String>();
        args.add("-encoding");
        args.add("UTF-8");
        args.add("-cp");
        args.add(System.getProperty("java.class.path"));
        args.add("-d");
        args.add(out.toString());
        try (Stream<Path> sources = Files.list(Paths.get("../../examples/java/src/shop"))) {
            args.addAll(sources.filter(p -> p.toString().endsWith(".java")).map(Path::toString).collect(Collectors.toList()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK's compiler");
        assertEquals(0, javac.run(null, null, null, args.toArray(new String[0])), "examples/java compiles");
        // The binding's classes come from this test's loader (one native library), the shop's from out.
        shop = new URLClassLoader(new URL[] {out.toUri().toURL()}, ExampleShopTest.class.getClassLoader());
    }

    /** An instance of shop.{name} from its only public constructor's arguments. */
    private static Object make(String name, Object... args) throws Exception {
        return shop.loadClass("shop." + name).getConstructors()[0].newInstance(args);
    }

    /** obj.method(args…): the public method of that name and number of arguments. */
    private static Object call(Object obj, String method, Object... args) throws Exception {
        for (Method m : obj.getClass().getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                return m.invoke(obj, args);
            }
        }
        throw new NoSuchMethodException(method + "/" + args.length);
    }

    private static String state(Object store, String id) throws Exception {
        return (String) call(call(store, "find", id), "getState");
    }

    /** A scheduled subscription as the example signs one up: [reserveId, billKey, first TID, its ETC1 tag, ORDERNO]. */
    private static String[] signUp(Object store) throws Exception {
        Map<String, Object> request = Sandbox.signUp(Sandbox.CARD_OK, 9900, 12);
        String tag = "sub:" + Sandbox.uniqueOrderNo();
        request.put("ETC1", tag);
        CookiePayResult sub = fx.client().billkeygen(request);
        String reserveId = sub.getString("RESERVE_ID");
        call(store, "setMode", reserveId, "schedule");
        call(store, "recordPayment", reserveId, "1", sub.getString("TID"));
        return new String[] {reserveId, sub.getString("BILLKEY"), sub.getString("TID"), tag, (String) request.get("ORDERNO")};
    }

    @Test
    void aCycleOfAScheduledSubscriptionIsRefusedNotCharged() throws Exception {
        Object store = make("ChargeStore");
        Object job = make("BillingJob", fx.client(), store);
        String[] sub = signUp(store);
        fx.sandbox().reset();
        call(store, "create", "own-2", "cycle", sub[0], sub[1], sub[3], 9900L, "2");
        assertEquals("refused", call(job, "charge", "own-2"));
        assertTrue(((String) call(call(store, "find", "own-2"), "getNote")).contains("schedule"));
        assertEquals("refused", call(job, "charge", "own-2"), "a later run leaves it alone");
        assertEquals(0, fx.sandbox().count("recurring_charge"), "CookiePay was not asked");
    }

    @Test
    void aRetryOfACycleAlreadyPaidIsNotCharged() throws Exception {
        Object store = make("ChargeStore");
        Object job = make("BillingJob", fx.client(), store);
        String[] sub = signUp(store);
        fx.sandbox().reset();
        call(store, "create", "retry-1", "retry", sub[0], sub[1], sub[3], 9900L, "1");
        assertEquals("paid", call(job, "charge", "retry-1"));
        assertEquals(sub[2], call(call(store, "find", "retry-1"), "getTid"));
        assertEquals(0, fx.sandbox().count("recurring_charge"));
    }

    /**
     * Issue 21 item 2: the retry's answer is cut off (unknown), its genuine Noti is recorded, and
     * settling must take that known payment as the cycle's — not conclude "not charged" because every
     * payment paysearch lists is already known, and charge the cycle again.
     */
    @Test
    void anUnknownChargeWhosePaymentANotiRecordedIsSettledNotChargedAgain() throws Exception {
        Object store = make("ChargeStore");
        Object job = make("BillingJob", fx.client(), store);
        try (NotiInbox inbox = new NotiInbox()) {
            fx.sandbox().notiUrl(inbox.url());
            String[] sub = signUp(store);
            Object notis = notiHandler(store, sub);
            call(store, "create", "retry-2", "retry", sub[0], sub[1], sub[3], 9900L, "2");
            fx.sandbox().reset();
            fx.sandbox().fault("recurring_charge", "truncate", 1);
            assertEquals("unknown", call(job, "charge", "retry-2"));

            // Wait for the event: the Noti of cycle 2 reaches the shop and is recorded.
            String recorded = null;
            Set<String> known = new HashSet<String>();   // the TIDs the shop has recorded
            known.add(sub[2]);
            while (recorded == null) {
                byte[] body = inbox.next();
                assertNotNull(body, "the Noti of cycle 2");
                String answer = (String) call(notis, "handle", (Object) body);
                CookiePayResult noti = CookiePayClient.parseNoti(body);
                if ("2".equals(noti.getString("PAY_CNT"))) {
                    recorded = answer;
                    known.add(noti.getString("TID"));
                }
            }
            assertTrue(recorded.startsWith("paid"), recorded);

            List<String> runs = new ArrayList<String>();
            for (int i = 0; i < 2; i++) {
                runs.add((String) call(job, "settle", "retry-2", known));
                runs.add((String) call(job, "charge", "retry-2"));
            }
            assertEquals(1, fx.sandbox().count("recurring_charge"), "one cycle, one charge: " + runs);
            assertEquals("paid", state(store, "retry-2"), runs.toString());
            assertEquals(call(store, "cyclePayment", sub[0], "2"), call(call(store, "find", "retry-2"), "getTid"));
        } finally {
            fx.sandbox().notiUrl(null);
        }
    }

    /** The shop's Noti handler, told about a subscription as the example's sign-up does. */
    private static Object notiHandler(Object store, String[]... subs) throws Exception {
        Object notis = make("NotiHandler", fx.client(), store);
        for (String[] sub : subs) {
            call(notis, "subscribe", sub[0], sub[4], sub[3], 9900L);
        }
        return notis;
    }

    /** CookiePay charges a cycle of the subscription now; the genuine Noti it sent about it (waits for it). */
    private static byte[] genuineChargeNoti(NotiInbox inbox, String[] sub) throws Exception {
        String tid = fx.client().recurringCharge(sub[0], sub[1]).getString("TID");
        for (byte[] body = inbox.next(); body != null; body = inbox.next()) {
            if (tid.equals(CookiePayClient.parseNoti(body).getString("TID"))) {
                return body;
            }
        }
        throw new AssertionError("no Noti of " + tid);
    }

    /** The Noti's JSON with some fields replaced: what anyone could post. */
    private static byte[] forge(byte[] genuine, String... nameValues) {
        Map<String, Object> fields = Json.asMap(Json.parse(new String(genuine, java.nio.charset.StandardCharsets.UTF_8)));
        for (int i = 0; i < nameValues.length; i += 2) {
            fields.put(nameValues[i], nameValues[i + 1]);
        }
        return Json.write(fields).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** (a) A "declined" Noti anyone can post, for a cycle that has not even come, charges nothing. */
    @Test
    void aForgedDeclineWithANewCycleChargesNothing() throws Exception {
        Object store = make("ChargeStore");
        String[] sub = signUp(store);
        Object notis = notiHandler(store, sub);
        Map<String, Object> forged = new java.util.LinkedHashMap<String, Object>();
        forged.put("RESERVE_ID", sub[0]);
        forged.put("RESERVE_ORDERNO", sub[4]);
        forged.put("TID", "");
        forged.put("ORDERNO", "");
        forged.put("AMOUNT", "9900");
        forged.put("PAY_CNT", "7");
        forged.put("TRY_CNT", "1");
        forged.put("RESULTCODE", "C001");
        forged.put("RESULTMSG", "한도초과");
        fx.sandbox().reset();
        String answer = (String) call(notis, "handle", (Object) Json.write(forged).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(answer.contains("nothing charged"), answer);
        assertEquals(0, fx.sandbox().count("recurring_charge"));
    }

    /**
     * (b) A genuine payment of ANOTHER subscription (same amount) posted with this one's RESERVE_ID
     * does not join this one; it joins the one CookiePay's own answer ties it to.
     */
    @Test
    void aPaymentJoinsOnlyTheSubscriptionCookiePayTiesItTo() throws Exception {
        Object store = make("ChargeStore");
        try (NotiInbox inbox = new NotiInbox()) {
            fx.sandbox().notiUrl(inbox.url());
            String[] mine = signUp(store);
            String[] other = signUp(store);
            Object notis = notiHandler(store, mine, other);
            byte[] genuine = genuineChargeNoti(inbox, other);
            String tid = CookiePayClient.parseNoti(genuine).getString("TID");
            String answer = (String) call(notis, "handle", (Object) forge(genuine, "RESERVE_ID", mine[0], "RESERVE_ORDERNO", mine[4]));
            assertEquals(null, call(store, "cyclePayment", mine[0], "2"), "another subscription's payment joined this one: " + answer);
            answer = (String) call(notis, "handle", (Object) genuine);
            assertEquals(tid, call(store, "cyclePayment", other[0], "2"), "the genuine Noti: " + answer);
            assertEquals(null, call(store, "cyclePayment", mine[0], "2"));
        } finally {
            fx.sandbox().notiUrl(null);
        }
    }

    /** (c) A forged Noti carrying a genuine Noti's dedup key (its TID) does not block the genuine one. */
    @Test
    void aForgedNotiWithAGenuineKeyDoesNotBlockTheRealOne() throws Exception {
        Object store = make("ChargeStore");
        try (NotiInbox inbox = new NotiInbox()) {
            fx.sandbox().notiUrl(inbox.url());
            String[] sub = signUp(store);
            Object notis = notiHandler(store, sub);
            byte[] genuine = genuineChargeNoti(inbox, sub);
            byte[] forgedPayment = forge(genuine, "ORDERNO", "SRS77777777777777777777", "AMOUNT", "99000");
            String tid = CookiePayClient.parseNoti(genuine).getString("TID");
            String answer = (String) call(notis, "handle", (Object) forgedPayment);
            assertEquals(null, call(store, "cyclePayment", sub[0], "2"), "recorded from a forged Noti: " + answer);
            answer = (String) call(notis, "handle", (Object) genuine);
            assertTrue(answer.startsWith("paid"), answer);
            assertEquals(tid, call(store, "cyclePayment", sub[0], "2"));
            assertTrue(((String) call(notis, "handle", (Object) genuine)).startsWith("duplicate"), "the genuine one, once");
        } finally {
            fx.sandbox().notiUrl(null);
        }
    }
}
