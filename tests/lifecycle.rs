//! The whole life of a subscription against the sandbox: sign-up with a billing key, scheduled and
//! immediate charges through the sandbox clock, refunds, lookups, receipts, notifications, the end.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::*;
use cookiepay::Operation;
use serde_json::{json, Value};

/// The sandbox's card that approves the first two charges of a key and declines the third (C001).
pub const CARD_THIRD_DECLINES: &str = "4000000000000333";

fn signup(amount: u64, card_no: &str, schedule: Value) -> Value {
    let mut request = json!({
        "ORDERNO": unique_order(), "PRODUCTNAME": "월간 쿠키 구독", "AMOUNT": amount, "BUYERNAME": "홍길동",
        "BUYEREMAIL": "buyer@example.com", "BUYERPHONE": "010-1234-5678",
        "CARDNO": card_no, "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12", "QUOTA": "00"
    });
    for (k, v) in schedule.as_object().unwrap() {
        request[k] = v.clone();
    }
    request
}

fn monthly(pay_day: &str) -> Value {
    json!({"RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": pay_day, "START_PAY_CNT": "1", "LAST_PAY_CNT": "0"})
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

#[test]
fn signup_charges_and_schedules_in_one_call() {
    let sb = sandbox();
    let client = client(&sb);
    let envelope = client.call(Operation::Billkeygen, &signup(9900, CARD_OK, monthly("05")).to_string());
    assert!(!envelope.contains(CARD_OK), "the card number came back");
    let data = ok(serde_json::from_str(&envelope).unwrap());
    assert_eq!(data["charged"], true);
    assert_eq!(data["scheduled"], true);
    assert_eq!(text(&data["BILLKEY"]).len(), 20);
    assert!(!text(&data["RESERVE_ID"]).is_empty());
    assert_eq!(data["AMOUNT"], "9900");
    // The charge is real: paycert knows it as a billing-key payment.
    let payment = ok(call(&client, Operation::Paycert, json!({"tid": data["TID"]})));
    assert_eq!(payment["AMOUNT"], "9900");
    assert_eq!(payment["PAYMETHOD"], "CARD_BATCH");
    assert_eq!(count(&sb, "billkeygen"), 1);
}

#[test]
fn without_a_schedule_scheduled_is_null_and_an_encrypted_answer_is_decrypted() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(&client, Operation::Billkeygen, signup(1000, CARD_OK, json!({}))));
    assert_eq!(data["scheduled"], Value::Null);
    let data = ok(call(
        &client,
        Operation::Billkeygen,
        signup(1000, CARD_OK, json!({"ENC_YN": "Y"})),
    ));
    assert_eq!(data["charged"], true);
    assert_eq!(text(&data["BILLKEY"]).len(), 20);
    assert_eq!(count(&sb, "decrypt"), 1);
}

#[test]
fn charged_but_not_scheduled_is_success_with_scheduled_false() {
    let sb = sandbox();
    let client = client(&sb);
    let mut request = signup(5000, CARD_OK, monthly("05"));
    request["RECURRENCE_TYPE"] = json!("Q"); // the sandbox charges, then refuses to schedule this
    let data = ok(call(&client, Operation::Billkeygen, request));
    assert_eq!(data["charged"], true);
    assert_eq!(data["scheduled"], false);
    assert_ne!(data["RESERVE_RESULTCODE"], "0000");
    assert!(!text(&data["RESERVE_RESULTMSG"]).is_empty());
}

#[test]
fn a_bad_card_is_refused_before_anything_is_sent() {
    let sb = sandbox();
    let client = client(&sb);
    let mut request = signup(5000, "4111111111111112", json!({}));
    request["EXPIREDT"] = json!("2001");
    request["CARDAUTH"] = json!("12345");
    request["CARDPWD"] = json!("123");
    let envelope = client.call(Operation::Billkeygen, &request.to_string());
    for secret in ["4111111111111112", "12345", "\"123\""] {
        assert!(!envelope.contains(secret), "{secret} echoed in {envelope}");
    }
    let e = err(serde_json::from_str(&envelope).unwrap(), "validation");
    let fields: Vec<String> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| text(&f["field"]))
        .collect();
    for field in ["CARDNO", "EXPIREDT", "CARDAUTH", "CARDPWD"] {
        assert!(fields.contains(&field.to_string()), "{field} not named in {fields:?}");
    }
    let stats = control(&sb, "stats", None);
    for endpoint in ["token", "billkeygen"] {
        assert_eq!(
            stats["requests"][endpoint]["total"].as_u64().unwrap_or(0),
            0,
            "{endpoint} was called"
        );
    }
}

#[test]
fn a_declined_card_is_an_api_error_with_its_code() {
    let sb = sandbox();
    let client = client(&sb);
    let e = err(
        call(&client, Operation::Billkeygen, signup(5000, CARD_LIMIT, monthly("05"))),
        "api",
    );
    assert_eq!(e["code"], "C001");
}

#[test]
fn a_year_of_monthly_charges_with_one_declined_cycle() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(
        &client,
        Operation::Billkeygen,
        signup(12000, CARD_THIRD_DECLINES, monthly("31")),
    ));
    let reserve_id = text(&data["RESERVE_ID"]);
    let mut results = Vec::new();
    for _ in 0..12 {
        let advanced = control(&sb, "clock", Some(json!({"advance_days": 31})));
        for charge in advanced["charged"].as_array().unwrap() {
            if text(&charge["RESERVE_ID"]) == reserve_id {
                results.push(text(&charge["RESULTCODE"]));
            }
        }
    }
    assert!(results.len() >= 11, "{results:?}");
    // The sign-up was charge 1 and 2 is the first scheduled one; the card declines the 3rd charge.
    assert_eq!(results[1], "C001", "{results:?}");
    assert_eq!(
        results.iter().filter(|r| r.as_str() != "0000").count(),
        1,
        "{results:?}"
    );
    // The declined cycle can be charged again by hand (dunning): the card only refuses the 3rd try.
    let retry = call(
        &client,
        Operation::RecurringCharge,
        json!({"RESERVE_ID": reserve_id, "BILLKEY": data["BILLKEY"]}),
    );
    let payment = ok(retry);
    assert_eq!(payment["AMOUNT"], "12000");
    assert!(text(&payment["ORDERNO"]).starts_with("SRS"));
}

#[test]
fn a_recurring_charge_is_decrypted_and_a_cancelled_schedule_answers_e103() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(
        &client,
        Operation::Billkeygen,
        signup(3000, CARD_OK, monthly("10")),
    ));
    let ids = json!({"RESERVE_ID": data["RESERVE_ID"], "BILLKEY": data["BILLKEY"]});
    let payment = ok(call(&client, Operation::RecurringCharge, ids.clone()));
    assert_eq!(payment["AMOUNT"], "3000");
    assert!(!text(&payment["TID"]).is_empty());
    assert_eq!(payment["ACCEPTNO"], payment["ACCEPT_NO"], "both spellings");

    let cancelled = ok(call(
        &client,
        Operation::ScheduleCancel,
        json!({"RESERVE_ID": data["RESERVE_ID"]}),
    ));
    assert_eq!(cancelled["already_cancelled"], false);
    let again = ok(call(
        &client,
        Operation::ScheduleCancel,
        json!({"RESERVE_ID": data["RESERVE_ID"]}),
    ));
    assert_eq!(again["already_cancelled"], true);
    assert_eq!(text(&again["cancelled_at"]).len(), 19, "{again}");
    let e = err(call(&client, Operation::RecurringCharge, ids), "api");
    assert_eq!(e["code"], "E103");
    ok(call(
        &client,
        Operation::BillkeyDelete,
        json!({"BILLKEY": data["BILLKEY"]}),
    ));
}

#[test]
fn refunds_partial_over_already_cancelled_and_settled() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(&client, Operation::Billkeygen, signup(10000, CARD_OK, json!({}))));
    let tid = text(&data["TID"]);
    let first = ok(call(
        &client,
        Operation::Cancel,
        json!({"tid": tid, "reason": "부분 환불", "amount": 4000}),
    ));
    assert_eq!(first["cancel_code"], "0000");
    assert_eq!(first["already_cancelled"], false);
    let over = err(
        call(
            &client,
            Operation::Cancel,
            json!({"tid": tid, "reason": "초과", "amount": 7000}),
        ),
        "api",
    );
    assert_ne!(over["code"], "0000");
    ok(call(
        &client,
        Operation::Cancel,
        json!({"tid": tid, "reason": "나머지 환불"}),
    ));
    let again = ok(call(&client, Operation::Cancel, json!({"tid": tid, "reason": "또"})));
    assert_eq!(again["already_cancelled"], true);
    // A cancelled payment never verifies.
    let v = err(
        call(
            &client,
            Operation::Verify,
            json!({"tid": tid, "expected": {"ORDERNO": data["ORDERNO"], "AMOUNT": 10000}}),
        ),
        "verification_failed",
    );
    assert!(v["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["field"] == "CANCELDATE"));

    let settled = ok(call(&client, Operation::Billkeygen, signup(2000, CARD_OK, json!({}))));
    control(
        &sb,
        &format!("payments/{}/settle", text(&settled["TID"])),
        Some(json!({})),
    );
    let e = err(
        call(
            &client,
            Operation::Cancel,
            json!({"tid": settled["TID"], "reason": "환불"}),
        ),
        "api",
    );
    assert_eq!(e["code"], "9029");
    assert!(text(&e["hint"]).contains("입금후 취소"));
}

#[test]
fn paysearch_by_tid_and_dates_and_nothing_found_is_empty() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(&client, Operation::Billkeygen, signup(7000, CARD_OK, json!({}))));
    let by_tid = ok(call(&client, Operation::Paysearch, json!({"tid": data["TID"]})));
    assert_eq!(by_tid["payments"].as_array().unwrap().len(), 1);
    assert_eq!(by_tid["payments"][0]["AMOUNT"], "7000");
    let now = control(&sb, "clock", None);
    let today = &text(&now["now"])[..10];
    let by_date = ok(call(&client, Operation::Paysearch, json!({"from": today, "to": today})));
    assert!(by_date["payments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["TID"] == data["TID"]));
    let none = ok(call(
        &client,
        Operation::Paysearch,
        json!({"from": "2001-01-01", "to": "2001-01-31"}),
    ));
    assert_eq!(none["payments"], json!([]));
    let none = ok(call(
        &client,
        Operation::Paysearch,
        json!({"tid": "SBX00000000000000000"}),
    ));
    assert_eq!(none["payments"], json!([]));
}

/// A range over the gateway's 6 months (the sandbox answers E082 past them) is searched window by
/// window: the payment made today is found from January of last year on; past 24 months, nothing is
/// sent and the limit is named.
#[test]
fn paysearch_over_more_than_six_months_is_searched_in_windows() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(&client, Operation::Billkeygen, signup(7100, CARD_OK, json!({}))));
    let now = control(&sb, "clock", None);
    let today = &text(&now["now"])[..10];
    let year: u32 = today[..4].parse().unwrap();
    let from = format!("{}-01-01", year - 1);
    let before = count(&sb, "paysearch");
    let found = ok(call(&client, Operation::Paysearch, json!({"from": from, "to": today})));
    let tids: Vec<&Value> = found["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["TID"])
        .collect();
    assert_eq!(tids.iter().filter(|t| ***t == data["TID"]).count(), 1, "{found}");
    let windows = count(&sb, "paysearch") - before;
    assert!((3..=4).contains(&windows), "{windows} lookups");
    let too_long = format!("{}-01-01", year - 2);
    let e = err(
        call(&client, Operation::Paysearch, json!({"from": too_long, "to": today})),
        "validation",
    );
    assert!(text(&e["message"]).contains("to (range)"), "{e}");
    assert!(text(&e["fields"][0]["message"]).contains("24 months"), "{e}");
    assert_eq!(count(&sb, "paysearch") - before, windows, "nothing sent past the cap");
}

#[test]
fn the_receipt_url_opens_the_receipt_page() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(&client, Operation::Billkeygen, signup(1500, CARD_OK, json!({}))));
    let url = ok(call(&client, Operation::ReceiptUrl, json!({"tid": data["TID"]})))["url"].clone();
    assert!(text(&url).starts_with(&sb.http_url()));
    let page = reqwest::blocking::get(text(&url)).unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    assert!(
        html.contains("1,500") || html.contains("1500"),
        "the receipt shows the amount"
    );
}

#[test]
fn the_escape_hatch_reaches_any_path_with_the_clients_credentials() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(&client, Operation::Billkeygen, signup(2500, CARD_OK, json!({}))));
    let raw = ok(call(
        &client,
        Operation::Request,
        json!({"path": "/api/paysearch", "auth": ["token"], "body": {"API_ID": "sandbox_demo01", "TID": data["TID"]}}),
    ));
    assert_eq!(raw["status"], 200);
    assert_eq!(raw["body"][0]["TID"], data["TID"]);
    let unknown = ok(call(
        &client,
        Operation::Request,
        json!({"path": "/api/nothing-here", "body": {}}),
    ));
    assert_eq!(unknown["status"], 404);
}

/// A loopback 통지 URL that records every body and answers 200.
fn noti_listener() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/noti", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let body = read_http_request(&mut stream).map(|(_, body)| body);
            if let Some(body) = body {
                sink.lock().unwrap().push(body);
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (url, seen)
}

#[test]
fn notis_for_charges_and_cancels_parse_with_distinct_keys() {
    let sb = sandbox();
    let client = client(&sb);
    let (url, seen) = noti_listener();
    control(&sb, "noti", Some(json!({"url": url})));
    let data = ok(call(
        &client,
        Operation::Billkeygen,
        signup(4000, CARD_OK, monthly("15")),
    ));
    control(&sb, "clock", Some(json!({"advance_days": 40})));
    ok(call(
        &client,
        Operation::Cancel,
        json!({"tid": data["TID"], "reason": "환불"}),
    ));
    // How many recurring charges the 40 days hold depends on the start date (one or two day-15s):
    // wait for the event asserted, the cancel's Noti, not for a count of Notis.
    let is_cancel = |body: &Vec<u8>| {
        let parsed: Value = serde_json::from_str(&cookiepay::parse_noti_envelope(body)).unwrap();
        parsed["data"]["kind"] == "cancel"
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !seen.lock().unwrap().iter().any(is_cancel) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let bodies = seen.lock().unwrap().clone();
    let mut kinds = Vec::new();
    let mut keys = std::collections::BTreeSet::new();
    for body in &bodies {
        let parsed = ok(serde_json::from_str(&cookiepay::parse_noti_envelope(body)).unwrap());
        kinds.push(text(&parsed["kind"]));
        assert!(keys.insert(text(&parsed["dedup_key"])), "a repeated key in {parsed}");
        assert!(!String::from_utf8_lossy(body).contains(CARD_OK));
    }
    assert!(kinds.contains(&"recurring".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"cancel".to_string()), "{kinds:?}");
}

#[test]
fn twenty_unknown_tids_cost_at_most_twenty_two_requests() {
    let sb = sandbox();
    let client = client(&sb);
    // A TOKEN that has already proven itself, as in a long-running shop.
    pay(&sb, &client, 1000);
    ok(call(&client, Operation::Token, json!({})));
    control(&sb, "reset", Some(json!({})));
    for i in 0..20 {
        let e = err(
            call(&client, Operation::Paycert, json!({"tid": format!("SBX-UNKNOWN-{i}")})),
            "api",
        );
        assert_ne!(e["code"], "0000");
    }
    let total = count(&sb, "token") + count(&sb, "paycert");
    assert!(total <= 22, "{total} requests for 20 lookups");
    // A revoked TOKEN is still replaced: a paycert refreshes once and succeeds.
    let paid = pay(&sb, &client, 1000);
    control(&sb, "tokens/revoke", Some(json!({})));
    ok(call(&client, Operation::Paycert, json!({"tid": paid.tid})));
}

#[test]
fn the_lifecycle_works_over_https_too() {
    let sb = sandbox_with(cookiepay_sandbox::Options {
        tls_port: Some(0),
        ..Default::default()
    });
    let client = cookiepay::Client::from_json(&config(
        &sb.https_url().expect("https"),
        json!({"ca_cert_pem": sb.ca_pem().expect("a CA")}),
    ))
    .unwrap();
    let data = ok(call(
        &client,
        Operation::Billkeygen,
        signup(8000, CARD_OK, monthly("20")),
    ));
    ok(call(
        &client,
        Operation::Cancel,
        json!({"tid": data["TID"], "reason": "환불", "amount": 1000}),
    ));
    ok(call(
        &client,
        Operation::ScheduleCancel,
        json!({"RESERVE_ID": data["RESERVE_ID"]}),
    ));
}

#[test]
fn a_revoked_token_cannot_fail_a_subscription_change_because_it_fetches_its_own() {
    let sb = sandbox();
    let client = client(&sb);
    let data = ok(call(
        &client,
        Operation::Billkeygen,
        signup(3000, CARD_OK, monthly("10")),
    ));
    control(&sb, "tokens/revoke", Some(json!({})));
    control(&sb, "reset", Some(json!({})));
    ok(call(
        &client,
        Operation::ScheduleCancel,
        json!({"RESERVE_ID": data["RESERVE_ID"]}),
    ));
    // Sent once, with a TOKEN fetched for it (never resent after an answer that may be a rejection).
    assert_eq!(count(&sb, "schedule_cancel"), 1);
    assert_eq!(count(&sb, "token"), 1);
    ok(call(
        &client,
        Operation::BillkeyDelete,
        json!({"BILLKEY": data["BILLKEY"]}),
    ));
    assert_eq!(count(&sb, "billkey_delete"), 1);
    assert_eq!(count(&sb, "token"), 2, "a TOKEN of its own too");
}
