package shop;

import com.cookiepay.CookiePayApiException;
import com.cookiepay.CookiePayClient;
import com.cookiepay.CookiePayException;
import com.cookiepay.CookiePayInvalidArgumentException;
import com.cookiepay.CookiePayResult;
import com.cookiepay.CookiePayValidationException;
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
 *
 * <p>Everything in the post comes from the buyer's browser and proves nothing, {@code success}
 * included: an order changes only on what {@code decrypt} and {@code paycert}/{@code verify} return.
 * Of a plaintext (unencrypted) post only the TID is read, to ask paycert; a BILLKEY that only such a
 * post carries cannot be attested and is never stored.
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
        boolean encrypted = Boolean.TRUE.equals(posted.get("encrypted"));
        if (!encrypted && !Boolean.TRUE.equals(posted.get("success"))) {
            // Only the page depends on what the browser says; the message is shown, never stored.
            return page("결제가 완료되지 않았습니다", posted.getString("RESULTMSG"));
        }

        CookiePayResult attested;
        try {
            // Decrypted even when RESULTCODE says it failed: the payment names the order to close.
            // A plaintext post: paycert of its TID says which order the payment belongs to.
            attested = encrypted ? client.decrypt(posted.getString("ENC_DATA")) : client.paycert(posted.getString("TID"));
        } catch (CookiePayApiException e) {
            if (encrypted && "inner".equals(e.getLayer())) {
                // The card company declined (e.g. 한도초과); the response is the payment result.
                store.markFailed(String.valueOf(e.getResponse().get("ORDERNO")));
                return page("결제가 거절되었습니다", e.getApiMessage());
            }
            // "outer": the post could not be decrypted (not ours, or tampered with), or CookiePay does
            // not know the TID: nothing changes.
            return page("잘못된 요청입니다", e.getApiMessage());
        } catch (CookiePayValidationException | CookiePayInvalidArgumentException e) {
            return page("잘못된 요청입니다", e.getMessage());   // e.g. a plaintext post without a TID
        }

        String orderNo = attested.getString("ORDERNO");
        OrderStore.Order order = store.find(orderNo);
        if (order == null) {
            return page("알 수 없는 주문입니다", orderNo);
        }
        CookiePayResult verified;
        try {
            // 결제정보 검증: what CookiePay recorded must be what we stored, not what the browser said.
            verified = client.verify(attested.getString("TID"), order.orderNo, order.amount);
        } catch (CookiePayVerificationFailedException e) {
            store.markFailed(orderNo);
            return page("결제 정보가 주문과 다릅니다", String.valueOf(e.getMismatches()));
        }
        // Only decrypt returns a BILLKEY; paycert has none to attest one a plaintext post brings.
        String billKey = encrypted ? attested.getString("BILLKEY") : null;
        if (!encrypted && posted.getString("BILLKEY") != null) {
            System.err.println("return: BILLKEY of a plaintext post for " + verified.getString("TID")
                    + " not stored: paycert cannot attest it");
        }
        boolean first = store.markPaid(order.orderNo, order.amount, verified.getString("TID"), billKey);
        return page(first ? "결제가 완료되었습니다" : "이미 처리된 결제입니다",
                order.productName + " · " + order.amount + "원 · 승인번호 " + verified.getString("ACCEPTNO"));
    }

    private static String page(String title, String detail) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + Html.escape(title) + "</title></head>\n"
                + "<body><h1>" + Html.escape(title) + "</h1><p>" + Html.escape(detail) + "</p></body></html>\n";
    }
}
