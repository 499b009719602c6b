// The manual's C# HomeController (ReadyCall, Paycert) on top of the CookiePay binding, plus the
// RETURNURL action the manual leaves to the reader. It is a plain class so that it builds without
// ASP.NET: in an MVC or ASP.NET Core controller, return Content(...) of the same strings, and read the
// RETURNURL body raw (Request.InputStream / Request.Body) for Return().

using System;
using System.Collections.Generic;
using CookiePay;

namespace Shop.Controllers
{
    public class HomeController
    {
        // One client per merchant for the whole application: it is thread-safe and keeps the
        // connection pool and TOKEN. In ASP.NET create it at start-up (Global.asax, or a DI singleton).
        private readonly CookiePayClient cookiepay;
        private readonly OrderTable orders;

        public HomeController(CookiePayClient cookiepay, OrderTable orders)
        {
            this.cookiepay = cookiepay;
            this.orders = orders;
        }

        /// <summary>The manual's ReadyCall: store the order as 결제대기, then return the payment window's HTML.</summary>
        public string ReadyCall(string productName, long amount, string buyerName, string buyerEmail, string returnUrl)
        {
            // A new, unique ORDERNO for every attempt (manual: "요청 시 주의사항").
            string orderNo = orders.CreatePending(amount);
            try
            {
                var window = cookiepay.Ready(new Dictionary<string, object>
                {
                    { "ORDERNO", orderNo },          // 주문번호
                    { "PRODUCTNAME", productName },  // 상품명
                    { "AMOUNT", amount },            // 결제 금액
                    { "BUYERNAME", buyerName },      // 고객명
                    { "BUYEREMAIL", buyerEmail },    // 고객 E-MAIL
                    { "PAYMETHOD", "CARD" },         // 결제 수단
                    { "RETURNURL", returnUrl },      // 결제 완료 후 리다이렉트 url
                    { "ETC1", "주문 " + orderNo },    // 사용자 추가필드 1
                });
                return window.Html;
            }
            catch (CookiePayValidationException e)
            {
                // Every problem at once, e.g. "PRODUCTNAME (format): & is not allowed".
                return "주문 정보를 확인해 주세요: " + string.Join("; ", ToStrings(e.Fields));
            }
            catch (CookiePayTimeoutException e) when (e.OutcomeUnknown)
            {
                // The window may have been created: never send the same ORDERNO twice; start a new order.
                return "결제창을 열지 못했습니다. 잠시 후 다시 시도해 주세요.";
            }
        }

        /// <summary>
        /// RETURNURL: the browser posts API_ID, RESULTCODE, RESULTMSG, ENC_DATA here (or, for some
        /// merchant setups, the payment's fields in plaintext). Everything in the post comes from the
        /// buyer's browser and proves nothing, <c>Success</c> included: the order changes only on what
        /// Decrypt and Verify (paycert) return. The post's success only picks the page to show.
        /// </summary>
        public string Return(byte[] rawBody)
        {
            ReturnPost post;
            try { post = CookiePayClient.ParseReturn(rawBody); }
            catch (CookiePayException) { return "잘못된 요청입니다: 쿠키페이 결제 결과가 아닙니다"; }
            if (!post.Success) return "결제가 완료되지 않았습니다: " + post.ResultMsg;

            try
            {
                // What CookiePay attests: the decrypted ENC_DATA, or for a plaintext post paycert of its
                // TID (the only field of a plaintext post this action reads).
                Payment attested = post.Encrypted ? cookiepay.Decrypt(post.EncData) : cookiepay.Paycert(post["TID"]);
                long expectedAmount;
                if (!orders.TryGetAmount(attested.OrderNo, out expectedAmount))
                    return "알 수 없는 주문입니다: " + attested.OrderNo;

                // 결제정보 검증: paycert must agree with what we stored, not with what the browser sent.
                Payment verified = cookiepay.Verify(attested.Tid, attested.OrderNo, expectedAmount);

                // Only decrypt returns a BILLKEY. One that only a plaintext post carries cannot be attested
                // (paycert has none): it is not stored, or anyone could plant their own card's key.
                string billKey = post.Encrypted ? attested.BillKey : null;
                if (!post.Encrypted && post.Has("BILLKEY"))
                    Console.Error.WriteLine("return: BILLKEY of a plaintext post for {0} not stored: paycert cannot attest it", verified.Tid);

                bool marked = orders.MarkPaid(verified.OrderNo, expectedAmount, verified.Tid, billKey);
                return marked ? "결제 완료: " + verified.OrderNo : "이미 처리된 주문입니다: " + verified.OrderNo;
            }
            catch (CookiePayApiException e) when (e.Layer == "inner")
            {
                return "카드 승인이 거절되었습니다: " + e.ApiMessage;
            }
            catch (CookiePayVerificationException e)
            {
                // Tampered amount, another order's payment or a cancelled one: do not ship, alert someone.
                return "결제정보 검증 실패 (" + string.Join(", ", ToStrings(e.Mismatches)) + ")";
            }
            catch (CookiePayApiException e)
            {
                // ENC_DATA that is not CookiePay's, or a TID CookiePay does not know: forged.
                return "결제를 확인할 수 없습니다 (" + e.Code + ")";
            }
            catch (CookiePayException e) when (e.Kind == "invalid_argument" || e.Kind == "validation")
            {
                return "잘못된 요청입니다: " + e.Message;   // e.g. a plaintext post without a TID
            }
        }

        /// <summary>The manual's Paycert action: the TOKEN request and the paycert call are one method call.</summary>
        public string Paycert(string tid)
        {
            try
            {
                var payment = cookiepay.Paycert(tid);
                return payment.RawJson;
            }
            catch (CookiePayException e)
            {
                // ErrorJson is safe to log: the library keeps keys, TOKENs and card data out of it.
                return e.ErrorJson;
            }
        }

        private static string[] ToStrings<T>(IEnumerable<T> items)
        {
            var list = new List<string>();
            foreach (var item in items) list.Add(item.ToString());
            return list.ToArray();
        }
    }

    /// <summary>Stands in for the shop's 결제 table.</summary>
    public class OrderTable
    {
        private sealed class Row
        {
            public long Amount;
            public string Status;
            public string Tid;
            public string BillKey;
        }

        private readonly object gate = new object();
        private readonly Dictionary<string, Row> rows = new Dictionary<string, Row>();
        private int sequence;

        /// <summary>The order created most recently (for the demo's narration).</summary>
        public string LastOrderNo { get; private set; }

        public string CreatePending(long amount)
        {
            lock (gate)
            {
                string orderNo = "SHOP-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "-" + (++sequence);
                rows[orderNo] = new Row { Amount = amount, Status = "결제대기" };
                LastOrderNo = orderNo;
                return orderNo;
            }
        }

        public bool TryGetAmount(string orderNo, out long amount)
        {
            lock (gate)
            {
                Row row;
                amount = 0;
                if (orderNo == null || !rows.TryGetValue(orderNo, out row)) return false;
                amount = row.Amount;
                return true;
            }
        }

        /// <summary>UPDATE … SET PAY_STATUS='결제성공' WHERE ORDERNO=? AND AMOUNT=? AND PAY_STATUS='결제대기': once only.</summary>
        public bool MarkPaid(string orderNo, long amount, string tid, string billKey)
        {
            lock (gate)
            {
                Row row;
                if (!rows.TryGetValue(orderNo, out row) || row.Amount != amount || row.Status != "결제대기") return false;
                row.Status = "결제성공";
                row.Tid = tid;
                row.BillKey = billKey;
                return true;
            }
        }

        public string StatusOf(string orderNo)
        {
            lock (gate)
            {
                Row row;
                return rows.TryGetValue(orderNo, out row) ? row.Status : null;
            }
        }

        public string BillKeyOf(string orderNo)
        {
            lock (gate)
            {
                Row row;
                return rows.TryGetValue(orderNo, out row) ? row.BillKey : null;
            }
        }

        public string TidOf(string orderNo)
        {
            lock (gate)
            {
                Row row;
                return rows.TryGetValue(orderNo, out row) ? row.Tid : null;
            }
        }
    }
}
