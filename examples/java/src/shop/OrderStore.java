package shop;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for your payment table. The manual's rule: store the order as 결제대기 before opening the
 * window, and mark it paid once, only if ORDERNO and AMOUNT match and it is still 결제대기 — in SQL:
 * {@code UPDATE 결제테이블 SET PAY_STATUS='결제성공', TID=?, BILLKEY=? ... WHERE ORDERNO=? AND AMOUNT=?
 * AND PAY_STATUS='결제대기'}.
 */
public final class OrderStore {
    public static final String PENDING = "결제대기";
    public static final String PAID = "결제성공";
    public static final String FAILED = "결제실패";

    public static final class Order {
        public final String orderNo;
        public final String productName;
        public final long amount;
        public final String buyerName;
        volatile String status = PENDING;
        volatile String tid;
        volatile String billKey;

        Order(String orderNo, String productName, long amount, String buyerName) {
            this.orderNo = orderNo;
            this.productName = productName;
            this.amount = amount;
            this.buyerName = buyerName;
        }

        public String getStatus() {
            return status;
        }

        public String getTid() {
            return tid;
        }

        public String getBillKey() {
            return billKey;
        }
    }

    private final Map<String, Order> orders = new ConcurrentHashMap<String, Order>();

    public Order create(String orderNo, String productName, long amount, String buyerName) {
        Order order = new Order(orderNo, productName, amount, buyerName);
        if (orders.putIfAbsent(orderNo, order) != null) {
            throw new IllegalStateException("ORDERNO must be unique: " + orderNo);
        }
        return order;
    }

    public Order find(String orderNo) {
        return orders.get(orderNo);
    }

    /** The once-only update: true if this call moved the order from 결제대기 to 결제성공. */
    public synchronized boolean markPaid(String orderNo, long amount, String tid, String billKey) {
        Order order = orders.get(orderNo);
        if (order == null || order.amount != amount || !PENDING.equals(order.status)) {
            return false;
        }
        order.tid = tid;
        order.billKey = billKey;
        order.status = PAID;
        return true;
    }

    public synchronized void markFailed(String orderNo) {
        Order order = orders.get(orderNo);
        if (order != null && PENDING.equals(order.status)) {
            order.status = FAILED;
        }
    }
}
