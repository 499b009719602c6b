package shop;

import java.util.LinkedHashMap;
import java.util.Map;

import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayException;
import com.cookiepay.CookiePayResult;

/**
 * The manual's JSP sample ("Cookiepayments JSP CARD_AUTH API"), written as plain Java so it runs
 * anywhere: the same variables at the top, the same page. The difference: instead of the browser
 * calling cookiepayments.payrequest with the fields it was given, the server stores the order as
 * 결제대기, asks CookiePay for the payment window ({@link CookiePayClient#ready}), and puts it in
 * {@code <div id="cookiepayform">}. The amount never passes through the browser.
 *
 * <p>As a JSP: the variable block is the {@code <% %>} scriptlet, {@code client} comes from
 * application scope (one per application, see ShopContext), and the HTML below is the page with
 * {@code <%= %>} where the values go. See bindings/java/README.md.
 */
public final class OrderPage {
    private OrderPage() {}

    public static String render(CookiePayClient client, OrderStore store, String orderNo, String returnUrl) {
        String ORDERNO = orderNo;                 // 주문번호 (unique per attempt)
        String PRODUCTNAME = "쿠키 정기구독 🍪";    // 상품명
        int AMOUNT = 1004;                        // 결제 금액
        String BUYERNAME = "고객명";                // 고객명
        String BUYEREMAIL = "id@email.com";       // 이메일
        String PAYMETHOD = "CARD";                // 결제 수단
        String PRODUCTCODE = "";                  // 상품코드
        String BUYERID = "guest";                 // 고객 ID
        String BUYERADDRESS = "인천 남동구...";      // 고객주소
        String BUYERPHONE = "0100001234";         // 고객 연락처
        String RETURNURL = returnUrl;             // 결제 완료 후 리다이렉트 url
        String ETC1 = "메모 ✓";                    // 사용자 추가필드 1 (comes back in the payment)

        store.create(ORDERNO, PRODUCTNAME, AMOUNT, BUYERNAME);

        Map<String, Object> order = new LinkedHashMap<String, Object>();
        order.put("ORDERNO", ORDERNO);
        order.put("PRODUCTNAME", PRODUCTNAME);
        order.put("AMOUNT", AMOUNT);
        order.put("BUYERNAME", BUYERNAME);
        order.put("BUYEREMAIL", BUYEREMAIL);
        order.put("PAYMETHOD", PAYMETHOD);
        order.put("PRODUCTCODE", PRODUCTCODE);
        order.put("BUYERID", BUYERID);
        order.put("BUYERADDRESS", BUYERADDRESS);
        order.put("BUYERPHONE", BUYERPHONE);
        order.put("RETURNURL", RETURNURL);
        order.put("ETC1", ETC1);

        String window;
        try {
            CookiePayResult ready = client.ready(order);
            window = ready.getString("html");
        } catch (CookiePayException e) {
            // e.getKind() tells what went wrong; a timeout on ready has outcome "unknown": look the
            // order up before opening another window for it.
            store.markFailed(ORDERNO);
            window = "<p class=\"error\">결제창을 열 수 없습니다: " + Html.escape(e.getMessage()) + "</p>";
        }

        return "<!DOCTYPE html>\n<html>\n<head>\n<title>Cookiepayments JSP CARD_AUTH API</title>\n<meta charset=\"utf-8\">\n"
                + "<style>html,body {height: 100%;} form {overflow: hidden;}</style>\n</head>\n<body>\n"
                + "<p>주문번호 " + Html.escape(ORDERNO) + " · " + Html.escape(PRODUCTNAME) + " · " + AMOUNT + "원</p>\n"
                + "<div id=\"cookiepayform\">\n" + window + "\n</div>\n</body>\n</html>\n";
    }
}
