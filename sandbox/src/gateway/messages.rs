//! The JSON shapes of answers and notifications built from ledger records.

use serde_json::{json, Value};

use crate::choices::{self as c, Spelling};
use crate::gateway::ledger::{Order, Payment};

/// `v` (a JSON object) with ETC1..ETC5 of `order` added at its end.
fn with_etc(mut v: Value, order: &Order) -> Value {
    if let Value::Object(o) = &mut v {
        for (i, etc) in order.etc.iter().enumerate() {
            o.insert(format!("ETC{}", i + 1), json!(etc));
        }
    }
    v
}

/// The JSON sealed into the window's ENC_DATA, in one spelling (never both):
/// - [`Spelling::Recorded`]: the keys of the manual's recorded answer (S1's PHP sample dump:
///   `API_ID, ORDERNO, AMOUNT, TID, USERID, BUYERNAME, BUYEREMAIL, PRODUCTCODE, PRODUCTNAME,
///   ACCEPT_DATE, ACCEPT_NO, CARDCODE, CARDNAME, CARDNO, QUOTA, ETC1..5, BILLKEY, GENDATE`) after
///   the table's `RESULTCODE, RESULTMSG`;
/// - [`Spelling::Table`]: exactly the manual's decrypt table and JSON example.
pub fn window_result(p: &Payment, code: &str, msg: &str, spelling: Spelling) -> Value {
    let o = &p.order;
    let v = match spelling {
        Spelling::Recorded => json!({
            "RESULTCODE": code,
            "RESULTMSG": msg,
            "API_ID": p.api_id,
            "ORDERNO": o.orderno,
            "AMOUNT": o.amount,
            "TID": p.tid,
            "USERID": o.buyerid,
            "BUYERNAME": o.buyername,
            "BUYEREMAIL": o.buyeremail,
            "PRODUCTCODE": o.productcode,
            "PRODUCTNAME": o.productname,
            "ACCEPT_DATE": p.acceptdate,
            "ACCEPT_NO": p.acceptno,
            "CARDCODE": p.card_code,
            "CARDNAME": p.card_name,
            "CARDNO": p.card_masked,
            "QUOTA": p.quota,
        }),
        Spelling::Table => json!({
            "RESULTCODE": code,
            "RESULTMSG": msg,
            "ORDERNO": o.orderno,
            "AMOUNT": o.amount,
            "TID": p.tid,
            "ACCEPTDATE": p.acceptdate,
            "ACCEPTNO": p.acceptno,
            "CARDNAME": p.card_name,
            "CARDCODE": p.card_code,
            "QUOTA": p.quota,
        }),
    };
    let mut v = with_etc(v, o);
    if let Value::Object(m) = &mut v {
        m.insert("BILLKEY".into(), json!(p.billkey));
        m.insert("GENDATE".into(), json!(p.gendate));
    }
    v
}

/// paycert's answer: the field set of the recorded answer (P1 `result.noti.php` dump), which is also
/// the manual table's rows — no QUOTA, no ETC1..5. The VA fields are empty for cards.
/// CANCELDATE/CANCELMSG are set once the payment is fully cancelled.
pub fn paycert_json(p: &Payment) -> Value {
    let o = &p.order;
    json!({
        "RESULTCODE": c::OK_CODE,
        "RESULTMSG": c::OK_MSG,
        "ORDERNO": o.orderno,
        "AMOUNT": o.amount,
        "BUYERNAME": o.buyername,
        "BUYEREMAIL": o.buyeremail,
        "PRODUCTNAME": o.productname,
        "PRODUCTCODE": o.productcode,
        "PAYMETHOD": p.paymethod,
        "BUYERID": o.buyerid,
        "ACCEPTNO": p.acceptno,
        "ACCEPTDATE": p.acceptdate,
        "TID": p.tid,
        "CANCELDATE": p.cancel_date,
        "CANCELMSG": p.cancel_msg,
        "ACCOUNTNO": "",
        "RECEIVERNAME": "",
        "DEPOSITENDDATE": "",
        "CARDNAME": p.card_name,
        "CARDCODE": p.card_code,
    })
}

/// A row of `/api/paysearch`: the paycert fields without RESULTCODE/RESULTMSG, plus QUOTA and
/// ETC1..5 (P2 reads only a prefix of the row; shops find a subscription's charges by ETC1).
pub fn search_row(p: &Payment) -> Value {
    let mut v = paycert_json(p);
    if let Value::Object(o) = &mut v {
        o.remove("RESULTCODE");
        o.remove("RESULTMSG");
        o.insert("QUOTA".into(), json!(p.quota));
    }
    with_etc(v, &p.order)
}

/// A row of `/_sandbox/payments`: paycert fields plus API_ID, masked CARDNO, BILLKEY, GENDATE and
/// the cancel state.
pub fn control_row(p: &Payment) -> Value {
    let mut v = search_row(p);
    if let Value::Object(o) = &mut v {
        o.insert("API_ID".into(), json!(p.api_id));
        o.insert("CARDNO".into(), json!(p.card_masked));
        o.insert("BILLKEY".into(), json!(p.billkey));
        o.insert("GENDATE".into(), json!(p.gendate));
        o.insert("RESERVE_ID".into(), json!(p.reserve_id));
        o.insert(
            "PAY_CNT".into(),
            json!(if p.reserve_id.is_empty() {
                String::new()
            } else {
                p.pay_cnt.to_string()
            }),
        );
        o.insert("CANCELLED_AMT".into(), json!(p.cancelled_won.to_string()));
        o.insert("REMAINING_AMT".into(), json!(p.remaining_won().to_string()));
        o.insert("STATE".into(), json!(p.state()));
        o.insert("SETTLED".into(), json!(p.settled));
        let cancels: Vec<Value> = p
            .cancels
            .iter()
            .map(|(date, amt, reason)| json!({ "date": date, "amount": amt.to_string(), "reason": reason }))
            .collect();
        o.insert("CANCELS".into(), json!(cancels));
    }
    v
}

/// Payment noti (S4 결제승인 fields as far as recorded).
pub fn payment_noti(p: &Payment, code: &str, msg: &str) -> Value {
    let o = &p.order;
    let v = json!({
        "PAY_METHOD": p.paymethod,
        "API_ID": p.api_id,
        "ORDERNO": o.orderno,
        "AMOUNT": o.amount,
        "TID": p.tid,
        "BUYEREMAIL": o.buyeremail,
        "BUYERNAME": o.buyername,
        "USERID": o.buyerid,
        "PRODUCTCODE": o.productcode,
        "PRODUCTNAME": o.productname,
        "ACCEPT_DATE": p.acceptdate,
        "ACCEPT_NO": p.acceptno,
        "CARDCODE": p.card_code,
        "CARDNAME": p.card_name,
        "CARDNO": p.card_masked,
        "QUOTA": p.quota,
        "ACCOUNTNO": "",
        "RECEIVERNAME": "",
        "DEPOSITENDDATE": "",
        "RESULTCODE": code,
        "RESULTMSG": msg,
    });
    with_etc(v, o)
}

/// Cancel noti (sandbox choice): the payment noti fields plus this cancel.
pub fn cancel_noti(p: &Payment, cancel_date: &str, reason: &str, amount: u64) -> Value {
    let mut v = payment_noti(p, c::OK_CODE, c::OK_MSG);
    if let Value::Object(o) = &mut v {
        o.insert("CANCELDATE".into(), json!(cancel_date));
        o.insert("CANCELMSG".into(), json!(reason));
        o.insert("CANCEL_AMT".into(), json!(amount.to_string()));
    }
    v
}

/// One charge of a recurring schedule, approved or declined (feeds §2.7 and the recurring noti).
pub struct RecurringCharge<'a> {
    pub api_id: &'a str,
    pub billkey: &'a str,
    /// The key's GENDATE, YYYYMMDDHHMMSS.
    pub gendate: &'a str,
    pub reserve_id: &'a str,
    pub order: &'a Order,
    pub orderno: &'a str,
    pub pay_cnt: u32,
    pub last_pay_cnt: u32,
    pub try_cnt: u32,
    pub next_pay_date: String,
    pub tid: &'a str,
    pub accept_date: &'a str,
    pub accept_no: &'a str,
    pub card_code: &'a str,
    pub card_name: &'a str,
    pub card_masked: &'a str,
    pub quota: &'a str,
    pub code: &'a str,
    pub msg: &'a str,
}

/// `YYYYMMDDHHMMSS` → `YYYY-MM-DD HH:MM:SS` (the Noti GENDATE format).
pub fn dashed_stamp(s: &str) -> String {
    if s.len() != 14 {
        return s.to_string();
    }
    format!(
        "{}-{}-{} {}:{}:{}",
        &s[..4],
        &s[4..6],
        &s[6..8],
        &s[8..10],
        &s[10..12],
        &s[12..14]
    )
}

/// decryptData of `recurrence_request_payment` (§2.7 field set).
pub fn recurring_result(r: &RecurringCharge) -> Value {
    let o = r.order;
    let v = json!({
        "RESULTCODE": r.code,
        "RESULTMSG": r.msg,
        "API_ID": r.api_id,
        "BILLKEY": r.billkey,
        "RESERVE_ID": r.reserve_id,
        "RESERVE_ORDERNO": o.orderno,
        "PAY_CNT": r.pay_cnt.to_string(),
        "LAST_PAY_CNT": r.last_pay_cnt.to_string(),
        "TRY_CNT": r.try_cnt.to_string(),
        "NEXT_PAY_DATE": r.next_pay_date,
        "ORDERNO": r.orderno,
        "AMOUNT": o.amount,
        "TID": r.tid,
        "BUYERNAME": o.buyername,
        "BUYERPHONE": o.buyerphone,
        "BUYERADDRESS": o.buyeraddress,
        "BUYEREMAIL": o.buyeremail,
        "BUYERID": o.buyerid,
        "USERID": o.buyerid,
        "PRODUCTCODE": o.productcode,
        "PRODUCTNAME": o.productname,
        "ACCEPT_DATE": r.accept_date,
        "ACCEPT_NO": r.accept_no,
        "CARDCODE": r.card_code,
        "CARDNAME": r.card_name,
        "CARDNO": r.card_masked,
        "QUOTA": r.quota,
    });
    with_etc(v, o)
}

/// Recurring noti (P1's recorded field set).
pub fn recurring_noti(r: &RecurringCharge) -> Value {
    let o = r.order;
    let v = json!({
        "CP_ID": r.api_id,
        "API_ID": r.api_id,
        "ORDERNO": r.orderno,
        "VENDOR_ORDER_NO": null,
        "AMOUNT": o.amount,
        "TID": r.tid,
        "USERID": o.buyerid,
        "BUYERNAME": o.buyername,
        "BUYEREMAIL": o.buyeremail,
        "PRODUCTCODE": o.productcode,
        "PRODUCTNAME": o.productname,
        "ACCEPT_DATE": r.accept_date,
        "ACCEPT_NO": r.accept_no,
        "CARDCODE": r.card_code,
        "CARDNAME": r.card_name,
        "CARDNO": r.card_masked,
        "QUOTA": r.quota,
        "ETC7": null,
        "PAY_METHOD": c::PAYMETHOD,
        "SMS_INPUT": "",
        "BILLKEY": r.billkey,
        "GENDATE": dashed_stamp(r.gendate),
        "BUYERADDRESS": o.buyeraddress,
        "BUYERPHONE": o.buyerphone,
        "RESULTCODE": r.code,
        "RESULTMSG": r.msg,
        "RESERVE_ID": r.reserve_id,
        "RESERVE_ORDERNO": o.orderno,
        "PAY_CNT": r.pay_cnt.to_string(),
        "LAST_PAY_CNT": r.last_pay_cnt.to_string(),
        "TRY_CNT": r.try_cnt.to_string(),
        "NEXT_PAY_DATE": r.next_pay_date,
    });
    with_etc(v, o)
}
