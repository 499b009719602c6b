package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One client shared by 16 threads: every answer belongs to the request that asked for it. */
class ConcurrencyTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();
    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 1_000;


    @Test
    void sixteenThreadsTimesAThousandCalls() throws Exception {
        List<Sandbox.Paid> payments = new ArrayList<Sandbox.Paid>();
        for (int i = 0; i < THREADS; i++) {
            payments.add(fx.sandbox().pay(fx.client(), 1_000 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<Future<Integer>>();
        for (int t = 0; t < THREADS; t++) {
            final Sandbox.Paid mine = payments.get(t);
            final int thread = t;
            results.add(pool.submit(() -> {
                go.await();
                int checked = 0;
                for (int i = 0; i < CALLS_PER_THREAD; i++) {
                    switch (i % 4) {
                        case 0: {
                            CookiePayResult cert = fx.client().paycert(mine.tid);
                            assertEquals(mine.tid, cert.getString("TID"));
                            assertEquals(mine.orderNo, cert.getString("ORDERNO"));
                            assertEquals(String.valueOf(mine.amount), cert.getString("AMOUNT"));
                            break;
                        }
                        case 1: {
                            CookiePayResult ok = fx.client().verify(mine.tid, mine.orderNo, mine.amount);
                            assertEquals(mine.tid, ok.getString("TID"));
                            break;
                        }
                        case 2: {
                            // Text unique to this thread and call, with 한글 and an emoji, through the
                            // string conversions both ways.
                            String marker = "스레드" + thread + "-호출" + i + "-🍪";
                            CookiePayResult parsed = CookiePayClient.parseReturn(
                                    "RESULTCODE=0000&RESULTMSG=" + urlEncode(marker) + "&ENC_DATA=" + mine.tid);
                            assertEquals(marker, parsed.getString("RESULTMSG"));
                            assertEquals(mine.tid, parsed.getString("ENC_DATA"));
                            break;
                        }
                        default: {
                            CookiePayVerificationFailedException e = org.junit.jupiter.api.Assertions.assertThrows(
                                    CookiePayVerificationFailedException.class,
                                    () -> fx.client().verify(mine.tid, mine.orderNo, mine.amount + 1));
                            assertEquals(mine.tid, e.getPayment().get("TID"));
                            assertEquals(String.valueOf(mine.amount), e.getMismatches().get(0).get("actual"));
                        }
                    }
                    checked++;
                }
                return checked;
            }));
        }
        go.countDown();
        int total = 0;
        for (Future<Integer> f : results) {
            total += f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(THREADS * CALLS_PER_THREAD, total);
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static String urlEncode(String s) {
        try {
            return java.net.URLEncoder.encode(s, "UTF-8");
        } catch (java.io.UnsupportedEncodingException e) {
            throw new AssertionError(e);
        }
    }
}
