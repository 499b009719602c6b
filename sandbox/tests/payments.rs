//! After a payment: /api/cancel (partial, cumulative, over-cancel, already cancelled, 9029),
//! paycert reflecting cancels, /api/paysearch and the receipt page.

mod common;

use base64::Engine;
use common::*;
use cookiepay_sandbox::{choices, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

fn cancel(api: &Api, body: Value) -> Value {
    let t = api.token();
    api.json("/api/cancel", &[("TOKEN", &t), ("ApiKey", DEMO_API_KEY)], &body)
}

fn approved_tid(api: &Api, orderno: &str, amount: &str) -> String {
    let v = api.billkeygen(json!({ "ORDERNO": orderno, "AMOUNT": amount }));
    assert_eq!(v["RESULTCODE"], "0000", "{v}");
    v["TID"].as_str().unwrap().to_string()
}

#[test]
fn partial_cancels_add_up_and_stop_at_the_amount() {
    let sb = start();
    let api = Api::http(&sb);
    let tid = approved_tid(&api, "C-1", "10000");
    let a = cancel(&api, json!({ "tid": tid, "reason": "부분취소", "amount": "3000" }));
    assert_eq!(a["cancel_code"], "0000", "{a}");
    assert_eq!(a["cancel_tid"], tid.as_str());
    assert_eq!(a["cancel_amt"], "3000");
    let date = a["cancel_date"].as_str().unwrap();
    assert_eq!(date.len(), 14);
    assert_eq!(ymd(date), api.today());
    // Partially cancelled: paycert still shows the original amount and no CANCELDATE.
    let p = api.paycert(&api.token(), &tid);
    assert_eq!(
        (p["AMOUNT"].as_str(), p["CANCELDATE"].as_str()),
        (Some("10000"), Some(""))
    );
    let over = cancel(&api, json!({ "tid": tid, "reason": "x", "amount": 7001 }));
    assert_eq!(over["cancel_code"], choices::E_CANCEL_OVER.code, "{over}");
    let b = cancel(&api, json!({ "tid": tid, "reason": "두번째", "amount": 2000 }));
    assert_eq!(b["cancel_amt"], "2000");
    // No amount = the remainder.
    let c = cancel(&api, json!({ "tid": tid, "reason": "나머지" }));
    assert_eq!(c["cancel_code"], "0000");
    assert_eq!(c["cancel_amt"], "5000");
    let p = api.paycert(&api.token(), &tid);
    assert_eq!(p["RESULTCODE"], "0000");
    assert_eq!(p["CANCELDATE"], c["cancel_date"]);
    assert_eq!(p["CANCELMSG"], "나머지");
    let again = cancel(&api, json!({ "tid": tid, "reason": "again" }));
    assert_ne!(again["cancel_code"], "0000");
    assert!(again["cancel_msg"].as_str().unwrap().contains("이미 취소"), "{again}");
    let (_, list) = api.get_json("/_sandbox/payments");
    let row = &list["payments"][0];
    assert_eq!(row["CANCELLED_AMT"], "10000");
    assert_eq!(row["STATE"], "cancelled");
    assert_eq!(row["CANCELS"].as_array().unwrap().len(), 3);
}

#[test]
fn cancel_errors() {
    let other = other_merchant();
    let sb = start_with(|o| o.merchants.push(other.clone()));
    let api = Api::http(&sb);
    let tid = approved_tid(&api, "C-2", "5000");
    let unknown = cancel(&api, json!({ "tid": "SBX00000000000000000", "reason": "x" }));
    assert_eq!(unknown["cancel_code"], choices::E_TID_NOT_FOUND.code);
    for k in ["cancel_tid", "cancel_msg", "cancel_date", "cancel_amt"] {
        assert!(unknown[k].is_string(), "{k} in {unknown}");
    }
    // Another merchant's TID is as unknown as a missing one.
    let t = api.token_for(&other.api_id, &other.api_key);
    let theirs = api.json(
        "/api/cancel",
        &[("TOKEN", &t), ("ApiKey", &other.api_key)],
        &json!({ "tid": tid }),
    );
    assert_eq!(theirs["cancel_code"], choices::E_TID_NOT_FOUND.code);
    let mixed = api.json(
        "/api/cancel",
        &[("TOKEN", &t), ("ApiKey", DEMO_API_KEY)],
        &json!({ "tid": tid }),
    );
    assert_eq!(mixed["cancel_code"], choices::E_API_ID_MISMATCH.code);
    let no_token = api.json("/api/cancel", &[("ApiKey", DEMO_API_KEY)], &json!({ "tid": tid }));
    assert_eq!(no_token["cancel_code"], choices::E_HEADER_MISSING.code);
    for bad in [json!("0"), json!("-1"), json!("1.5"), json!(true)] {
        let v = cancel(&api, json!({ "tid": tid, "amount": bad }));
        assert_eq!(v["cancel_code"], choices::E_CANCEL_AMOUNT.code, "{bad} → {v}");
    }
    assert_eq!(
        cancel(&api, json!({ "reason": "x" }))["cancel_code"],
        choices::E_REQUIRED.code
    );
}

#[test]
fn a_settled_payment_answers_9029() {
    let sb = start();
    let api = Api::http(&sb);
    let tid = approved_tid(&api, "C-3", "5000");
    let (s, _, t) = api.post_json(&format!("/_sandbox/payments/{tid}/settle"), &[], &json!({}));
    assert_eq!(s, 200, "{t}");
    let v = cancel(&api, json!({ "tid": tid, "reason": "x" }));
    assert_eq!(v["cancel_code"], "9029", "{v}");
    assert!(v["cancel_msg"].as_str().unwrap().contains("입금후 취소"));
    assert_eq!(api.post_json("/_sandbox/payments/nope/settle", &[], &json!({})).0, 404);
    assert_eq!(api.paycert(&api.token(), &tid)["CANCELDATE"], "");
}

#[test]
fn paysearch_by_tid_by_dates_and_nothing_found() {
    let sb = start();
    let api = Api::http(&sb);
    let first = approved_tid(&api, "S-1", "1000");
    api.advance_days(40);
    let second = approved_tid(&api, "S-2", "2000");
    let today = api.today();
    let t = api.token();
    let search = |body: Value| api.json("/api/paysearch", &[("TOKEN", &t)], &body);
    let v = search(json!({ "API_ID": DEMO_API_ID, "TID": first, "STD_DT": "2000-01-01", "END_DT": "2000-01-02" }));
    let rows = v.as_array().unwrap_or_else(|| panic!("array: {v}"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["TID"], first.as_str());
    assert_eq!(rows[0]["ORDERNO"], "S-1");
    assert_eq!(rows[0]["PAYMETHOD"], "CARD_BATCH");
    for k in [
        "AMOUNT",
        "BUYERNAME",
        "BUYEREMAIL",
        "PRODUCTNAME",
        "PRODUCTCODE",
        "BUYERID",
        "ACCEPTNO",
        "ACCEPTDATE",
        "CANCELDATE",
        "CANCELMSG",
        "CARDNAME",
        "QUOTA",
    ] {
        assert!(rows[0][k].is_string(), "{k}");
    }
    let day = format!("{:04}-{:02}-{:02}", today.0, today.1, today.2);
    let v = search(json!({ "API_ID": DEMO_API_ID, "STD_DT": day, "END_DT": day }));
    let rows = v.as_array().unwrap_or_else(|| panic!("array: {v}"));
    assert_eq!(rows.len(), 1, "only today's: {v}");
    assert_eq!(rows[0]["TID"], second.as_str());
    let start_day = {
        let (y, m, d) = ymd(&rows[0]["ACCEPTDATE"].as_str().unwrap()[..8]);
        day_number(y, m, d) - 45
    };
    let (y, m, d) = civil(start_day);
    let from = format!("{y:04}-{m:02}-{d:02}");
    let both = search(json!({ "API_ID": DEMO_API_ID, "STD_DT": from, "END_DT": day }));
    assert_eq!(both.as_array().map(Vec::len), Some(2), "{both}");
    let none = search(json!({ "API_ID": DEMO_API_ID, "STD_DT": "2001-01-01", "END_DT": "2001-01-31" }));
    assert_eq!(
        none,
        json!({ "RESULTCODE": "E008", "RESULTMSG": "검색 결과가 없습니다." })
    );
    let none = search(json!({ "API_ID": DEMO_API_ID, "TID": "SBX00000000000000000" }));
    assert_eq!(none["RESULTCODE"], "E008");
    let bad = search(json!({ "API_ID": DEMO_API_ID, "STD_DT": "2026-13-01", "END_DT": "2026-12-01" }));
    assert_eq!(bad["RESULTCODE"], choices::E_SEARCH_DATES.code);
    let long = search(json!({ "API_ID": DEMO_API_ID, "STD_DT": "2026-01-01", "END_DT": "2026-07-02" }));
    assert_eq!(long["RESULTCODE"], choices::E_SEARCH_RANGE.code);
    let wrong = search(json!({ "API_ID": "someone", "STD_DT": day, "END_DT": day }));
    assert_eq!(wrong["RESULTCODE"], choices::E_API_ID_MISMATCH.code);
    assert_eq!(
        api.json("/api/paysearch", &[], &json!({ "API_ID": DEMO_API_ID }))["RESULTCODE"],
        "E003"
    );
}

fn civil(days: i64) -> (i64, u32, u32) {
    // Walk from a known day; test-only and small ranges.
    let mut d = (1970i64, 1u32, 1u32);
    let mut n = day_number(d.0, d.1, d.2);
    d = (d.0 + (days - n) / 366, 1, 1);
    n = day_number(d.0, d.1, d.2);
    while n < days {
        d.2 += 1;
        if d.2 > days_in_month(d.0, d.1) {
            d.2 = 1;
            d.1 += 1;
            if d.1 > 12 {
                d.1 = 1;
                d.0 += 1;
            }
        }
        n += 1;
    }
    d
}

#[test]
fn the_receipt_page_shows_a_known_payment() {
    let sb = start();
    let api = Api::http(&sb);
    let tid = approved_tid(&api, "R-1", "4321");
    let enc = base64::engine::general_purpose::STANDARD.encode(&tid);
    let (s, html) = api.get_text(&format!("/api/receipt?tid={}", enc.replace('=', "%3D")));
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("id=\"cookiepay-receipt\""));
    assert!(html.contains(&tid));
    assert!(html.contains("4321원"));
    assert!(html.contains("************1111"));
    assert!(!html.contains("4111111111111111"));
    let (s, html) = api.get_text(&format!(
        "/api/receipt?tid={}",
        base64::engine::general_purpose::STANDARD.encode("nope")
    ));
    assert_eq!(s, 404);
    assert!(html.contains("cookiepay-error"));
    assert_eq!(api.get_text("/api/receipt").0, 404);
    let (s, _, _) = api.post_json("/api/receipt", &[], &json!({}));
    assert_eq!(s, 405);
}
