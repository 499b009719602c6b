package shop;

import com.cookiepay.CookiePayApiException;
import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayException;
import com.cookiepay.CookiePayResult;
import com.cookiepay.CookiePayVerificationFailedException;

/**
 * The RETURNURL handler, servlet-style: CookiePay makes the buyer's browser POST
 * {@code API_ID, RESULTCODE, RESULTMSG, ENC_DATA} here. In a servlet it is
 *
 * <pre>{@code
 * protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
 *     byte[] body = readAll(req.getInputStream());   // the raw body, not req.getParameter(...)
 *     resp.setContentType("text/html; charset=utf-8");
 *     resp.getWriter().write(handler.handle(body));
 * }
 * }</pre>
 *
 * Steps 4–7 of the flow in the repository README: parse, decrypt, verify against the stored order,
 * mark it paid once and keep the BILLKEY for the next charges.
 */
public final class ReturnHandler {
    private final CookiePayClient client;
    private final OrderStore store;

    public ReturnHandler(CookiePayClient client, OrderStore store) {
        this.client = client;
        this.store = store;
    }

    /** The page the buyer sees. */
    public String handle(byte[] rawBody) {
        CookiePayResult posted;
        try {
            posted = CookiePayClient.parseReturn(rawBody);
        } catch (CookiePayException e) {
            return page("잘못된 요청입니다", e.getMessage());
        }
        if (!Boolean.TRUE.equals(posted.get("encrypted"))) {
            return page("결제가 완료되지 않았습니다", posted.getString("RESULTMSG"));
        }

        CookiePayResult payment;
        try {
            // Decrypted even when RESULTCODE says it failed: the payment names the order to close.
            payment = client.decrypt(posted.getString("ENC_DATA"));
        } catch (CookiePayApiException e) {
            if ("inner".equals(e.getLayer())) {
                // The card company declined (e.g. 한도초과); the response is the payment result.
                store.markFailed(String.valueOf(e.getResponse().get("ORDERNO")));
                return page("결제가 거절되었습니다", e.getApiMessage());
            }
            // "outer": the post could not be decrypted (not ours, or tampered with).
            return page("잘못된 요청입니다", e.getApiMessage());
        }

        String orderNo = payment.getString("ORDERNO");
        OrderStore.Order order = store.find(orderNo);
        if (order == null) {
            return page("알 수 없는 주문입니다", orderNo);
        }
        try {
            // 결제정보 검증: what CookiePay recorded must be what we stored, not what the browser said.
            client.verify(payment.getString("TID"), order.orderNo, order.amount);
        } catch (CookiePayVerificationFailedException e) {
            store.markFailed(orderNo);
            return page("결제 정보가 주문과 다릅니다", String.valueOf(e.getMismatches()));
        }
        boolean first = store.markPaid(orderNo, order.amount, payment.getString("TID"), payment.getString("BILLKEY"));
        return page(first ? "결제가 완료되었습니다" : "이미 처리된 결제입니다",
                order.productName + " · " + order.amount + "원 · 승인번호 " + payment.getString("ACCEPTNO"));
    }

    private static String page(String title, String detail) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + Html.escape(title) + "</title></head>\n"
                + "<body><h1>" + Html.escape(title) + "</h1><p>" + Html.escape(detail) + "</p></body></html>\n";
    }
}
