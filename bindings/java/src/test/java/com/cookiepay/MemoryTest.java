package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 100,000 calls through every path of the boundary (network answer, cached answer, both parsers,
 * error envelope → exception): the Java heap and the process's RSS stay flat after warm-up, so no string,
 * handle or local reference leaks per call. The numbers are printed for the report.
 */
class MemoryTest {
    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();
    private static final int WARM_UP = 10_000;
    private static final int CALLS = 100_000;
    /** A leak of 100 bytes per call would add about 10 MB over the run. */
    private static final long MAX_RSS_GROWTH = 8L << 20;
    private static final long MAX_HEAP_GROWTH = 4L << 20;


    @Test
    void heapAndRssStayFlatOverAHundredThousandCalls() throws Exception {
        Sandbox.Paid paid = fx.sandbox().pay(fx.client(), 4_900);
        String body = "API_ID=sandbox_demo01&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5+%F0%9F%8D%AA&ENC_DATA=" + paid.tid;
        Map<String, Object> badOrder = new LinkedHashMap<String, Object>();
        badOrder.put("ORDERNO", "메모리-🍪");
        badOrder.put("AMOUNT", 0);

        run(WARM_UP, paid, body, badOrder);
        long heap0 = usedHeap();
        long rss0 = rss();
        long started = System.nanoTime();
        run(CALLS / 2, paid, body, badOrder);
        long heap1 = usedHeap();
        long rss1 = rss();
        run(CALLS / 2, paid, body, badOrder);
        long heap2 = usedHeap();
        long rss2 = rss();
        double seconds = (System.nanoTime() - started) / 1e9;

        System.out.printf("cookiepay java memory: %,d calls in %.1f s; heap after GC %s → %s → %s; RSS %s → %s → %s%n",
                CALLS, seconds, mb(heap0), mb(heap1), mb(heap2), mb(rss0), mb(rss1), mb(rss2));
        assertTrue(heap2 - heap0 < MAX_HEAP_GROWTH, "heap grew by " + mb(heap2 - heap0));
        assertTrue(rss2 - rss0 < MAX_RSS_GROWTH, "RSS grew by " + mb(rss2 - rss0));
    }

    /** A recurring-charge Noti with 한글 and an emoji: parseNoti's byte[] path. */
    private static final byte[] NOTI = ("{\"TID\":\"SBX26112700000000099\",\"RESERVE_ID\":\"r1\",\"PAY_CNT\":\"2\","
            + "\"RESULTCODE\":\"0000\",\"PRODUCTNAME\":\"쿠키 정기구독 🍪\",\"VENDOR_ORDER_NO\":null}").getBytes(StandardCharsets.UTF_8);

    /** n calls, a fifth on each path, each answer checked. */
    private static void run(int n, Sandbox.Paid paid, String body, Map<String, Object> badOrder) {
        for (int i = 0; i < n; i++) {
            switch (i % 5) {
                case 0:
                    assertEquals(paid.tid, fx.client().paycert(paid.tid).getString("TID"));
                    break;
                case 1:
                    assertEquals(Boolean.TRUE, fx.client().token().get("cached"));
                    break;
                case 2:
                    assertEquals("성공 🍪", CookiePayClient.parseReturn(body).getString("RESULTMSG"));
                    break;
                case 3:
                    assertEquals("쿠키 정기구독 🍪", CookiePayClient.parseNoti(NOTI).getString("PRODUCTNAME"));
                    break;
                default:
                    assertThrows(CookiePayValidationException.class, () -> fx.client().ready(badOrder));
            }
        }
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** VmRSS of this JVM from /proc/self/status (Linux, like the packed library). */
    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1048576.0);
    }
}
