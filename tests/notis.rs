//! `confirm_noti` against the sandbox: a Noti is a hint anyone can post, and only CookiePay's answer
//! (paycert) comes back — forged amounts, order numbers, kinds and subscriptions never do. The bodies
//! are the sandbox's own Notis, read from its delivery log (`/_sandbox/notis`, written when the Noti
//! is sent), then replayed as they are or tampered with.

mod common;

use std::io::Write;
use std::net::TcpListener;

use common::*;
use cookiepay::{Client, Operation};
use cookiepay_sandbox::Sandbox;
use serde_json::{json, Value};

/// The sandbox's card that approves the first two charges of a key and declines the third (C001).
const CARD_THIRD_DECLINES: &str = "4000000000000333";

/// Turn the sandbox's Notis on, to a loopback 통지 URL that answers 200 (so nothing is retried).
fn notis_on(sb: &Sandbox) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/noti", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = read_http_request(&mut stream);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    control(sb, "noti", Some(json!({ "url": url })));
}

/// The bodies of every Noti the sandbox has sent so far, in order, with the kind it sent them as.
fn sent_notis(sb: &Sandbox) -> Vec<(String, Value)> {
    control(sb, "notis", None)["notis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap().to_owned(), d["body"].clone()))
        .collect()
}

/// The one Noti sent about `tid` as `kind`.
fn noti_of(sb: &Sandbox, kind: &str, tid: &str) -> Value {
    let found: Vec<Value> = sent_notis(sb)
        .into_iter()
        .filter(|(k, b)| k == kind && b["TID"] == tid)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(found.len(), 1, "{kind} Notis of {tid}: {found:?}");
    found[0].clone()
}

fn confirm(client: &Client, body: &Value) -> Value {
    call(client, Operation::ConfirmNoti, json!({ "body": body.to_string() }))
}

fn not_confirmed(envelope: Value, reason: &str) -> Value {
    let e = err(envelope, "noti_not_confirmed");
    assert_eq!(e["reason"], reason, "{e:#}");
    e
}

fn signup(amount: u64, card_no: &str) -> Value {
    json!({
        "ORDERNO": unique_order(), "PRODUCTNAME": "월간 쿠키 구독", "AMOUNT": amount, "BUYERNAME": "홍길동",
        "CARDNO": card_no, "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12", "QUOTA": "00",
        "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "15", "START_PAY_CNT": "1", "LAST_PAY_CNT": "0"
    })
}

#[test]
fn a_genuine_payment_noti_comes_back_as_paycert_s_answer() {
    let sb = sandbox();
    notis_on(&sb);
    let client = client(&sb);
    let paid = pay(&sb, &client, 1500);
    let body = noti_of(&sb, "payment", &paid.tid);
    let confirmed = ok(confirm(&client, &body));
    let paycert = ok(call(&client, Operation::Paycert, json!({ "tid": paid.tid })));
    assert_eq!(confirmed["kind"], "payment");
    assert_eq!(confirmed["dedup_key"], format!("payment:{}", paid.tid));
    // Exactly paycert's fields: nothing that only the body carries (ETC1, QUOTA, CARDNO, API_ID).
    let mut expected = paycert.as_object().unwrap().clone();
    expected.insert("kind".into(), json!("payment"));
    expected.insert("dedup_key".into(), confirmed["dedup_key"].clone());
    assert_eq!(confirmed.as_object().unwrap(), &expected);
    for only_in_body in ["ETC1", "QUOTA", "CARDNO", "API_ID"] {
        assert!(
            body.get(only_in_body).is_some(),
            "the sandbox's Noti has {only_in_body}"
        );
        assert!(
            confirmed.get(only_in_body).is_none(),
            "{only_in_body} came from the body"
        );
    }
    // Read-only: the same Noti confirms again, to the same key.
    assert_eq!(ok(confirm(&client, &body))["dedup_key"], confirmed["dedup_key"]);
}

#[test]
fn a_forged_amount_or_order_number_is_refused_and_never_returned() {
    let sb = sandbox();
    notis_on(&sb);
    let client = client(&sb);
    let paid = pay(&sb, &client, 1500);
    let genuine = noti_of(&sb, "payment", &paid.tid);

    let mut cheap = genuine.clone();
    cheap["AMOUNT"] = json!("15");
    let e = not_confirmed(confirm(&client, &cheap), "mismatch");
    assert_eq!(
        e["mismatches"],
        json!([{"field": "AMOUNT", "expected": "15", "actual": "1500"}])
    );

    let mut other_order = genuine.clone();
    other_order["ORDERNO"] = json!("SOMEONE-ELSES-ORDER");
    let e = not_confirmed(confirm(&client, &other_order), "mismatch");
    assert_eq!(e["mismatches"][0]["field"], "ORDERNO");
    assert_eq!(e["mismatches"][0]["actual"], paid.orderno);

    // A body that names only the TID confirms — to CookiePay's amount and order, not a claimed one.
    let bare = ok(confirm(&client, &json!({ "TID": paid.tid })));
    assert_eq!(
        (bare["AMOUNT"].as_str(), bare["ORDERNO"].as_str()),
        (Some("1500"), Some(paid.orderno.as_str()))
    );
}

#[test]
fn unknown_or_missing_tids_are_not_confirmed() {
    let sb = sandbox();
    let client = client(&sb);
    let e = not_confirmed(
        confirm(
            &client,
            &json!({"TID": "SBX-NO-SUCH-TID", "ORDERNO": "A1", "AMOUNT": "1000", "RESULTCODE": "0000"}),
        ),
        "unknown_tid",
    );
    assert!(e["code"].as_str().is_some_and(|c| !c.is_empty() && c != "0000"), "{e}");
    not_confirmed(confirm(&client, &json!({"ORDERNO": "A1", "AMOUNT": "1000"})), "no_tid");
    not_confirmed(
        confirm(&client, &json!({"TID": "T\u{7}1", "ORDERNO": "A1"})),
        "invalid_tid",
    );
    // Not a Noti, or not a request: argument errors, before any lookup.
    err(
        confirm(&client, &json!({"TID": "T1", "kind": "payment"})),
        "invalid_argument",
    );
    err(
        call(&client, Operation::ConfirmNoti, json!({"body": {"TID": "T1"}})),
        "invalid_argument",
    );
    err(call(&client, Operation::ConfirmNoti, json!({})), "validation");
    assert_eq!(count(&sb, "paycert"), 1, "only the unknown TID was looked up");
}

#[test]
fn a_recurring_charge_is_confirmed_as_a_payment_without_the_body_s_subscription() {
    let sb = sandbox();
    notis_on(&sb);
    let client = client(&sb);
    let first = ok(call(&client, Operation::Billkeygen, signup(4900, CARD_OK)));
    let other = ok(call(&client, Operation::Billkeygen, signup(4900, CARD_OK)));
    control(&sb, "clock", Some(json!({"advance_days": 40})));
    let (_, body) = sent_notis(&sb)
        .into_iter()
        .find(|(kind, b)| kind == "recurring" && b["RESERVE_ID"] == first["RESERVE_ID"] && b["TID"] != "")
        .expect("a recurring charge's Noti");
    let confirmed = ok(confirm(&client, &body));
    assert_eq!(confirmed["kind"], "payment");
    assert_eq!(confirmed["TID"], body["TID"]);
    assert_eq!(confirmed["ORDERNO"], body["ORDERNO"]);
    for only_in_body in ["RESERVE_ID", "RESERVE_ORDERNO", "PAY_CNT", "BILLKEY"] {
        assert!(
            confirmed.get(only_in_body).is_none(),
            "{only_in_body} came from the body"
        );
    }
    // The same payment claimed for another subscription: nothing in the answer names one.
    let mut moved = body.clone();
    moved["RESERVE_ID"] = other["RESERVE_ID"].clone();
    moved["PAY_CNT"] = json!("7");
    let answer = ok(confirm(&client, &moved));
    assert_eq!(answer, confirmed);
    assert!(!answer.to_string().contains(other["RESERVE_ID"].as_str().unwrap()));
}

#[test]
fn a_declined_cycle_has_no_tid_and_is_not_confirmed() {
    let sb = sandbox();
    notis_on(&sb);
    let client = client(&sb);
    let signed = ok(call(&client, Operation::Billkeygen, signup(4900, CARD_THIRD_DECLINES)));
    control(&sb, "clock", Some(json!({"advance_days": 70})));
    let (_, declined) = sent_notis(&sb)
        .into_iter()
        .find(|(kind, b)| kind == "recurring" && b["RESERVE_ID"] == signed["RESERVE_ID"] && b["RESULTCODE"] != "0000")
        .expect("the declined third charge's Noti");
    assert_eq!(declined["TID"], "");
    let e = not_confirmed(confirm(&client, &declined), "no_tid");
    assert!(e["message"].as_str().unwrap().contains("paysearch"), "{e}");
    // A forged decline for a new cycle is refused the same way: nothing in it is usable.
    let mut forged = declined.clone();
    forged["PAY_CNT"] = json!("99");
    not_confirmed(confirm(&client, &forged), "no_tid");
}

#[test]
fn kind_cancel_only_when_paycert_shows_the_cancellation() {
    let sb = sandbox();
    notis_on(&sb);
    let client = client(&sb);
    let paid = pay(&sb, &client, 3000);
    let payment_noti = noti_of(&sb, "payment", &paid.tid);

    // A forged cancel of a live payment: paycert shows none.
    let mut forged = payment_noti.clone();
    forged["CANCELDATE"] = json!("20260101120000");
    forged["CANCELMSG"] = json!("취소");
    not_confirmed(confirm(&client, &forged), "not_cancelled");

    // A partial refund's genuine Noti: paycert does not show it either.
    ok(call(
        &client,
        Operation::Cancel,
        json!({"tid": paid.tid, "reason": "부분 환불", "amount": 1000}),
    ));
    let partial = noti_of(&sb, "cancel", &paid.tid);
    not_confirmed(confirm(&client, &partial), "not_cancelled");

    // The rest refunded an hour later: that Noti confirms as a cancel, keyed by paycert's cancellation date.
    control(&sb, "clock", Some(json!({"advance_seconds": 3600})));
    ok(call(
        &client,
        Operation::Cancel,
        json!({"tid": paid.tid, "reason": "환불"}),
    ));
    let cancels: Vec<Value> = sent_notis(&sb)
        .into_iter()
        .filter(|(k, b)| k == "cancel" && b["TID"] == paid.tid.as_str())
        .map(|(_, b)| b)
        .collect();
    assert_eq!(cancels.len(), 2);
    let full = ok(confirm(&client, &cancels[1]));
    let paycert = ok(call(&client, Operation::Paycert, json!({ "tid": paid.tid })));
    assert_eq!(full["kind"], "cancel");
    assert_eq!(
        full["dedup_key"],
        format!("cancel:{}:{}", paid.tid, paycert["CANCELDATE"].as_str().unwrap())
    );
    assert!(full.get("CANCEL_AMT").is_none(), "CANCEL_AMT came from the body");
    // The partial refund's Noti, delivered late, names another cancellation date: refused.
    let e = not_confirmed(confirm(&client, &partial), "mismatch");
    assert_eq!(e["mismatches"][0]["field"], "CANCELDATE");
    // The original approval's Noti now comes back as what CookiePay shows: a cancelled payment.
    let late = ok(confirm(&client, &payment_noti));
    assert_eq!(late["kind"], "cancel");
    assert_eq!(late["dedup_key"], full["dedup_key"]);
}
