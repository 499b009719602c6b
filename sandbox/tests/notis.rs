//! Notifications (Noti) with retries against a loopback shop, faults and stats of the 정기결제
//! endpoints, and no card number in any listing or notification.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use cookiepay_sandbox::{DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

/// A shop's 통지 URL that answers 500 to the first `failures` requests, then 200. Returns the URL
/// and the bodies it received.
fn shop(failures: usize) -> (String, Arc<Mutex<Vec<Value>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/cookiepay/noti", l.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        let mut n = 0;
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let Ok(k) = s.read(&mut chunk) else { break None };
                if k == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..k]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break Some(buf[end + 4..end + 4 + len].to_vec());
                }
            };
            let Some(body) = body else { continue };
            n += 1;
            let status = if n <= failures {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let reply = if n <= failures {
                "fail"
            } else {
                "<RESULT>SUCCESS</RESULT>"
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
            if let Ok(v) = serde_json::from_slice(&body) {
                seen2.lock().unwrap().push(v);
            }
        }
    });
    (url, seen)
}

fn notis(api: &Api) -> Vec<Value> {
    api.get_json("/_sandbox/notis").1["notis"]
        .as_array()
        .expect("notis")
        .clone()
}

fn wait_for(api: &Api, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
    let t0 = Instant::now();
    loop {
        let list = notis(api);
        if done(&list) {
            return list;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "notis never got there: {list:?}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn notis_are_retried_until_the_shop_accepts() {
    let (url, seen) = shop(2);
    let sb = start();
    let api = Api::http(&sb);
    let (s, _, t) = api.post_json("/_sandbox/noti", &[], &json!({ "url": url }));
    assert_eq!(s, 200, "{t}");
    let v = api.billkeygen(monthly("10", "1", "0"));
    let list = wait_for(&api, |l| l.first().is_some_and(|n| n["delivered"] == true));
    let n = &list[0];
    assert_eq!(n["attempts"], 3, "{n}");
    assert_eq!(n["last_status"], 200);
    assert_eq!(n["kind"], "recurring");
    assert_eq!(n["url"], url.as_str());
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "two failures, then the accepted one");
    let body = &got[2];
    assert_eq!(body, &n["body"]);
    assert_eq!(body["RESULTCODE"], "0000");
    assert_eq!(body["RESERVE_ID"], v["RESERVE_ID"]);
    assert_eq!(body["RESERVE_ORDERNO"], "SUB-1");
    assert_eq!(body["PAY_CNT"], "1");
    assert_eq!(body["TRY_CNT"], "1");
    assert_eq!(body["TID"], v["TID"]);
    assert_eq!(body["BILLKEY"], v["BILLKEY"]);
    assert_eq!(body["NEXT_PAY_DATE"], v["RESERVE_NEXT_PAY_DATE"]);
    assert_eq!(body["CARDNO"], "************1111");
    let gendate = body["GENDATE"].as_str().unwrap();
    assert_eq!(gendate.len(), 19, "YYYY-MM-DD HH:MM:SS: {gendate}");
    for k in [
        "CP_ID",
        "API_ID",
        "ORDERNO",
        "AMOUNT",
        "USERID",
        "BUYERNAME",
        "PRODUCTNAME",
        "ACCEPT_DATE",
        "ACCEPT_NO",
        "CARDCODE",
        "CARDNAME",
        "QUOTA",
        "PAY_METHOD",
        "RESULTMSG",
        "LAST_PAY_CNT",
        "BUYERPHONE",
    ] {
        assert!(body.get(k).is_some(), "{k} in {body}");
    }
}

#[test]
fn every_charge_and_cancel_notifies() {
    let (url, seen) = shop(0);
    let sb = start_with(|o| o.noti_url = Some(url.clone()));
    let api = Api::http(&sb);
    // A window approval, a plain billkeygen, a schedule with a declined 3rd charge, a cancel.
    api.approved("N-1");
    let plain = api.billkeygen(json!({ "ORDERNO": "N-2" }));
    api.billkeygen(json!({ "ORDERNO": "N-3", "CARDNO": "4000000000000333", "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "3" }));
    api.advance_days(70);
    let t = api.token();
    let c = api.json(
        "/api/cancel",
        &[("TOKEN", &t), ("ApiKey", DEMO_API_KEY)],
        &json!({ "tid": plain["TID"], "reason": "고객취소", "amount": "900" }),
    );
    assert_eq!(c["cancel_code"], "0000");
    // The number of scheduled charges in 70 days depends on the start date: wait for the cancel's
    // Noti (sent last) and for every one to be delivered, not for a count.
    let list = wait_for(&api, |l| {
        l.iter().any(|n| n["kind"] == "cancel") && l.iter().all(|n| n["delivered"] == true)
    });
    assert!(list.len() >= 6, "{list:?}");
    let kinds: Vec<&str> = list.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(&kinds[..3], &["payment", "payment", "recurring"], "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"cancel"));
    let declined: Vec<&Value> = list.iter().filter(|n| n["body"]["RESULTCODE"] == "C001").collect();
    assert_eq!(declined.len(), 1, "the dunning decline is notified too");
    assert_eq!(declined[0]["body"]["PAY_CNT"], "3");
    let cancel = &list.last().unwrap()["body"];
    assert_eq!(cancel["TID"], plain["TID"]);
    assert_eq!(cancel["CANCEL_AMT"], "900");
    assert_eq!(cancel["CANCELMSG"], "고객취소");
    assert_eq!(cancel["CANCELDATE"], c["cancel_date"]);
    assert_eq!(list[1]["body"]["PAY_METHOD"], "CARD_BATCH");
    assert_eq!(seen.lock().unwrap().len(), list.len());
    // Off again: nothing more is sent.
    let (s, _, _) = api.post_json("/_sandbox/noti", &[], &json!({ "url": null }));
    assert_eq!(s, 200);
    api.billkeygen(json!({ "ORDERNO": "N-4" }));
    assert_eq!(notis(&api).len(), list.len());
    assert_eq!(
        api.post_json("/_sandbox/noti", &[], &json!({ "url": "ftp://x" })).0,
        400
    );
}

#[test]
fn an_unreachable_shop_never_blocks_a_request() {
    // Port 1 (tcpmux) is outside the ephemeral range: unlike a port just freed, no listener of a test
    // running beside this one can be handed it (the date sweep runs suites in parallel).
    let url = "http://127.0.0.1:1/n".to_string();
    let sb = start_with(|o| o.noti_url = Some(url));
    let api = Api::http(&sb);
    let t0 = Instant::now();
    assert_eq!(api.billkeygen(json!({}))["RESULTCODE"], "0000");
    assert!(t0.elapsed() < Duration::from_secs(2));
    let list = wait_for(&api, |l| l.first().is_some_and(|n| n["attempts"].as_u64() >= Some(2)));
    assert_eq!(list[0]["delivered"], false);
    assert!(list[0]["last_error"].is_string());
    assert!(cookiepay_sandbox::Sandbox::start(cookiepay_sandbox::Options {
        noti_url: Some("https://x/".into()),
        ..Default::default()
    })
    .is_err());
}

#[test]
fn new_endpoints_are_counted_and_take_faults() {
    let sb = start();
    let api = Api::http(&sb);
    let v = api.billkeygen(monthly("1", "1", "0"));
    let rid = v["RESERVE_ID"].as_str().unwrap().to_string();
    let key = v["BILLKEY"].as_str().unwrap().to_string();
    let tid = v["TID"].as_str().unwrap().to_string();
    let total = |ep: &str| api.stats()["requests"][ep]["total"].as_u64().unwrap();
    let by = |ep: &str| {
        api.stats()["requests"][ep]["by_merchant"][DEMO_API_ID]
            .as_u64()
            .unwrap_or(0)
    };
    // http_500 and reset: not processed.
    api.fault(json!({ "endpoint": "billkeygen", "mode": "http_500" }));
    let (s, ct, _) = api.post_json(
        "/Subscribe/billkeygen",
        &[("ApiKey", DEMO_API_KEY), ("TOKEN", &api.token())],
        &billkeygen_body(),
    );
    assert_eq!((s, ct.starts_with("text/html")), (500, true));
    api.fault(json!({ "endpoint": "cancel", "mode": "reset" }));
    let t = api.token();
    let r = api
        .c
        .post(format!("{}/api/cancel", api.base))
        .header("TOKEN", &t)
        .header("ApiKey", DEMO_API_KEY)
        .json(&json!({ "tid": tid }))
        .send();
    assert!(r.is_err(), "reset");
    let p = api.paycert(&api.token(), &tid);
    assert_eq!(p["CANCELDATE"], "", "a reset cancel was not processed");
    // truncate and invalid_json: processed.
    api.fault(json!({ "endpoint": "schedule_cancel", "mode": "truncate" }));
    let t = api.token();
    let r = api
        .c
        .post(format!("{}/Subscribe/recurrence_schedule_cancel", api.base))
        .header("TOKEN", &t)
        .header("ApiKey", DEMO_API_KEY)
        .json(&json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": rid }))
        .send()
        .and_then(|r| r.text());
    assert!(r.is_err(), "truncated body");
    assert_eq!(
        api.subscription(&rid)["status"],
        "cancelled",
        "a truncated cancel was processed"
    );
    api.fault(json!({ "endpoint": "billkey_delete", "mode": "invalid_json" }));
    let (_, _, b) = api.post_json(
        "/Subscribe/billingkeycancel",
        &[("ApiKey", DEMO_API_KEY), ("TOKEN", &api.token())],
        &json!({ "API_ID": DEMO_API_ID, "BILLKEY": key }),
    );
    assert!(serde_json::from_str::<Value>(&b).is_err());
    assert!(api.subscription(&rid)["billkey_deleted_at"].is_string(), "processed");
    api.fault(json!({ "endpoint": "recurring_charge", "mode": "http_500" }));
    let (s, _, _) = api.post_json(
        "/Subscribe/recurrence_request_payment",
        &[("ApiKey", DEMO_API_KEY), ("TOKEN", &api.token())],
        &json!({ "API_ID": DEMO_API_ID, "RESERVE_ID": rid, "BILLKEY": key }),
    );
    assert_eq!(s, 500);
    api.fault(json!({ "endpoint": "paysearch", "mode": "wrong_content_type" }));
    let (_, ct, _) = api.post_json(
        "/api/paysearch",
        &[("TOKEN", &api.token())],
        &json!({ "API_ID": DEMO_API_ID, "TID": tid }),
    );
    assert!(ct.starts_with("text/html"));
    api.fault(json!({ "endpoint": "receipt", "mode": "http_500" }));
    assert_eq!(api.get_text("/api/receipt?tid=eA==").0, 500);
    for (ep, n) in [
        ("billkeygen", 2),
        ("cancel", 1),
        ("schedule_cancel", 1),
        ("billkey_delete", 1),
        ("recurring_charge", 1),
        ("paysearch", 1),
        ("receipt", 1),
    ] {
        assert_eq!(total(ep), n, "{ep}");
    }
    for ep in [
        "billkeygen",
        "cancel",
        "schedule_cancel",
        "billkey_delete",
        "recurring_charge",
        "paysearch",
    ] {
        assert!(by(ep) >= 1, "{ep} attributed to the merchant");
    }
    let (_, f) = api.get_json("/_sandbox/faults");
    assert_eq!(f["faults"], json!([]));
    let (s, _, t) = api.post_json("/_sandbox/faults", &[], &json!({ "endpoint": "nope", "mode": "reset" }));
    assert_eq!(s, 400);
    assert!(t.contains("recurring_charge") && t.contains("billkey_delete"), "{t}");
}

#[test]
fn no_listing_or_noti_carries_a_card_number() {
    let (url, _) = shop(0);
    let sb = start_with(|o| o.noti_url = Some(url));
    let api = Api::http(&sb);
    api.approved("P-1");
    let v = api.billkeygen(json!({ "CARDNO": "5555-5555-5555-4444", "CARDAUTH": "881231", "CARDPWD": "77", "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "W", "PAY_DAY": "3" }));
    assert_eq!(v["RESULTCODE"], "0000", "{v}");
    api.advance_days(15);
    wait_for(&api, |l| l.len() >= 4 && l.iter().all(|n| n["delivered"] == true));
    for path in ["/_sandbox/payments", "/_sandbox/subscriptions", "/_sandbox/notis"] {
        let (_, body) = api.get_text(path);
        for secret in [
            "4111111111111111",
            "5555555555554444",
            "5555-5555-5555-4444",
            "\"881231\"",
            "EXPIREDT",
            "CARDAUTH",
            "CARDPWD",
        ] {
            assert!(!body.contains(secret), "{path} leaks {secret}");
        }
        assert!(body.contains("4444"), "{path} shows the last four digits");
    }
}
