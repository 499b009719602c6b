//! 정기결제: billkeygen, schedules run by the sandbox clock, immediate charges, schedule cancel,
//! billing-key deletion.

mod common;

use common::*;
use cookiepay_sandbox::{choices, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

fn is_lower_alnum(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[test]
fn billkeygen_approves_issues_a_key_and_registers_a_schedule() {
    let sb = start();
    let api = Api::http(&sb);
    let v = api.billkeygen(monthly("10", "1", "12"));
    assert_eq!(v["RESULTCODE"], "0000", "{v}");
    assert_eq!(v["RESULTMSG"], "성공");
    let key = v["BILLKEY"].as_str().expect("BILLKEY");
    assert!(is_lower_alnum(key, 20), "{key}");
    assert_eq!(v["GENDATE"].as_str().expect("GENDATE").len(), 14);
    assert_eq!(v["ACCEPTDATE"], v["GENDATE"]);
    assert_eq!(v["ORDERNO"], "SUB-1");
    assert_eq!(v["AMOUNT"], "9900");
    assert_eq!(v["BUYERPHONE"], "01012345678");
    assert_eq!(v["CARDCODE"], "", "card type is not returned, as recorded");
    assert_eq!(v["ETC5"], "e5");
    assert_eq!(v["ACCEPTNO"].as_str().expect("no").len(), 8);
    assert_eq!(v["RESERVE_RESULTCODE"], "0000");
    let rid = v["RESERVE_ID"].as_str().expect("RESERVE_ID");
    assert!(is_lower_alnum(rid, 28), "{rid}");
    assert_eq!(v["RESERVE_ORDERNO"], "SUB-1");
    assert_eq!(v["RESERVE_RECURRENCE_TYPE"], "M");
    assert_eq!(v["RESERVE_PAY_DAY"], "10");
    assert_eq!(v["RESERVE_NOW_PAY_CNT"], "1");
    assert_eq!(v["RESERVE_START_PAY_CNT"], "1");
    assert_eq!(v["RESERVE_LAST_PAY_CNT"], "12");
    assert_eq!(v["RESERVE_RETURN_URL"], "");
    let next = ymd(v["RESERVE_NEXT_PAY_DATE"].as_str().expect("next"));
    let today = api.today();
    assert_eq!(next.2, 10);
    let expect = if today.2 < 10 {
        (today.0, today.1)
    } else if today.1 == 12 {
        (today.0 + 1, 1)
    } else {
        (today.0, today.1 + 1)
    };
    assert_eq!((next.0, next.1), expect);

    // The first charge is a CARD_BATCH payment paycert knows.
    let p = api.paycert(&api.token(), v["TID"].as_str().expect("tid"));
    assert_eq!(p["RESULTCODE"], "0000");
    assert_eq!(p["PAYMETHOD"], "CARD_BATCH");
    assert_eq!(p["AMOUNT"], "9900");
    assert_eq!(p["CARDNAME"], "신한카드");
    // Same ORDERNO again is a duplicate (shared with /pay/ready's order numbers) ...
    let dup = api.billkeygen(json!({}));
    assert_eq!(dup["RESULTCODE"], choices::E_DUP_ORDERNO.code, "{dup}");
    let (_, _, b) = api.ready(json!({ "ORDERNO": "SUB-1" }));
    assert!(b.contains(choices::E_DUP_ORDERNO.code), "{b}");
    // ... unless ORDER_NO_CHECK is N.
    assert_eq!(api.billkeygen(json!({ "ORDER_NO_CHECK": "N" }))["RESULTCODE"], "0000");
}

#[test]
fn billkeygen_declines_store_nothing() {
    let sb = start();
    let api = Api::http(&sb);
    let v = api.billkeygen(
        json!({ "CARDNO": "4000000000009995", "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "1" }),
    );
    assert_eq!(v["RESULTCODE"], choices::C_LIMIT.code, "{v}");
    assert_eq!(v["RESULTMSG"], "한도초과");
    assert_eq!(v["BILLKEY"], "");
    assert_eq!(v["TID"], "");
    assert_eq!(v["RESERVE_RESULTCODE"], choices::R_NOT_CHARGED.code);
    assert_eq!(v["RESERVE_ID"], "");
    let (_, list) = api.get_json("/_sandbox/payments");
    assert_eq!(list["payments"].as_array().expect("list").len(), 0);
    let (_, subs) = api.get_json("/_sandbox/subscriptions");
    assert_eq!(subs["subscriptions"].as_array().expect("list").len(), 0);
    // A declined ORDERNO can be used again.
    assert_eq!(api.billkeygen(json!({}))["RESULTCODE"], "0000");
    // Input problems: card fields decline like the window, order fields answer E0xx, no charge.
    for (extra, code) in [
        (json!({ "ORDERNO": "X2", "CARDAUTH": "12345" }), choices::C_INPUT.code),
        (
            json!({ "ORDERNO": "X3", "CARDNO": "4111111111111112" }),
            choices::C_INVALID_NUMBER.code,
        ),
        (json!({ "ORDERNO": "X4", "EXPIREDT": "2001" }), choices::C_EXPIRED.code),
        (json!({ "ORDERNO": "X5", "QUOTA": "13" }), choices::C_INPUT.code),
        (json!({ "ORDERNO": "X6", "AMOUNT": "12a" }), choices::E_AMOUNT.code),
        (json!({ "ORDERNO": null }), choices::E_REQUIRED.code),
        (
            json!({ "ORDERNO": "X7", "API_ID": "someone_else" }),
            choices::E_API_ID_MISMATCH.code,
        ),
        (
            json!({ "ORDERNO": "X8", "PRODUCTNAME": "a&b" }),
            choices::E_AMPERSAND.code,
        ),
    ] {
        let v = api.billkeygen(extra.clone());
        assert_eq!(v["RESULTCODE"], code, "{extra} → {v}");
    }
    // A business number (10 digits) is a valid CARDAUTH here.
    assert_eq!(
        api.billkeygen(json!({ "ORDERNO": "X9", "CARDAUTH": "1234567890" }))["RESULTCODE"],
        "0000"
    );
    let (_, list) = api.get_json("/_sandbox/payments");
    assert_eq!(
        list["payments"].as_array().expect("list").len(),
        2,
        "only the two approvals"
    );
    // Headers: both ApiKey and TOKEN, of the same merchant.
    let t = api.token();
    let body = billkeygen_body();
    assert_eq!(
        api.json("/Subscribe/billkeygen", &[("ApiKey", DEMO_API_KEY)], &body)["RESULTCODE"],
        "E003"
    );
    assert_eq!(
        api.json("/Subscribe/billkeygen", &[("TOKEN", &t)], &body)["RESULTCODE"],
        "E003"
    );
    let v = api.json(
        "/Subscribe/billkeygen",
        &[("ApiKey", DEMO_API_KEY), ("TOKEN", "forged")],
        &body,
    );
    assert_eq!(v["RESULTCODE"], choices::E_TOKEN.code);
}

#[test]
fn a_bad_schedule_still_charges_but_registers_nothing() {
    let sb = start();
    let api = Api::http(&sb);
    let cases = [
        (
            json!({ "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "D", "PAY_DAY": "1" }),
            choices::R_TYPE,
        ),
        (
            json!({ "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "32" }),
            choices::R_PAY_DAY,
        ),
        (
            json!({ "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "0" }),
            choices::R_PAY_DAY,
        ),
        (
            json!({ "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "W", "PAY_DAY": "8" }),
            choices::R_PAY_DAY,
        ),
        (monthly("5", "3", "2"), choices::R_COUNT),
        (monthly("5", "x", "0"), choices::R_COUNT),
    ];
    for (i, (mut extra, e)) in cases.into_iter().enumerate() {
        extra["ORDERNO"] = json!(format!("BAD-{i}"));
        let v = api.billkeygen(extra.clone());
        assert_eq!(v["RESULTCODE"], "0000", "{extra} → {v}");
        assert!(!v["BILLKEY"].as_str().expect("key").is_empty());
        assert!(!v["TID"].as_str().expect("tid").is_empty());
        assert_eq!(v["RESERVE_RESULTCODE"], e.code, "{extra} → {v}");
        assert_eq!(v["RESERVE_RESULTMSG"], e.msg);
        assert_eq!(v["RESERVE_ID"], "");
    }
    let (_, subs) = api.get_json("/_sandbox/subscriptions");
    assert_eq!(subs["subscriptions"].as_array().expect("list").len(), 0);
    // Without RECURRENCE_PAY there is no RESERVE_* block at all.
    let v = api.billkeygen(json!({ "ORDERNO": "PLAIN" }));
    assert!(v.get("RESERVE_RESULTCODE").is_none(), "{v}");
}

#[test]
fn billkeygen_reply_is_encrypted_unless_enc_yn_is_n() {
    let sb = start();
    let api = Api::http(&sb);
    for (i, enc) in [json!("Y"), Value::Null].into_iter().enumerate() {
        let mut extra = monthly("15", "1", "0");
        extra["ORDERNO"] = json!(format!("ENC-{i}"));
        extra["ENC_YN"] = enc;
        let v = api.billkeygen(extra);
        assert_eq!(v["RESULTCODE"], "0000");
        assert!(v.get("BILLKEY").is_none(), "only the envelope: {v}");
        let d = api.decrypt(v["ENC_DATA"].as_str().expect("ENC_DATA"));
        assert_eq!(d["RESULTCODE"], "0000");
        let dd = &d["decryptData"];
        assert_eq!(dd["RESULTCODE"], "0000");
        assert_eq!(dd["ORDERNO"], format!("ENC-{i}"));
        assert!(is_lower_alnum(dd["BILLKEY"].as_str().expect("key"), 20));
        assert_eq!(dd["RESERVE_RESULTCODE"], "0000");
        assert_eq!(dd["RESERVE_PAY_DAY"], "15");
    }
}

#[test]
fn twelve_monthly_charges_run_in_order_on_the_last_day() {
    let sb = start();
    let api = Api::http(&sb);
    let v = api.billkeygen(monthly("31", "1", "13"));
    let rid = v["RESERVE_ID"].as_str().expect("rid").to_string();
    let t0 = std::time::Instant::now();
    let r = api.advance_days(400);
    assert!(t0.elapsed().as_secs_f64() < 1.0, "a year of charges is fast");
    let charged = r["charged"].as_array().expect("charged");
    assert_eq!(charged.len(), 12, "{r}");
    let mut saw_february = false;
    let mut prev: Option<(i64, u32)> = None;
    for (i, ch) in charged.iter().enumerate() {
        assert_eq!(ch["RESERVE_ID"], rid.as_str());
        assert_eq!(ch["PAY_CNT"], (i + 2).to_string(), "{ch}");
        assert_eq!(ch["RESULTCODE"], "0000");
        let (y, m, d) = ymd(ch["ACCEPT_DATE"].as_str().expect("date"));
        assert_eq!(d, days_in_month(y, m), "말일: {ch}");
        saw_february |= m == 2;
        if let Some((py, pm)) = prev {
            assert_eq!((y * 12 + m as i64) - (py * 12 + pm as i64), 1, "consecutive months");
        }
        prev = Some((y, m));
        let p = api.paycert(&api.token(), ch["TID"].as_str().expect("tid"));
        assert_eq!(p["PAYMETHOD"], "CARD_BATCH");
        assert!(p["ORDERNO"].as_str().expect("o").starts_with("SRS"));
        assert_eq!(p["ORDERNO"].as_str().expect("o").len(), 23);
        assert_eq!(p["ACCEPTDATE"], ch["ACCEPT_DATE"]);
    }
    assert!(saw_february);
    let s = api.subscription(&rid);
    assert_eq!(s["status"], "completed");
    assert_eq!(s["PAY_CNT"], "13");
    assert_eq!(s["NEXT_PAY_DATE"], "");
    // Nothing more falls due.
    assert_eq!(api.advance_days(100)["charged"].as_array().expect("c").len(), 0);
}

#[test]
fn the_dunning_card_declines_only_its_third_charge_and_can_be_charged_again() {
    let sb = start();
    let api = Api::http(&sb);
    let v = api.billkeygen(json!({ "CARDNO": "4000000000000333", "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "10", "LAST_PAY_CNT": "0" }));
    assert_eq!(v["RESULTCODE"], "0000", "charge 1: {v}");
    let rid = v["RESERVE_ID"].as_str().expect("rid").to_string();
    let key = v["BILLKEY"].as_str().expect("key").to_string();
    let r = api.advance_days(95);
    let codes: Vec<&str> = r["charged"]
        .as_array()
        .expect("c")
        .iter()
        .map(|c| c["RESULTCODE"].as_str().unwrap())
        .collect();
    assert!(codes.len() >= 3, "{r}");
    assert_eq!(&codes[..3], &["0000", "C001", "0000"], "charges 2, 3, 4: {r}");
    let failed = &r["charged"][1];
    assert_eq!(failed["PAY_CNT"], "3");
    assert_eq!(failed["TID"], "");
    let s = api.subscription(&rid);
    assert_eq!(s["status"], "active");
    assert_eq!(s["unpaid"], json!([{ "PAY_CNT": "3", "TRY_CNT": "1" }]));
    // recurrence_request_payment charges the failed cycle again (not the schedule's next one).
    let next_before = s["NEXT_PAY_DATE"].clone();
    let out = api.subscribe_json(
        "/Subscribe/recurrence_request_payment",
        &json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": rid, "BILLKEY": key }),
    );
    assert_eq!(out["RESULTCODE"], "0000");
    assert_eq!(out["RESULTMSG"], "성공");
    let dd = api.decrypt(out["ENC_DATA"].as_str().expect("enc"))["decryptData"].clone();
    assert_eq!(dd["RESULTCODE"], "0000", "{dd}");
    assert_eq!(dd["PAY_CNT"], "3");
    assert_eq!(dd["TRY_CNT"], "2");
    assert_eq!(dd["LAST_PAY_CNT"], "0");
    assert_eq!(dd["RESERVE_ID"], rid.as_str());
    assert_eq!(dd["RESERVE_ORDERNO"], "SUB-1");
    assert_eq!(dd["BILLKEY"], key.as_str());
    assert_eq!(dd["AMOUNT"], "9900");
    assert_eq!(dd["CARDNO"], "************0333");
    assert_eq!(dd["CARDNAME"], "NH농협카드");
    let orderno = dd["ORDERNO"].as_str().expect("orderno");
    assert!(orderno.starts_with("SRS") && orderno[3..].len() == 20 && orderno[3..].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(dd["NEXT_PAY_DATE"], next_before, "a retry does not move the schedule");
    for k in [
        "API_ID",
        "TID",
        "BUYERNAME",
        "BUYERPHONE",
        "BUYERADDRESS",
        "BUYEREMAIL",
        "BUYERID",
        "USERID",
        "PRODUCTCODE",
        "PRODUCTNAME",
        "ACCEPT_DATE",
        "ACCEPT_NO",
        "CARDCODE",
        "QUOTA",
        "ETC1",
        "ETC5",
    ] {
        assert!(dd.get(k).is_some_and(Value::is_string), "{k} in {dd}");
    }
    let s = api.subscription(&rid);
    assert_eq!(s["unpaid"], json!([]));
    // With nothing unpaid it charges the next cycle ahead and moves NEXT_PAY_DATE on.
    let out = api.subscribe_json(
        "/Subscribe/recurrence_request_payment",
        &json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": rid, "BILLKEY": key }),
    );
    let dd = api.decrypt(out["ENC_DATA"].as_str().expect("enc"))["decryptData"].clone();
    assert_eq!(dd["PAY_CNT"], (codes.len() + 2).to_string(), "{dd}");
    assert_ne!(dd["NEXT_PAY_DATE"], next_before);
    // Unknown schedule / wrong key.
    let bad = api.subscribe_json(
        "/Subscribe/recurrence_request_payment",
        &json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": "nope", "BILLKEY": key }),
    );
    assert_eq!(bad["RESULTCODE"], choices::E_RESERVE_UNKNOWN.code);
    assert!(bad.get("ENC_DATA").is_none());
    let bad = api.subscribe_json(
        "/Subscribe/recurrence_request_payment",
        &json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": rid, "BILLKEY": "aaaaaaaaaaaaaaaaaaaa" }),
    );
    assert_eq!(bad["RESULTCODE"], choices::E_BILLKEY_MISMATCH.code);
}

#[test]
fn a_card_near_expiry_starts_declining_c003_after_its_month() {
    let sb = start();
    let api = Api::http(&sb);
    let (y, m, _) = api.today();
    let (ey, em) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let expiry = format!("{:02}{:02}", ey % 100, em);
    let v =
        api.billkeygen(json!({ "EXPIREDT": expiry, "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "1" }));
    assert_eq!(v["RESULTCODE"], "0000", "{v}");
    let r = api.advance_days(80);
    for ch in r["charged"].as_array().expect("c") {
        let (cy, cm, _) = ymd(ch["ACCEPT_DATE"].as_str().unwrap());
        let want = if (cy, cm) <= (ey, em) {
            "0000"
        } else {
            choices::C_EXPIRED.code
        };
        assert_eq!(ch["RESULTCODE"], want, "{ch} with expiry {expiry}");
    }
    assert!(
        r["charged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["RESULTCODE"] == choices::C_EXPIRED.code),
        "{r}"
    );
}

#[test]
fn weekly_schedules_charge_on_their_weekday() {
    let sb = start();
    let api = Api::http(&sb);
    let v =
        api.billkeygen(json!({ "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "W", "PAY_DAY": "1", "LAST_PAY_CNT": "4" }));
    assert_eq!(v["RESERVE_RESULTCODE"], "0000", "{v}");
    let next = ymd(v["RESERVE_NEXT_PAY_DATE"].as_str().unwrap());
    let today = api.today();
    let gap = day_number(next.0, next.1, next.2) - day_number(today.0, today.1, today.2);
    assert!((1..=7).contains(&gap), "next Monday within a week: {gap}");
    let r = api.advance_days(30);
    let charged = r["charged"].as_array().expect("c");
    assert_eq!(charged.len(), 3, "cycles 2..=4: {r}");
    let mut prev = None;
    for ch in charged {
        let (y, m, d) = ymd(ch["ACCEPT_DATE"].as_str().unwrap());
        let n = day_number(y, m, d);
        assert_eq!((n + 3).rem_euclid(7) + 1, 1, "a Monday: {ch}");
        if let Some(p) = prev {
            assert_eq!(n - p, 7);
        }
        prev = Some(n);
    }
    assert_eq!(
        api.subscription(v["RESERVE_ID"].as_str().unwrap())["status"],
        "completed"
    );
}

#[test]
fn schedule_cancel_then_e103_with_the_cancellation_time() {
    let sb = start();
    let api = Api::http(&sb);
    let v = api.billkeygen(monthly("20", "1", "0"));
    let rid = v["RESERVE_ID"].as_str().unwrap().to_string();
    let key = v["BILLKEY"].as_str().unwrap().to_string();
    let body = json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": rid });
    let out = api.subscribe_json("/Subscribe/recurrence_schedule_cancel", &body);
    assert_eq!(out["RESULTCODE"], "0000", "{out}");
    let dd = api.decrypt(out["ENC_DATA"].as_str().unwrap())["decryptData"].clone();
    assert_eq!(dd["RESULTCODE"], "0000");
    assert_eq!(dd["RESERVE_ID"], rid.as_str());
    let at = dd["CANCEL_DATE"].as_str().expect("CANCEL_DATE").to_string();
    assert_eq!(at.len(), 19);
    let (_, clock) = api.get_json("/_sandbox/clock");
    assert_eq!(&at[..10], &clock["now"].as_str().unwrap()[..10]);
    api.advance_days(3);
    for path in [
        "/Subscribe/recurrence_schedule_cancel",
        "/Subscribe/recurrence_request_payment",
    ] {
        let again = api.subscribe_json(
            path,
            &json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": rid, "BILLKEY": key }),
        );
        assert_eq!(again["RESULTCODE"], "E103", "{path}: {again}");
        let msg = again["RESULTMSG"].as_str().unwrap();
        assert!(msg.starts_with(&format!("{at} ")), "{msg} starts with {at}");
        assert!(msg.contains("이미 해지된"), "{msg}");
        assert!(again.get("ENC_DATA").is_none());
    }
    assert_eq!(
        api.advance_days(200)["charged"].as_array().unwrap().len(),
        0,
        "a cancelled schedule never charges"
    );
    let s = api.subscription(&rid);
    assert_eq!(s["status"], "cancelled");
    assert_eq!(s["cancelled_at"], at.as_str());
    let unknown = api.subscribe_json(
        "/Subscribe/recurrence_schedule_cancel",
        &json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": "x" }),
    );
    assert_eq!(unknown["RESULTCODE"], choices::E_RESERVE_UNKNOWN.code);
}

#[test]
fn a_deleted_billing_key_can_no_longer_be_charged() {
    let sb = start();
    let api = Api::http(&sb);
    let v = api.billkeygen(monthly("5", "1", "0"));
    let key = v["BILLKEY"].as_str().unwrap().to_string();
    let rid = v["RESERVE_ID"].as_str().unwrap().to_string();
    let body = json!({ "API_ID": DEMO_API_ID, "BILLKEY": key });
    let out = api.subscribe_json("/Subscribe/billingkeycancel", &body);
    assert_eq!(
        out,
        json!({ "RESULTCODE": "0000", "RESULTMSG": "성공", "BILLKEY": key })
    );
    assert_eq!(
        api.subscribe_json("/Subscribe/billingkeycancel", &body)["RESULTCODE"],
        choices::E_BILLKEY_DELETED.code
    );
    let unknown = json!({ "API_ID": DEMO_API_ID, "BILLKEY": "zzzzzzzzzzzzzzzzzzzz" });
    assert_eq!(
        api.subscribe_json("/Subscribe/billingkeycancel", &unknown)["RESULTCODE"],
        choices::E_BILLKEY_UNKNOWN.code
    );
    let r = api.advance_days(40);
    let charged = r["charged"].as_array().unwrap();
    assert!(!charged.is_empty());
    for ch in charged {
        assert_eq!(ch["RESULTCODE"], choices::C_KEY_DELETED.code, "{ch}");
    }
    let out = api.subscribe_json(
        "/Subscribe/recurrence_request_payment",
        &json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": rid, "BILLKEY": key }),
    );
    let dd = api.decrypt(out["ENC_DATA"].as_str().unwrap())["decryptData"].clone();
    assert_eq!(
        dd["RESULTCODE"],
        choices::C_KEY_DELETED.code,
        "outer 0000, inner the decline"
    );
    assert_eq!(out["RESULTCODE"], "0000");
    assert!(api.subscription(&rid)["billkey_deleted_at"].is_string());
}

#[test]
fn the_clock_only_moves_forward_and_reset_puts_it_back() {
    // Real time, not the suite's pinned day: offsets count from 0 here.
    let sb = cookiepay_sandbox::Sandbox::start(cookiepay_sandbox::Options::default()).unwrap();
    let api = Api::http(&sb);
    let (s, v) = api.get_json("/_sandbox/clock");
    assert_eq!(s, 200);
    assert_eq!(v["offset_seconds"], 0);
    assert_eq!(v["now"].as_str().unwrap().len(), 19);
    for bad in [
        json!({ "advance_seconds": -5 }),
        json!({ "advance_days": "x" }),
        json!({}),
        json!({ "advance_days": 1, "advance_seconds": 1 }),
    ] {
        let (s, _, t) = api.post_json("/_sandbox/clock", &[], &bad);
        assert_eq!(s, 400, "{bad} → {t}");
    }
    let (s, _, t) = api.post_json("/_sandbox/clock", &[], &json!({ "advance_seconds": 90 }));
    assert_eq!(s, 200, "{t}");
    let r = api.advance_days(2);
    assert_eq!(r["offset_seconds"], 2 * 86_400 + 90);
    // Business dates follow the clock; tokens still work (they use real time).
    let v = api.billkeygen(json!({}));
    assert_eq!(v["RESULTCODE"], "0000");
    let (y, m, d) = ymd(v["ACCEPTDATE"].as_str().unwrap());
    let today = api.today();
    assert_eq!((y, m, d), today);
    api.billkeygen(monthly("1", "1", "0"));
    let (s, _, _) = api.post_json("/_sandbox/reset", &[], &json!({ "state": true }));
    assert_eq!(s, 200);
    assert_eq!(api.get_json("/_sandbox/clock").1["offset_seconds"], 0);
    assert_eq!(api.get_json("/_sandbox/subscriptions").1["subscriptions"], json!([]));
}

#[test]
fn a_clock_start_pins_the_day_and_set_moves_it_either_way() {
    let sb = start_with(|o| o.clock_start = Some("2028-02-29 23:59:00".into()));
    let api = Api::http(&sb);
    assert_eq!(api.today(), (2028, 2, 29));
    // A schedule due on the 1st runs when `set` crosses into March, as an advance would.
    let v = api.billkeygen(monthly("1", "1", "0"));
    assert_eq!(v["RESULTCODE"], "0000", "{v}");
    let (s, _, t) = api.post_json("/_sandbox/clock", &[], &json!({ "set": "2028-03-01 10:00:00" }));
    assert_eq!(s, 200, "{t}");
    let r: Value = serde_json::from_str(&t).unwrap();
    assert!(r["now"].as_str().unwrap().starts_with("2028-03-01 10:00"), "{r}");
    assert_eq!(r["charged"].as_array().map(Vec::len), Some(1), "{r}");
    // Back in time: allowed (a test's start), runs nothing.
    let (s, _, t) = api.post_json("/_sandbox/clock", &[], &json!({ "set": "2027-01-15" }));
    assert_eq!(s, 200, "{t}");
    assert_eq!(api.today(), (2027, 1, 15));
    for bad in [
        json!({ "set": "2027-02-29" }),
        json!({ "set": 5 }),
        json!({ "set": "2027-01-15", "advance_days": 1 }),
    ] {
        let (s, _, t) = api.post_json("/_sandbox/clock", &[], &bad);
        assert_eq!(s, 400, "{bad} → {t}");
    }
    // A reset with state goes back to the start day, not to real time.
    let (s, _, _) = api.post_json("/_sandbox/reset", &[], &json!({ "state": true }));
    assert_eq!(s, 200);
    assert_eq!(api.today(), (2028, 2, 29));
    // A start that is no date is refused when the sandbox starts.
    let bad = cookiepay_sandbox::Sandbox::start(cookiepay_sandbox::Options {
        clock_start: Some("2027-02-29".into()),
        ..Default::default()
    });
    assert!(bad.is_err());
}
